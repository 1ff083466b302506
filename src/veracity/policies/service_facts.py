"""What a verified inquirer may be told of one policy (IQ-2, D1.17, D1.18): policy data,
coverage, premium status, claims and benefit payments, policy-service history — built from
the policy and its events (``PolicyEvent``), scoped to the inquirer's role.

This module decides *what* a role sees; *whether* anything is shown is the inquiry's
verification (``veracity.inquiry``) or the portal's sign-in, which call
:func:`policy_service_facts` only for a verified party and record the disclosure. It never
reads an unmasked personal number: the payer's account is shown masked, and only to the
policyholder and the insured (a beneficiary does not see how the premium is paid).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from veracity.core.masking import mask
from veracity.core.policy_events import EventKind
from veracity.policies.models import Policy, PolicyEvent, PolicyRole, Role

#: The sections each role is told (IQ-2). A beneficiary learns the policy, its coverage and
#: its claims and benefits (what they may come to claim), not the payment of the premium.
SECTIONS: Final[dict[str, frozenset[str]]] = {
    Role.POLICYHOLDER: frozenset({"policy", "coverage", "premiums", "claims", "changes", "payer"}),
    Role.INSURED: frozenset({"policy", "coverage", "premiums", "claims", "changes", "payer"}),
    Role.BENEFICIARY: frozenset({"policy", "coverage", "claims"}),
}


@dataclass(frozen=True, slots=True)
class PremiumLine:
    """One premium due (续期保费) and whether and when it was received."""

    due_on: dt.date
    amount: Decimal
    period: int | None
    received_on: dt.date | None = None


@dataclass(slots=True)
class ClaimLine:
    """One claim (赔案): reported, reviewed (each result), paid."""

    claim_no: str
    reported_on: dt.date | None = None
    reviews: list[tuple[dt.date, str, str]] = field(default_factory=list)  # on, result, reason
    payments: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    @property
    def result(self) -> str:
        """The latest review's result (approved / rejected / more_documents), or ""."""
        return self.reviews[-1][1] if self.reviews else ""


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One policy service change (保全)."""

    on: dt.date
    change: str
    major: bool
    note: str = ""


@dataclass(slots=True)
class ServiceFacts:
    """One policy as ``role`` may be told it; sections outside the role's are empty."""

    policy_id: int
    policy_no: str
    role: str
    sections: frozenset[str]
    product: str = ""
    status: str = ""
    effective_on: dt.date | None = None
    cooling_off_ends_on: dt.date | None = None
    ended_on: dt.date | None = None
    sum_assured: Decimal | None = None
    coverage: dict[str, Any] = field(default_factory=dict)
    parties: list[tuple[str, str]] = field(default_factory=list)  # role, name
    premiums: list[PremiumLine] = field(default_factory=list)
    premium_status: str = ""  # paid / due / overdue / "" (no premium on record)
    claims: list[ClaimLine] = field(default_factory=list)
    benefits: list[tuple[dt.date, str, Decimal]] = field(default_factory=list)  # no claim
    changes: list[ChangeLine] = field(default_factory=list)
    payer_account: str = ""  # masked

    def shows(self, section: str) -> bool:
        return section in self.sections


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _premiums(events: list[PolicyEvent]) -> list[PremiumLine]:
    """Dues matched to receipts: by policy year when both name it, else the oldest open due
    (by due date) first. All dues are known before any receipt is matched: a premium paid
    before the core system reported it due (paid early, or reported late) still pays it."""
    dues: list[dict[str, Any]] = [
        {
            "due_on": dt.date.fromisoformat(ev.data["due_on"]),
            "amount": _money(ev.data.get("amount", 0)),
            "period": ev.data.get("period"),
            "received_on": None,
        }
        for ev in events
        if ev.kind == EventKind.PREMIUM_DUE
    ]
    dues.sort(key=lambda d: d["due_on"])  # stable: same day keeps the order of the events
    receipts = [ev for ev in events if ev.kind == EventKind.PREMIUM_RECEIVED]
    # Receipts naming their year first, so a receipt without one cannot take that year's due.
    receipts.sort(key=lambda ev: not ev.data.get("period"))
    for ev in receipts:
        period = ev.data.get("period")
        open_dues = [d for d in dues if d["received_on"] is None]
        match = next((d for d in open_dues if period and d["period"] == period), None)
        if match is None and open_dues:
            match = open_dues[0]
        if match is not None:
            match["received_on"] = ev.occurred_on
    return [PremiumLine(**d) for d in dues]


