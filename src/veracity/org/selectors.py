"""Reading staff facts: the sales channels a member of staff works for and the head of
their department.

The team tree (who leads which agents) is sales-force data, ``Seller.leader`` in
``veracity.sales``, not a staff fact: it is read there."""

from __future__ import annotations

from typing import Any

from veracity.org.models import StaffProfile


def channels_of(user: Any) -> list[str]:
    """The sales channel(s) a member of channel staff works for (their staff profile)."""
    if getattr(user, "pk", None) is None:
        return []
    profiles = StaffProfile.objects.filter(user_id=user.pk)
    return [c for c in profiles.values_list("channel", flat=True) if c]


def department_head_id_of(user_id: int | None) -> int | None:
    """The user id of the head of the department of the user ``user_id``; None when the
    user has no staff profile, no department, or the department no head."""
    if user_id is None:
        return None
    head_id: int | None = (
        StaffProfile.objects.filter(user_id=user_id)
        .values_list("department__head_id", flat=True)
        .first()
    )
    return head_id


def department_head_of(user: Any) -> Any | None:
    """The head of ``user``'s department (a user), or None (see ``department_head_id_of``)."""
    if getattr(user, "pk", None) is None:
        return None
    profile = (
        StaffProfile.objects.select_related("department__head").filter(user_id=user.pk).first()
    )
    if profile is None or profile.department is None:
        return None
    return profile.department.head


def is_department_head_of(head: Any, user_id: int | None) -> bool:
    """``head`` heads the department of the user ``user_id``."""
    head_pk = getattr(head, "pk", None)
    return head_pk is not None and department_head_id_of(user_id) == head_pk
