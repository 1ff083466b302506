"""Notifying staff: store the notice, e-mail it after the transaction commits.

``notify_users`` is the one way to tell someone something (a leak reported, an incident
candidate, a problem item past its deadline). Call it inside the transaction of the action
it reports: if that rolls back, nobody is told; if it commits, each recipient with an e-mail
address gets a mail, and the delivery result is kept on the notice (NT-2).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from veracity.notify.models import EmailStatus, Notification
from veracity.org.principals import Principal, acting_user

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_LINK = 300


@transaction.atomic
def notify_users(
    *,
    users: Iterable[Any],
    kind: str,
    title_zh: str,
    title_en: str,
    body_zh: str = "",
    body_en: str = "",
    link: str = "",
) -> list[Notification]:
    """One notification per active user (duplicates and inactive accounts are skipped);
    those with an e-mail address are mailed once the surrounding transaction commits."""
    if not kind or not (title_zh or title_en):
        raise ValueError("a notification needs a kind and a title")
    recipients: dict[int, Any] = {}
    for user in users:
        if user is not None and user.pk is not None and getattr(user, "is_active", True):
            recipients.setdefault(user.pk, user)
    now = timezone.now()
    notes = [
        Notification(
            recipient=user,
            kind=kind[:40],
            title_zh=(title_zh or title_en)[:MAX_TITLE],
            title_en=(title_en or title_zh)[:MAX_TITLE],
            body_zh=body_zh or body_en,
            body_en=body_en or body_zh,
            link=link[:MAX_LINK],
            created_at=now,
            email_status=EmailStatus.PENDING if _address(user) else EmailStatus.NONE,
        )
        for user in recipients.values()
    ]
    stored = Notification.objects.bulk_create(notes)
    to_mail = [n.pk for n in stored if n.email_status == EmailStatus.PENDING]
    if to_mail:
        transaction.on_commit(lambda: notifications_email(ids=to_mail), robust=True)
    return stored


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
            send_mail(
                subject=_subject(note),
                message=_message(note),
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


def _subject(note: Notification) -> str:
    subject = (
        note.title_zh if note.title_zh == note.title_en else f"{note.title_zh} / {note.title_en}"
    )
    return " ".join(f"[Veracity] {subject}".split())[:250]


def _message(note: Notification) -> str:
    parts = [note.title_zh, note.body_zh]
    if note.title_en != note.title_zh or note.body_en != note.body_zh:
        parts += ["", note.title_en, note.body_en]
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
