"""Reading compliance actions (D1.24): who sees which, the list's filters, the overdue.

Whoever may view compliance actions (``conduct.view``: compliance, channel management, the
general manager) sees every one — the register is theirs to keep; anyone else sees the
rectification demands they own (整改责任人), to report their progress (``conduct.follow_up``).
Overdue: a rectification demand not done whose due date is before today (calendar days; the
working days of the problem-item deadlines are not needed here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db.models import Count, Q, QuerySet

from veracity.conduct.models import ComplianceAction
from veracity.core.conduct import ComplianceActionKind
from veracity.org.actions import may, reach_for
from veracity.org.principals import Principal, acting_user

__all__ = [
    "REACHES",
    "ActionFilters",
    "actions_list",
    "demands_owned_counts",
    "overdue",
    "visible_to",
]

#: What compliance actions are read for: the register (all of them), or one's own demands.
REACHES: Final = {"conduct.view": "all", "conduct.follow_up": "own"}

Kind = ComplianceActionKind
Status = ComplianceAction.Status


def overdue(today: date) -> Q:
    """The rectification demands past their due date on ``today`` and not done."""
    return Q(
        kind=Kind.RECTIFICATION.value,
        status=Status.OPEN,
        due_on__lt=today,
    )


def visible_to(*, principal: Principal, action: str) -> QuerySet[ComplianceAction]:
    """The compliance actions ``principal`` may read for ``action``: for ``conduct.view``
    all of them to who may take it, none to anyone else; for ``conduct.follow_up`` the
    register to who may view it, and one's own demands to everyone else."""
    reach = reach_for(action, REACHES)
    rows = ComplianceAction.objects.all()
    if may(principal, "conduct.view"):
        return rows
    user = acting_user(principal)
    if reach == "own" and may(principal, action) and user is not None:
        return rows.filter(owner_id=user.pk)
    return rows.none()


@dataclass(frozen=True, slots=True)
class ActionFilters:
    """The list's filters; empty strings mean "any"."""

    kind: str = ""
    status: str = ""
    target: str = ""  # a seller or agency code, or a department's code
    overdue: bool = False
    mine: bool = False


def actions_list(
    *, principal: Principal, filters: ActionFilters, today: date
) -> QuerySet[ComplianceAction]:
    """The list page's rows, newest first (overdue first when filtering for them)."""
    rows = visible_to(principal=principal, action="conduct.follow_up").select_related(
        "seller", "department", "owner"
    )
    if filters.kind in Kind._value2member_map_:
        rows = rows.filter(kind=filters.kind)
    if filters.status in Status.values:
        rows = rows.filter(status=filters.status)
    target = filters.target.strip()
    if target:
        rows = rows.filter(Q(seller__code=target) | Q(department__code=target))
    if filters.mine:
        user: Any = acting_user(principal)
        rows = rows.filter(owner_id=getattr(user, "pk", None))
    if filters.overdue:
        return rows.filter(overdue(today)).order_by("due_on", "pk")
    return rows.order_by("-recorded_at", "-pk")


def demands_owned_counts(*, principal: Principal, today: date) -> tuple[int, int]:
    """(overdue, on time): the open rectification demands owned by ``principal``'s acting
    user, in one query (the "waiting for me" panel)."""
    user = acting_user(principal)
    if user is None or user.pk is None:
        return 0, 0
    counts = ComplianceAction.objects.filter(
        owner_id=user.pk, kind=Kind.RECTIFICATION.value, status=Status.OPEN
    ).aggregate(
        late=Count("pk", filter=Q(due_on__lt=today)),
        total=Count("pk"),
    )
    return counts["late"], counts["total"] - counts["late"]
