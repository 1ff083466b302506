"""A seller's conduct record for the seller page (D1.14, D1.22–D1.24): the complaints against
them (or, for an agency, naming the agency), the escalations of problem items, the penalties
and compliance's actions — each list only for a reader whose work shows that register (or for
the seller themself, who sees their own record), newest first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from veracity.cases.models import Escalation
from veracity.conduct.models import Complaint, ComplianceAction, Penalty
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user
from veracity.sales.models import Seller

#: rows shown per list on the page; the registers behind the links hold the rest
SHOWN = 20


@dataclass
class ConductRecord:
    """``None`` for a list the reader may not see."""

    complaints: list[Complaint] | None = None
    complaints_total: int = 0
    escalations: list[Escalation] | None = None
    penalties: list[Penalty] | None = None
    penalties_total: int = 0
    actions: list[ComplianceAction] | None = None
    may_complain: bool = False
    may_propose: bool = False
    may_act: bool = False
    # whether the rows link to their registers' pages (the seller reading their own record
    # sees the rows, not the registers)
    opens_complaints: bool = False
    opens_penalties: bool = False
    opens_items: bool = False

    @property
    def shown(self) -> bool:
        return any(
            rows is not None
            for rows in (self.complaints, self.escalations, self.penalties, self.actions)
        )


def conduct_record(seller: Seller, *, principal: Principal) -> ConductRecord:
    """What ``principal`` may see of ``seller``'s conduct, and what they may start from it."""
    user = acting_user(principal)
    own = user is not None and seller.user_id is not None and seller.user_id == user.pk
    record = ConductRecord(
        may_complain=may(principal, "complaints.record"),
        may_propose=may(principal, "penalties.propose"),
        may_act=may(principal, "conduct.record"),
        opens_complaints=may(principal, "complaints.view"),
        opens_penalties=may(principal, "penalties.view"),
        opens_items=may(principal, "cases.view"),
    )
    if own or may(principal, "complaints.view"):
        complaints = Complaint.objects.filter(Q(seller=seller) | Q(agency=seller))
        record.complaints_total = complaints.count()
        record.complaints = list(
            complaints.select_related("policy").order_by("-received_on", "-id")[:SHOWN]
        )
    if own or may(principal, "penalties.view"):
        penalties = Penalty.objects.filter(seller=seller)
        record.penalties_total = penalties.count()
        record.penalties = list(penalties.order_by("-created_at", "-id")[:SHOWN])
        record.escalations = list(
            Escalation.objects.filter(seller=seller)
            .select_related("item")
            .order_by("-escalated_at", "-id")[:SHOWN]
        )
    if may(principal, "conduct.view"):
        record.actions = list(
            ComplianceAction.objects.filter(seller=seller).order_by("-recorded_at", "-id")[:SHOWN]
        )
    return record
