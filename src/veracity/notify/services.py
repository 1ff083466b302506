"""Notifying staff: store the notice, e-mail it after the transaction commits.

``tell`` is the one way to tell someone something (a hand-off of a problem item, a request
waiting for a decision or decided, a grant about to end, a leak reported…). It stores the
notice's kind and parameters from the catalogue (``notify.catalogue``), whose words are
rendered for each reader. Call it inside the transaction of the action it reports: if that
rolls back, nobody is told; if it commits, each recipient with an e-mail address gets a mail
in their own language, and the delivery result is kept on the notice (NT-2).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from veracity.notify.catalogue import CATALOGUE
from veracity.notify.models import EmailStatus, Notification, ReaderLanguage
from veracity.org.principals import Principal, acting_user

logger = logging.getLogger(__name__)

MAX_LINK = 300


@transaction.atomic
def tell(
    recipients: Iterable[Any],
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    link: str = "",
    object_type: str = "",
    object_id: Any = "",
    exclude: Iterable[Any] = (),
) -> list[Notification]:
    """Tell each active user of ``recipients`` (duplicates, inactive accounts and the users of
    ``exclude`` skipped) a notice of ``kind`` (a key of ``notify.catalogue.CATALOGUE``) with
    ``params``, linking to ``link`` (a path on this site) about ``object_type``/``object_id``.

    Call it inside the transaction of the hand-off it reports: the notices are rows of that
    transaction (a rollback leaves none), and the e-mails to those with an address go out
    once it commits, each in its recipient's language."""
    if kind not in CATALOGUE:
        raise ValueError(f"unknown notice kind {kind!r}")
    skipped = {getattr(u, "pk", u) for u in exclude if u is not None}
    chosen: dict[int, Any] = {}
    for user in recipients:
        if user is None or user.pk is None or user.pk in skipped:
            continue
        if getattr(user, "is_active", True):
            chosen.setdefault(user.pk, user)
    if not chosen:
        return []
    now = timezone.now()
    values = {k: _plain(v) for k, v in (params or {}).items()}
    notes = [
        Notification(
            recipient=user,
            kind=kind,
            params=values,
            link=link[:MAX_LINK],
            object_type=object_type[:40],
            object_id=str(object_id)[:40],
            created_at=now,
            email_status=EmailStatus.PENDING if _address(user) else EmailStatus.NONE,
        )
        for user in chosen.values()
    ]
    stored = Notification.objects.bulk_create(notes)
    to_mail = [n.pk for n in stored if n.email_status == EmailStatus.PENDING]
    if to_mail:
        transaction.on_commit(lambda: notifications_email(ids=to_mail), robust=True)
    return stored


def _plain(value: Any) -> Any:
    """A parameter as JSON: numbers, text and lists of them stay; anything else is text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def reader_language(user: Any) -> str:
    """The language ``user`` reads notices in outside the site (the default language until
    they choose one)."""
    pk = getattr(user, "pk", None)
    found = ReaderLanguage.objects.filter(user_id=pk).first() if pk is not None else None
    return found.language if found else str(settings.LANGUAGE_CODE)


def reader_language_set(*, principal: Principal, language: str) -> bool:
    """Remember ``language`` as the acting user's notice language (their page language);
    an unknown language or a principal without a person changes nothing."""
    user = acting_user(principal)
    if getattr(user, "pk", None) is None or language not in dict(settings.LANGUAGES):
        return False
    ReaderLanguage.objects.update_or_create(user_id=user.pk, defaults={"language": language})
    return True


def _address(user: Any) -> str:
    return str(getattr(user, "email", "") or "").strip()


def notifications_email(*, ids: Sequence[int]) -> int:
    """Send the pending e-mails of ``ids``; each result (sent, or the error) is stored on
    its notice. Never raises for a failed delivery. Returns how many were sent."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=list(ids), email_status=EmailStatus.PENDING
    ).select_related("recipient")
    for note in pending:
        address = _address(note.recipient)
        try:
            if not address:
                raise ValueError("no e-mail address")
            title, body = note.words(reader_language(note.recipient))
            send_mail(
                subject=_subject(title),
                message=_message(note, title, body),
                from_email=None,  # DEFAULT_FROM_EMAIL
                recipient_list=[address],
            )
        except Exception as exc:  # any backend failure is recorded, never raised to a user
            logger.warning("notification %s: e-mail failed: %s", note.pk, exc)
            Notification.objects.filter(pk=note.pk).update(
                email_status=EmailStatus.FAILED, email_error=str(exc)[:300]
            )
            continue
        Notification.objects.filter(pk=note.pk).update(
            email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
        )
        sent += 1
    return sent


def _subject(title: str) -> str:
    return " ".join(f"[Veracity] {title}".split())[:250]


def _message(note: Notification, title: str, body: str) -> str:
    parts = [title, body]
    if note.link:
        site = str(getattr(settings, "VERACITY_SITE_URL", "") or "").rstrip("/")
        parts += ["", f"{site}{note.link}"]
    return "\n".join(p for p in parts if p is not None).strip() + "\n"


def notifications_mark_read(*, principal: Principal, ids: Sequence[int] | None = None) -> int:
    """Mark the acting user's unread notifications read (all, or those of ``ids``); another
    user's notifications are never touched. Returns how many changed (none for a principal
    without a user)."""
    user = acting_user(principal)
    if getattr(user, "pk", None) is None:
        return 0
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