def premium_status(premiums: list[PremiumLine], *, as_of: dt.date) -> str:
    """``paid`` when nothing is open, ``due`` when the oldest open premium is not yet past
    its due date, ``overdue`` when it is; ``""`` when no premium is on record."""
    if not premiums:
        return ""
    open_lines = [p for p in premiums if p.received_on is None]
    if not open_lines:
        return "paid"
    return "overdue" if min(p.due_on for p in open_lines) < as_of else "due"


def policy_service_facts(policy: Policy, *, role: str, as_of: dt.date) -> ServiceFacts:
    """The facts of ``policy`` that a verified ``role`` (policyholder, insured, beneficiary)
    may be told on ``as_of``. The caller has verified the inquirer and records the
    disclosure."""
    sections = SECTIONS.get(role, frozenset())
    facts = ServiceFacts(
        policy_id=policy.pk,
        policy_no=policy.policy_no or "",
        role=role,
        sections=sections,
    )
    if "policy" not in sections:
        return facts
    facts.product = policy.product.label()
    facts.status = policy.status
    facts.effective_on = policy.effective_on
    facts.cooling_off_ends_on = policy.cooling_off_ends_on
    facts.parties = [
        (r.role, r.name or (r.customer.name if r.customer is not None else ""))
        for r in PolicyRole.objects.filter(policy=policy).select_related("customer")
    ]
    events = list(PolicyEvent.objects.filter(policy=policy).order_by("occurred_on", "id"))
    if "coverage" in sections:
        facts.sum_assured = policy.sum_assured
        facts.coverage = dict(policy.coverage or {})
    for ev in events:
        if ev.kind in (EventKind.POLICY_LAPSED, EventKind.POLICY_TERMINATED):
            facts.ended_on = ev.occurred_on
    if "premiums" in sections:
        facts.premiums = _premiums(events)
        facts.premium_status = premium_status(facts.premiums, as_of=as_of)
    if "claims" in sections:
        claims: dict[str, ClaimLine] = {}
        for ev in events:
            no = ev.data.get("claim_no") or ""
            if ev.kind == EventKind.CLAIM_REPORTED:
                claims.setdefault(no, ClaimLine(no)).reported_on = ev.occurred_on
            elif ev.kind == EventKind.CLAIM_REVIEWED:
                claims.setdefault(no, ClaimLine(no)).reviews.append(
                    (ev.occurred_on, ev.data.get("result", ""), ev.data.get("reason", ""))
                )
            elif ev.kind == EventKind.BENEFIT_PAID and no:
                claims.setdefault(no, ClaimLine(no)).payments.append(
                    (ev.occurred_on, _money(ev.data.get("amount", 0)))
                )
            elif ev.kind == EventKind.BENEFIT_PAID:
                facts.benefits.append(
                    (ev.occurred_on, ev.data.get("benefit", ""), _money(ev.data.get("amount", 0)))
                )
        facts.claims = list(claims.values())
    if "changes" in sections:
        facts.changes = [
            ChangeLine(
                ev.occurred_on,
                ev.data.get("change", ""),
                bool(ev.data.get("major")),
                ev.data.get("note", ""),
            )
            for ev in events
            if ev.kind == EventKind.POLICY_CHANGED
        ]
    if "payer" in sections and policy.payer_account_id:
        account = policy.payer_account
        facts.payer_account = mask(account.number if account else "", "account")
    return facts
