"""The one access policy: what a person may do, named by action, mapped to roles in one table.

Views declare their action with :func:`action_required`, API endpoints with
:func:`endpoint_action`; everything else asks :func:`may`. An action is ``app.verb``
(``customers.unmask``, ``cases.verify``). Object-level rules — who may take which step on
which item — stay with their app (``cases.policy``), but take their role sets from here.

The table itself is ``veracity.org.actions.ACTIONS`` (re-exported here).

Every refusal of a signed-in person is written to the audit trail as ``ACCESS_REFUSED`` with
the person, the action and the object (:func:`record_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.org.actions import (
    ACTIONS,
    CLIENT_SCOPE,
    SIGNED_IN,
    Audience,
    may,
    roles_for,
)

__all__ = [
    "ACTIONS",
    "CLIENT_SCOPE",
    "SIGNED_IN",
    "Audience",
    "action_of",
    "action_required",
    "endpoint_action",
    "may",
    "record_refusal",
    "refuse_request",
    "roles_for",
]


def record_refusal(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """``ACCESS_REFUSED``: who was refused which action on which object."""
    audit_record(
        actor=actor,
        event=Event(
            action=Action.ACCESS_REFUSED,
            object_type=object_type,
            object_id=str(object_id)[:64],
            detail={"action": action, **(detail or {})},
        ),
    )


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")[:45]


def refuse_request(request: HttpRequest, action: str) -> None:
    """Record that the signed-in person of ``request`` was refused ``action`` on this page."""
    record_refusal(
        actor=Actor.of(request.user, _ip(request)),
        action=action,
        object_type="page",
        object_id=request.path,
        detail={"path": request.path, "method": request.method or ""},
    )


V = TypeVar("V", bound=Callable[..., Any])


def action_required(action: str) -> Callable[[V], V]:
    """Login required, then :func:`may` ``action`` (403 otherwise, audited). The action is
    kept on the view as ``veracity_action``."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")

    def decorator(view: V) -> V:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not may(request.user, action):
                refuse_request(request, action)
                raise PermissionDenied
            response: HttpResponse = view(request, *args, **kwargs)
            return response

        wrapped.veracity_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def endpoint_action(action: str) -> Callable[[V], V]:
    """Declare the action of an API endpoint (kept as ``veracity_action``). The endpoint is
    taken by the client's designated person (the role checks of the services) or, for a
    :data:`CLIENT_SCOPE` action, by the client within its scope; a 403 it answers is recorded
    with :func:`record_refusal`. The function itself is returned, so the router still reads
    its signature."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")

    def decorator(endpoint: V) -> V:
        endpoint.veracity_action = action  # type: ignore[attr-defined]
        return endpoint

    return decorator


def action_of(view: Any) -> str | None:
    """The action a view or endpoint declares (through wrappers and class-based views)."""
    seen = 0
    while view is not None and seen < 10:
        declared = getattr(view, "veracity_action", None)
        if declared is not None:
            return str(declared)
        view_class = getattr(view, "view_class", None)
        if view_class is not None and getattr(view_class, "veracity_action", None):
            return str(view_class.veracity_action)
        view = getattr(view, "__wrapped__", None)
        seen += 1
    return None
