"""Reads of a user's notifications: always the user's own, never anyone else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from veracity.notify.models import Notification


def notifications_of(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The notifications addressed to ``user``, newest first (none for anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    found = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(user, unread_only=True).count()
