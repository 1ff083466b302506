"""The customer file with its customer-360 panel (issue 12): the masked file, the reader's
loans of it (a borrowed file says so), its open problem items, and the access requests and
borrowing grants about it.

Each list is restricted to what the reader may see, by its register's ``visible_to`` with
an action: the problem items by ``cases.listing.visible_to(action="cases.view")``, the
requests and grants by ``access.selectors`` (``access.request``: one's own part; everything
for those who oversee them). The panel is read with the file: the file's one audit event
(``customers.selectors.customer_detail``, with the stated purpose) lists what the panel showed,
by id — no personal data is added to the trail.

This module sits with the cases because the panel shows problem items, the highest register
it reads; the customer register and access sit below and know nothing of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.utils import timezone
from django.utils.translation import get_language

from veracity.access.governance import active_grants
from veracity.access.models import AccessGrant
from veracity.access.selectors import grants_visible_to, requests_visible_to
from veracity.audit.sentences import PURPOSE_WORDS
from veracity.cases.listing import RULES
from veracity.cases.listing import visible_to as items_visible_to
from veracity.cases.models import ProblemItem, ProblemItemMember, Stage
from veracity.core.detection import RULE_NAMES, Rule
from veracity.customers.selectors import CustomerView, customer_detail
from veracity.customers.selectors import visible_to as customers_visible_to
from veracity.org.principals import Principal

__all__ = ["CustomerFile", "customer_file"]

#: At most this many rows per list of the panel (the newest; the count says how many).
PANEL_ROWS: Final = 20


def purpose_words(code: str) -> str:
    """A stated purpose as words (the requests store its code)."""
    found = PURPOSE_WORDS.get(code)
    return str(found) if found is not None else code


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


@dataclass(frozen=True, slots=True)
class Loan:
    """One of the reader's grants in force on this file: why, for what, until when."""

    grant_id: int
    request_id: int
    purpose: str  # in words
    subject: str
    scope: str  # in words
    policy_no: str  # the policy (or application) number it was asked for, or ""
    policy_id: int | None
    item_id: int | None
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: int
    rule_name: str
    stage: str
    stage_label: str
    first_seen_on: date
    due_on: date | None


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    kind_label: str
    status: str
    status_label: str
    requester: str
    purpose: str  # in words
    created_at: datetime
    policy_no: str
    item_id: int | None


@dataclass(frozen=True, slots=True)
class GrantRow:
    id: int
    request_id: int
    holder: str
    scope: str
    starts_at: datetime
    ends_at: datetime
    returned_at: datetime | None
    state: str  # "open", "returned", "ended"


@dataclass
class CustomerFile:
    """The masked file (``customer``) and its panel."""

    customer: CustomerView
    loans: list[Loan] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    items_total: int = 0
    requests: list[RequestRow] = field(default_factory=list)
    requests_total: int = 0
    grants: list[GrantRow] = field(default_factory=list)
    grants_total: int = 0


def _policy_no(policy: Any) -> str:
    if policy is None:
        return ""
    return str(policy.policy_no or policy.application_no)


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def _items(pk: int, principal: Principal) -> tuple[list[ItemRow], int]:
    members = ProblemItemMember.objects.filter(customer_id=pk).values("item_id")
    found = (
        items_visible_to(principal=principal, action="cases.view")
        .filter(pk__in=members, status=ProblemItem.Status.OPEN)
        .order_by("-first_seen_on", "-pk")
    )
    zh = _chinese()
    rows = []
    for item in found[:PANEL_ROWS]:
        names = RULE_NAMES.get(Rule(item.rule)) if item.rule in RULES else None
        rows.append(
            ItemRow(
                id=item.pk,
                rule_name=(names[0] if zh else names[1]) if names else str(item.get_rule_display()),
                stage=item.stage,
                stage_label=str(Stage(item.stage).label) if item.stage in Stage.values else "",
                first_seen_on=item.first_seen_on,
                due_on=item.due_on,
            )
        )
    return rows, found.count() if len(rows) == PANEL_ROWS else len(rows)


