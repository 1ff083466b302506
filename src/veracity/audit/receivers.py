"""Logins, logouts and failed logins go into the audit trail (adapters over Django's auth
signals; the rule itself is in ``services``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.db.addresses import request_address


def client_ip(request: Any) -> str:
    return request_address(request)


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=Actor.of(user, client_ip(request)), event=Event(action=Action.LOGIN))


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=Actor.of(user, client_ip(request)), event=Event(action=Action.LOGOUT))


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    # set by the lockout backend (veracity.signin) when the attempt met a lockout
    lockout = getattr(request, "veracity_login_lockout", None)
    detail = {"locked": lockout.kind, "until": lockout.until.isoformat()} if lockout else {}
    audit_record(
        actor=Actor(label=username or "anonymous", ip=client_ip(request)),
        event=Event(action=Action.LOGIN_FAILED, detail=detail),
    )
