"""Reads of a person's notifications: always their own, never anyone else's."""

from __future__ import annotations

from django.db.models import QuerySet

from veracity.notify.models import Notification
from veracity.org.principals import Principal, acting_user


def notifications_of(*, principal: Principal, unread_only: bool = False) -> QuerySet[Notification]:
    """The notifications addressed to ``principal``'s acting user, newest first (none for
    anonymous, a customer or a system without a person)."""
    user = acting_user(principal)
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    found = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-created_at", "-pk")


def unread_count(*, principal: Principal) -> int:
    user = acting_user(principal)
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(principal=principal, unread_only=True).count()