def _requests(pk: int, principal: Principal) -> tuple[list[RequestRow], int]:
    found = (
        requests_visible_to(principal=principal, action="access.request")
        .filter(customers=pk)
        .select_related("requester", "policy")
        .order_by("-created_at", "-pk")
    )
    rows = [
        RequestRow(
            id=r.pk,
            kind_label=str(r.get_kind_display()),
            status=r.status,
            status_label=str(r.get_status_display()),
            requester=person_name(r.requester),
            purpose=purpose_words(r.purpose),
            created_at=r.created_at,
            policy_no=_policy_no(r.policy),
            item_id=r.item_id,
        )
        for r in found[:PANEL_ROWS]
    ]
    return rows, found.count() if len(rows) == PANEL_ROWS else len(rows)


def _state(grant: AccessGrant, now: datetime) -> str:
    if grant.returned_at is not None:
        return "returned"
    if grant.expired_at is not None or grant.ends_at <= now:
        return "ended"
    return "open"


def _grants(pk: int, principal: Principal, now: datetime) -> tuple[list[GrantRow], int]:
    found = (
        grants_visible_to(principal=principal, action="access.request")
        .filter(customer_id=pk)
        .select_related("holder")
        .order_by("-starts_at", "-pk")
    )
    rows = [
        GrantRow(
            id=g.pk,
            request_id=g.request_id,
            holder=person_name(g.holder),
            scope=str(g.get_scope_display()),
            starts_at=g.starts_at,
            ends_at=g.ends_at,
            returned_at=g.returned_at,
            state=_state(g, now),
        )
        for g in found[:PANEL_ROWS]
    ]
    return rows, found.count() if len(rows) == PANEL_ROWS else len(rows)


def _loans(pk: int, principal: Principal, now: datetime) -> list[Loan]:
    grants = (
        active_grants(principal=principal, now=now)
        .filter(customer_id=pk)
        .select_related("request", "request__policy")
        .order_by("ends_at", "pk")
    )
    return [
        Loan(
            grant_id=g.pk,
            request_id=g.request_id,
            purpose=purpose_words(g.request.purpose),
            subject=g.request.subject,
            scope=str(g.get_scope_display()),
            policy_no=_policy_no(g.request.policy),
            policy_id=g.request.policy_id,
            item_id=g.request.item_id,
            ends_at=g.ends_at,
        )
        for g in grants
    ]


def customer_file(customer_id: Any, *, principal: Principal, unmask: bool = False) -> CustomerFile:
    """The file of one customer visible to ``principal`` with its panel: the reader's loans
    of it, its open problem items, the access requests and grants about it — each list as far
    as the reader may see it. One audit event for the whole page
    (:func:`customers.selectors.customer_detail`, which also raises ``Http404`` /
    ``PermissionDenied`` / ``SearchError`` as it documents, and records the refusal)."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        pk = 0
    visible = (
        0 < pk < 2**63
        and customers_visible_to(principal=principal, action="customers.view")
        .filter(pk=pk)
        .exists()
    )
    if not visible:
        # not visible (or no such file): the file's read refuses it and records the refusal
        return CustomerFile(customer=customer_detail(customer_id, principal=principal))
    now = timezone.now()
    loans = _loans(pk, principal, now)
    items, items_total = _items(pk, principal)
    requests, requests_total = _requests(pk, principal)
    grants, grants_total = _grants(pk, principal, now)
    customer = customer_detail(
        pk,
        principal=principal,
        unmask=unmask,
        shown={
            "problem_items": [i.id for i in items],
            "access_requests": [r.id for r in requests],
            "access_grants": [g.id for g in grants],
        },
    )
    return CustomerFile(
        customer=customer,
        loans=loans,
        items=items,
        items_total=items_total,
        requests=requests,
        requests_total=requests_total,
        grants=grants,
        grants_total=grants_total,
    )
