"""Reads of applications, gate checks and supplement requests (TG-6, AG-10).

Every read starts from :func:`visible_to`. Parties are shown masked; findings are shown in
the active language from the stored ``message_zh`` / ``message_en``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.masking import mask
from veracity.core.policy_events import CHANGE_WORDS, CLAIM_RESULT_WORDS, KIND_WORDS
from veracity.customers.reach import classified_hidden_from, policies_condition
from veracity.customers.selectors import mask_policy
from veracity.org.actions import reach_for
from veracity.org.principals import Principal, is_signed_in
from veracity.policies.models import (
    GateCheck,
    Policy,
    PolicyRole,
    Role,
    SupplementRequest,
    relation_label,
)
from veracity.policies.service_facts import PremiumLine, policy_service_facts

__all__ = [
    "PREMIUM_STATUSES",
    "VERDICTS",
    "ApplicationView",
    "ServiceView",
    "application_detail",
    "applications_list",
    "finding_counts",
    "localized",
    "supplement_requests_open",
    "verdict_counts",
    "visible_to",
]


VERDICTS = {"pass": _("Passed"), "fail": _("Failed")}
SEVERITIES = {"error": _("Error"), "warning": _("Warning"), "info": _("Note")}
#: The premium status (``service_facts.premium_status``) in words.
PREMIUM_STATUSES = {"paid": _("Paid up"), "due": _("Awaiting payment"), "overdue": _("Overdue")}


def words(table: Any, code: str, language: str | None = None) -> str:
    """A code of the policy-event tables (``core.policy_events.*_WORDS``: code → (zh, en))
    in the active language; an unknown code as it came."""
    zh, en = table.get(code, (code, code))
    language = language or get_language() or "zh-hans"
    return str(zh if language.lower().startswith("zh") else en)


#: What applications are read for: their pages and the home page's gate figures. One reach
#: (the book) serves both today.
REACHES: Final = {"applications.view": "book"}


def visible_to(*, principal: Principal, action: str) -> QuerySet[Policy]:
    """Applications ``principal`` may read for ``action`` (one of :data:`REACHES`; AG-10): an
    agent those they sold, channel back-office those of its channel, the whole-book roles
    all, and anyone the policy named by a borrowing grant in force
    (``customers.reach.policies_condition``); the auditor, users without a role, customers
    and systems without a person none."""
    reach_for(action, REACHES)
    # the applications of a classified file are as restricted as the file (D4.22)
    policies = Policy.objects.exclude(
        roles__customer__in=classified_hidden_from(principal=principal)
    )
    reach = policies_condition(principal=principal)
    return policies if reach is None else policies.filter(reach)


def localized(finding: dict[str, Any], language: str | None = None) -> str:
    """The message of a finding (or supplement item) in the active language."""
    language = language or get_language() or "zh-hans"
    zh, en = finding.get("message_zh") or "", finding.get("message_en") or ""
    if language.lower().startswith("zh"):
        return str(zh or en)
    return str(en or zh)


def applications_list(*, principal: Principal, verdict: str = "") -> QuerySet[Policy]:
    """Applications visible to ``principal``, newest first; ``verdict`` "pass"/"fail"
    filters."""
    policies = visible_to(principal=principal, action="applications.view").select_related(
        "product", "seller"
    )
    if verdict in VERDICTS:
        policies = policies.filter(verdict=verdict)
    return policies.order_by("-created_at", "-pk")


def supplement_requests_open(*, principal: Principal) -> QuerySet[SupplementRequest]:
    """Open supplement requests on applications visible to ``principal``, oldest first (the
    customer has waited longest)."""
    return (
        SupplementRequest.objects.filter(
            status=SupplementRequest.Status.OPEN,
            policy__in=visible_to(principal=principal, action="applications.view"),
        )
        .select_related("policy", "policy__product")
        .order_by("opened_at", "pk")
    )


def finding_counts(
    *, principal: Principal, days: int = 30, now: datetime | None = None
) -> list[tuple[str, int]]:
    """How often each finding code was raised by gate checks in the last ``days`` days, most
    frequent first. Counted in Python over the JSON lists (portable across SQLite and
    PostgreSQL); a findings table would be the way at tens of millions of checks."""
    since = (now or timezone.now()) - timedelta(days=days)
    counter: Counter[str] = Counter()
    checks = GateCheck.objects.filter(
        checked_at__gte=since,
        policy__in=visible_to(principal=principal, action="applications.view"),
    ).values_list("findings", flat=True)
    for findings in checks.iterator(chunk_size=2000):
        for item in findings or []:
            if isinstance(item, dict) and item.get("code"):
                counter[str(item["code"])] += 1
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def verdict_counts(
    *, principal: Principal, days: int = 30, now: datetime | None = None
) -> dict[str, int]:
    """Gate checks in the last ``days`` days by verdict: {"pass": n, "fail": m}."""
    since = (now or timezone.now()) - timedelta(days=days)
    counts = {"pass": 0, "fail": 0}
    rows = (
        GateCheck.objects.filter(
            checked_at__gte=since,
            policy__in=visible_to(principal=principal, action="applications.view"),
        )
        .values("verdict")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + row["n"]
    return counts


@dataclass(frozen=True)
class FindingRow:
    code: str
    field: str
    severity: str
    severity_label: str
    message: str


@dataclass(frozen=True)
class CheckRow:
    id: int
    checked_at: datetime
    source: str
    verdict: str
    verdict_label: str
    findings: list[FindingRow]


@dataclass(frozen=True)
class PartyRow:
    role: str
    relation: str
    name: str
    customer_id: int | None
    id_number: str
    phone: str
    share: Any


@dataclass
class SupplementView:
    status: str
    status_label: str
    opened_at: datetime
    closed_at: datetime | None
    items: list[FindingRow]


@dataclass
class ApplicationView:
    application_no: str
    policy_no: str
    product: str
    product_type: str
    channel: str
    seller: str
    status: str
    verdict: str
    verdict_label: str
    applied_on: date | None
    payer_account: str
    parties: list[PartyRow] = field(default_factory=list)
    latest: CheckRow | None = None
    checks: list[CheckRow] = field(default_factory=list)
    supplement: SupplementView | None = None
    service: ServiceView | None = None


@dataclass
class ClaimRow:
    claim_no: str
    reported_on: date | None
    result: str  # in words, the latest review's
    reviews: list[tuple[date, str, str]]  # on, result in words, reason
    payments: list[tuple[date, Decimal]]


@dataclass
class ServiceView:
    """The policy service record of a policy as staff read it (``service_facts`` with the
    policyholder's sections: staff who may see the application see it all), in words."""

    effective_on: date | None
    cooling_off_ends_on: date | None
    ended_on: date | None
    sum_assured: Decimal | None
    coverage_period: str
    premium: Any
    payment_period: str
    riders: list[tuple[str, Any]]
    premium_status: str  # paid / due / overdue / ""
    premium_status_label: str
    premiums: list[PremiumLine]
    claims: list[ClaimRow]
    benefits: list[tuple[date, str, Decimal]]
    changes: list[tuple[date, str, bool, str]]  # on, change in words, major, note
    events: int
    latest: list[tuple[date, str]]  # the latest events: on, kind in words


#: Events listed on the page (the newest); the sections above summarise them all.
LATEST_EVENTS = 20


def service_view(policy: Policy, *, as_of: date) -> ServiceView | None:
    """The service record of ``policy``, or ``None`` for an application that is not yet a
    policy and has no events."""
    if not policy.policy_no and not policy.events.exists():
        return None
    facts = policy_service_facts(policy, role=Role.POLICYHOLDER, as_of=as_of)
    coverage = facts.coverage
    riders = [
        (str(r.get("name") or r.get("code") or ""), r.get("sum_assured"))
        for r in coverage.get("riders") or []
        if isinstance(r, dict)
    ]
    return ServiceView(
        effective_on=facts.effective_on,
        cooling_off_ends_on=facts.cooling_off_ends_on,
        ended_on=facts.ended_on,
        sum_assured=facts.sum_assured,
        coverage_period=str(coverage.get("coverage_period") or ""),
        premium=coverage.get("premium"),
        payment_period=str(coverage.get("payment_period") or ""),
        riders=riders,
        premium_status=facts.premium_status,
        premium_status_label=str(PREMIUM_STATUSES.get(facts.premium_status, "")),
        premiums=facts.premiums,
        claims=[
            ClaimRow(
                claim_no=c.claim_no,
                reported_on=c.reported_on,
                result=words(CLAIM_RESULT_WORDS, c.result) if c.result else "",
                reviews=[(on, words(CLAIM_RESULT_WORDS, r), why) for on, r, why in c.reviews],
                payments=list(c.payments),
            )
            for c in facts.claims
        ],
        benefits=list(facts.benefits),
        changes=[(c.on, words(CHANGE_WORDS, c.change), c.major, c.note) for c in facts.changes],
        events=policy.events.count(),
        latest=[
            (on, words(KIND_WORDS, kind))
            for on, kind in policy.events.order_by("-occurred_on", "-id").values_list(
                "occurred_on", "kind"
            )[:LATEST_EVENTS]
        ],
    )


def _finding_rows(items: Any) -> list[FindingRow]:
    rows = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        severity = str(item.get("severity") or "error")
        rows.append(
            FindingRow(
                code=str(item.get("code") or ""),
                field=str(item.get("field") or ""),
                severity=severity,
                severity_label=str(SEVERITIES.get(severity, severity)),
                message=localized(item),
            )
        )
    return rows


def _check_row(check: GateCheck) -> CheckRow:
    return CheckRow(
        id=check.pk,
        checked_at=check.checked_at,
        source=check.source,
        verdict=check.verdict,
        verdict_label=str(VERDICTS.get(check.verdict, check.verdict)),
        findings=_finding_rows(check.findings),
    )


def _refused(principal: Principal, asked: str) -> None:
    """``ACCESS_REFUSED`` (``applications.view``) for an application a signed-in person may
    not open. An unknown number is recorded like one out of reach, as the page answers both
    with the same 404: the trail does not tell which numbers exist either."""
    if not is_signed_in(principal):
        return
    record_refusal(
        actor=Actor.of_principal(principal),
        action="applications.view",
        object_type="application",
        object_id=asked,
    )


def application_detail(
    application_no: str = "",
    *,
    principal: Principal,
    policy_id: int | None = None,
) -> ApplicationView:
    """One application visible to ``principal``, by its number or its ``policy_id``: product,
    channel, seller, parties (masked), the latest gate verdict with every finding, the
    gate-check history and the supplement request. Writes one ``VIEW_PERSONAL_DATA`` audit
    event with the principal's stated purpose (the parties are personal data, even masked).
    ``Http404`` when unknown or not visible."""
    policies = visible_to(principal=principal, action="applications.view").select_related(
        "product", "seller", "payer_account"
    )
    asked = str(policy_id) if policy_id is not None else (application_no or "").strip()
    if policy_id is not None:
        if not 0 < policy_id < 2**63:
            _refused(principal, asked)
            raise Http404("application")
        policies = policies.filter(pk=policy_id)
    else:
        application_no = (application_no or "").strip()
        if not application_no or len(application_no) > 40:
            _refused(principal, asked)
            raise Http404("application")
        policies = policies.filter(application_no=application_no)
    policy = policies.first()
    if policy is None:
        _refused(principal, asked)
        raise Http404("application")

    masks = mask_policy()
    view = ApplicationView(
        application_no=policy.application_no,
        policy_no=policy.policy_no or "",
        product=policy.product.label(),
        product_type=str(policy.product.get_type_display()),
        channel=str(policy.get_channel_display()),
        seller=str(policy.seller) if policy.seller else policy.seller_code,
        status=str(policy.get_status_display()),
        verdict=policy.verdict,
        verdict_label=str(VERDICTS.get(policy.verdict, policy.verdict)),
        applied_on=policy.applied_on,
        payer_account=(
            mask(policy.payer_account.number, "account", masks) if policy.payer_account else ""
        ),
    )
    roles = (
        PolicyRole.objects.filter(policy=policy)
        .select_related("customer")
        .prefetch_related("customer__documents", "customer__phones")
    )
    for role in roles:
        customer = role.customer
        docs = list(customer.documents.all()) if customer else []
        phones = list(customer.phones.all()) if customer else []
        view.parties.append(
            PartyRow(
                role=str(role.get_role_display()),
                relation=relation_label(role.relation),
                name=role.name or (customer.name if customer else ""),
                customer_id=customer.pk if customer else None,
                id_number=mask(docs[0].number, "id_number", masks) if docs else "",
                phone=mask(phones[0].number, "phone", masks) if phones else "",
                share=role.share,
            )
        )
    view.checks = [_check_row(c) for c in policy.gate_checks.order_by("-checked_at", "-pk")]
    view.latest = view.checks[0] if view.checks else None
    request = SupplementRequest.objects.filter(policy=policy).order_by("-opened_at", "-pk").first()
    if request is not None:
        view.supplement = SupplementView(
            status=request.status,
            status_label=str(request.get_status_display()),
            opened_at=request.opened_at,
            closed_at=request.closed_at,
            items=_finding_rows(
                [{**item, "severity": item.get("severity", "error")} for item in request.items]
            ),
        )
    view.service = service_view(policy, as_of=timezone.localdate())
    holder = next((r.customer_id for r in roles if r.role == "policyholder"), None)
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.VIEW_PERSONAL_DATA,
            object_type="policy",
            object_id=str(policy.pk),
            customer_id=holder,
            purpose=principal.purpose,
            detail={"application_no": policy.application_no},
        ),
    )
    return view
