"""Figures about approvals for the home pages: what waits for the reader's decision, by kind
of request (borrowing, export, provision to an outside party, destruction), and whether the
reader decides any step at all (to show the panel even when nothing waits)."""

from __future__ import annotations

from collections import Counter
from typing import Final

from django.utils.translation import gettext_lazy as _

from veracity.approvals import services as approvals
from veracity.core.approvals import PRODUCT_PLANS, Who
from veracity.org.models import Department
from veracity.org.principals import Principal, acting_user
from veracity.org.roles import roles_of

__all__ = ["KIND_LABELS", "approvals_waiting", "may_approve"]

#: The engine's kinds of request, in words.
KIND_LABELS: Final = {
    "access.borrow": _("Borrowing of customer files"),
    "access.export": _("Exports of customer data"),
    "access.external": _("Provision to an outside party"),
    "retention.destruction": _("Destruction of records"),
}

_NAMED_ROLES: Final = frozenset(
    name
    for plan in PRODUCT_PLANS.values()
    for step in plan.steps
    if step.who is Who.ROLE
    for name in step.names
)


def may_approve(*, principal: Principal) -> bool:
    """Does a step of any product plan name ``principal``'s acting user — by role, or as the
    head of a department (D4.18)?"""
    user = acting_user(principal)
    if user is None:
        return False
    if {r.value for r in roles_of(principal)} & _NAMED_ROLES:
        return True
    return Department.objects.filter(head_id=user.pk).exists()


def approvals_waiting(*, principal: Principal) -> list[tuple[str, str, int]]:
    """The requests with a step ``principal`` may decide now, per kind: (kind, label, count),
    the kinds in :data:`KIND_LABELS` order, only those with a request waiting."""
    counts = Counter(a.kind for a in approvals.awaiting(principal=principal))
    order = list(KIND_LABELS)
    kinds = sorted(counts, key=lambda k: order.index(k) if k in order else len(order))
    return [(k, str(KIND_LABELS.get(k, k)), counts[k]) for k in kinds]
