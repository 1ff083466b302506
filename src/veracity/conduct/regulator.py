"""The quarterly report to the regulator (SF-5, D1.22, D1.23, RP-3; reviewed per D4.13).

What the report holds, for one quarter (``core.quarters``: ``2026Q4`` is 10-01 to 12-31):

- the **sellers** (agents, bancassurance specialists) and the **agencies** found in the
  quarter to have supplied false customer data: penalties in force (``Penalty.IN_FORCE``:
  approved, or imported as decided in the sales-management system) with a reason in
  ``core.conduct.FALSE_DATA_REASONS`` **decided** in the quarter (``decided_on``), and verified
  escalations for false data (``cases.Escalation`` with ``misconduct`` in those reasons),
  counted on the day their item was verified — ``Escalation.escalated_at`` is written by
  ``cases.services.problem_item_verify`` at the verification, in the same transaction as the
  verify step;
- the **agencies that refused to supply true data** (``refused_true_data``), by the same
  two sources;
- for each: code, name, kind, channel, the reasons, the measures taken (a penalty's measure; a
  verified escalation is the referral to channel management and compliance, ``escalated``),
  the first and last date of those decisions, and the **number of policies**: the distinct
  policies *named* by those penalties (``Penalty.policies``) and escalations (the members of
  the escalated item with a policy) that are the seller's own (``Policy.seller``) or placed
  through the agency (``Policy.agency``). A policy named by both a penalty and an escalation
  counts once; a policy of someone else named by the same item does not count. The channel
  is the channel of most of those policies (all of them in ``channels``), or the seller kind's
  own channel when no policy is named.

The figures are grouped in the database (one query per source, one for the policies), so a
quarter of a 10-million-customer book is built in seconds (``benchmarks/regulator.py``).

The life of an edition: **prepare** (``regulator_report.prepare``: channel management or
compliance) takes the data as of now (``cut_off``) into a new edition and submits it for
**review** on the approvals engine: two parallel steps, the customer information manager and
the customer service manager (D4.13). When both approve the edition is **released** (the
engine's outcome hook, inside the deciding transaction): its files (json, xlsx, pdf) are made
once and kept with their hashes, the reviewers are recorded, and from then on nothing of it
changes — a change is a **correction**: a new edition (n + 1, ``correction_of``, a reason)
reviewed the same way; on its release the old edition is ``superseded``. A return by either
reviewer ends the edition (``rejected``); preparing again makes the next edition. The general
office (``regulator_report.file``) is told of every release and records the filings with the
regulator (保监局) and the industry association (保险行业协会).

Every refused attempt is written to the audit trail (``ACCESS_REFUSED``) and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import wraps
from typing import Any, Final, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from veracity.access.policy import record_refusal
from veracity.approvals import services as approvals
from veracity.approvals.models import ApprovalDecision, ApprovalRequest
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import Escalation, ProblemItemMember
from veracity.conduct import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.conduct.models import (
    Penalty,
    RegulatorFiling,
    RegulatorReport,
    RegulatorReportFile,
)
from veracity.core.approvals import CUSTOMER_SERVICE_MANAGER, INFORMATION_MANAGER, Plan
from veracity.core.conduct import FALSE_DATA_REASONS, Reason
from veracity.core.quarters import Quarter, parse_quarter
from veracity.core.refusals import Refusal
from veracity.notify.services import tell
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user
from veracity.org.roles import RoleName
from veracity.policies.models import Channel, Policy
from veracity.sales.models import Seller, SellerKind

__all__ = [
    "APPROVAL_KIND",
    "FORMATS",
    "OWNER",
    "PLAN",
    "REFUSED_TRUE_DATA",
    "REPORTED_REASONS",
    "Made",
    "approval_of",
    "canonical_json",
    "may_review",
    "regulator_report_build",
    "regulator_report_correct",
    "regulator_report_download",
    "regulator_report_export",
    "regulator_report_file",
    "regulator_report_prepare",
    "regulator_report_release",
    "regulator_report_review",
    "reports_visible",
    "review_steps",
]

#: The owner label of the report's approvals on the engine (and its audit object type).
OWNER: Final = "regulator_report"
APPROVAL_KIND: Final = "conduct.regulator_report"
#: D4.13: the information manager and the customer service manager, in either order.
PLAN: Final = Plan.parallel(INFORMATION_MANAGER, CUSTOMER_SERVICE_MANAGER)

REFUSED_TRUE_DATA: Final = Reason.REFUSED_TRUE_DATA
#: Every reason the report counts: false data (sellers and agencies), refusal (agencies).
REPORTED_REASONS: Final = frozenset(FALSE_DATA_REASONS | {REFUSED_TRUE_DATA})
#: The measure of a verified escalation: referred to channel management and compliance.
ESCALATED: Final = "escalated"
FORMATS: Final = ("json", "xlsx", "pdf")
MAX_TEXT: Final = 2000

#: The channel of a seller with no policy named, by kind.
KIND_CHANNEL: Final = {
    SellerKind.AGENT.value: Channel.AGENCY.value,
    SellerKind.BANCA_SPECIALIST.value: Channel.BANCASSURANCE.value,
    SellerKind.AGENCY.value: Channel.INTERMEDIARY.value,
}

_REASON_ORDER: Final = {r.value: i for i, r in enumerate(Reason)}
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- the content -----------------------------------------------------------------------------


def _day_bounds(quarter: Quarter) -> tuple[datetime, datetime]:
    """The quarter as aware datetimes in the local time zone: [first day 00:00, next 00:00)."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(quarter.first_day, time.min), zone)
    end = timezone.make_aware(datetime.combine(quarter.next().first_day, time.min), zone)
    return start, end


def _penalties(quarter: Quarter) -> Any:
    return Penalty.objects.filter(
        status__in=Penalty.IN_FORCE,
        decided_on__gte=quarter.first_day,
        decided_on__lte=quarter.last_day,
        reason__in=sorted(REPORTED_REASONS),
    )


def _escalations(quarter: Quarter, cut_off: datetime) -> Any:
    start, end = _day_bounds(quarter)
    return Escalation.objects.filter(
        misconduct__in=sorted(REPORTED_REASONS),
        escalated_at__gte=start,
        escalated_at__lt=min(end, cut_off),
    )


def _policy_counts(quarter: Quarter, cut_off: datetime) -> dict[int, dict[str, int]]:
    """seller id → channel → distinct policies named by the quarter's penalties and
    escalations that are the seller's own or placed through the agency (grouped in the
    database over the union of both sources)."""
    ops = connection.ops
    qn = connection.ops.quote_name
    through = Penalty.policies.through._meta.db_table
    penalty = Penalty._meta.db_table
    escalation = Escalation._meta.db_table
    member = ProblemItemMember._meta.db_table
    policy = Policy._meta.db_table
    reasons = sorted(REPORTED_REASONS)
    marks = ", ".join(["%s"] * len(reasons))
    statuses = [str(s) for s in Penalty.IN_FORCE]
    start, end = _day_bounds(quarter)
    # only quoted table and column names are formatted in; every value is a parameter
    sql = f"""
        SELECT u.s, p.{qn("channel")}, COUNT(*)
        FROM (
            SELECT pe.{qn("seller_id")} AS s, pp.{qn("policy_id")} AS p
            FROM {qn(through)} pp
            JOIN {qn(penalty)} pe ON pe.{qn("id")} = pp.{qn("penalty_id")}
            WHERE pe.{qn("status")} IN (%s, %s)
              AND pe.{qn("decided_on")} >= %s AND pe.{qn("decided_on")} <= %s
              AND pe.{qn("reason")} IN ({marks})
            UNION
            SELECT e.{qn("seller_id")} AS s, m.{qn("policy_id")} AS p
            FROM {qn(escalation)} e
            JOIN {qn(member)} m ON m.{qn("item_id")} = e.{qn("item_id")}
            WHERE m.{qn("policy_id")} IS NOT NULL
              AND e.{qn("misconduct")} IN ({marks})
              AND e.{qn("escalated_at")} >= %s AND e.{qn("escalated_at")} < %s
        ) u
        JOIN {qn(policy)} p ON p.{qn("id")} = u.p
        WHERE p.{qn("seller_id")} = u.s OR p.{qn("agency_id")} = u.s
        GROUP BY u.s, p.{qn("channel")}
    """  # noqa: S608
    params: list[Any] = [
        *statuses,
        ops.adapt_datefield_value(quarter.first_day),
        ops.adapt_datefield_value(quarter.last_day),
        *reasons,
        *reasons,
        ops.adapt_datetimefield_value(start),
        ops.adapt_datetimefield_value(min(end, cut_off)),
    ]
    found: dict[int, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for seller_id, channel, count in cursor.fetchall():
            found[int(seller_id)][str(channel)] = int(count)
    return found


def _local_day(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def regulator_report_build(quarter: Quarter, *, cut_off: datetime) -> dict[str, Any]:
    """The report's content for ``quarter`` from the data as of ``cut_off`` (the module's
    docstring says what is counted): ``{"quarter", "first_day", "last_day", "cut_off",
    "sellers": [...], "agencies": [...], "counts"}``, each entry ``{"code", "name", "kind",
    "channel", "channels", "reasons", "measures", "policies", "penalties", "escalations",
    "first_on", "last_on", "decisions", "agency"}``, sorted by code. A read: no check, no
    audit — the services below ask and record."""
    decisions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    penalty_groups = (
        _penalties(quarter)
        .values("seller_id", "reason", "measure")
        .annotate(n=Count("id"), first=Min("decided_on"), last=Max("decided_on"))
        .order_by()
    )
    for row in penalty_groups:
        decisions[row["seller_id"]].append(
            {
                "source": "penalty",
                "reason": row["reason"],
                "measure": row["measure"],
                "count": row["n"],
                "first_on": _local_day(row["first"]),
                "last_on": _local_day(row["last"]),
            }
        )
    escalation_groups = (
        _escalations(quarter, cut_off)
        .values("seller_id", "misconduct")
        .annotate(n=Count("id"), first=Min("escalated_at"), last=Max("escalated_at"))
        .order_by()
    )
    for row in escalation_groups:
        decisions[row["seller_id"]].append(
            {
                "source": "escalation",
                "reason": row["misconduct"],
                "measure": ESCALATED,
                "count": row["n"],
                "first_on": _local_day(row["first"]),
                "last_on": _local_day(row["last"]),
            }
        )
    policies = _policy_counts(quarter, cut_off)
    sellers = (
        Seller.objects.filter(
            Q(pk__in=_penalties(quarter).values("seller_id"))
            | Q(pk__in=_escalations(quarter, cut_off).values("seller_id"))
        )
        .values("id", "code", "name", "kind", "terminated_on", "agency__code", "agency__name")
        .order_by("code")
    )
    people: list[dict[str, Any]] = []
    agencies: list[dict[str, Any]] = []
    for seller in sellers.iterator(chunk_size=2000):
        found = sorted(
            decisions.get(seller["id"], []),
            key=lambda d: (d["first_on"], _REASON_ORDER.get(d["reason"], 99), d["measure"]),
        )
        if not found:
            continue
        channels = policies.get(seller["id"], {})
        ordered = sorted(channels, key=lambda c: (-channels[c], c))
        entry = {
            "code": seller["code"],
            "name": seller["name"],
            "kind": seller["kind"],
            "channel": ordered[0] if ordered else KIND_CHANNEL.get(seller["kind"], ""),
            "channels": ordered,
            "reasons": sorted({d["reason"] for d in found}, key=lambda r: _REASON_ORDER[r]),
            "measures": list(dict.fromkeys(d["measure"] for d in found)),
            "policies": sum(channels.values()),
            "penalties": sum(d["count"] for d in found if d["source"] == "penalty"),
            "escalations": sum(d["count"] for d in found if d["source"] == "escalation"),
            "first_on": min(d["first_on"] for d in found),
            "last_on": max(d["last_on"] for d in found),
            "terminated_on": _local_day(seller["terminated_on"])
            if seller["terminated_on"]
            else None,
            "decisions": found,
        }
        if seller["kind"] == SellerKind.AGENCY:
            agencies.append(entry)
        else:
            entry["agency"] = (
                {"code": seller["agency__code"], "name": seller["agency__name"]}
                if seller["agency__code"]
                else None
            )
            people.append(entry)
    return {
        "quarter": quarter.name,
        "first_day": quarter.first_day.isoformat(),
        "last_day": quarter.last_day.isoformat(),
        "cut_off": timezone.localtime(cut_off).isoformat(timespec="seconds"),
        "sellers": people,
        "agencies": agencies,
        "counts": {
            "sellers": len(people),
            "agencies": len(agencies),
            "refused_true_data": sum(1 for a in agencies if REFUSED_TRUE_DATA in a["reasons"]),
        },
    }


def canonical_json(value: Any) -> bytes:
    """The one byte form of a content (sorted keys, no spaces, UTF-8): what is hashed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- who may -----------------------------------------------------------------------------------


class RegulatorRefusal(Refusal):
    """A refused step of the report, with what the audit trail records of it: ``action`` and
    the edition (``report``). Raised inside a service's transaction; :func:`_records_refusals`
    writes it to the trail after that transaction is rolled back (so the record stays and
    nothing else does)."""

    action: str = ""
    report: str = "-"


def _refuse(
    principal: Principal, code: str, field: str = "", *, action: str, report: Any = None, **p: Any
) -> RegulatorRefusal:
    refusal = RegulatorRefusal(code, field, **p)
    refusal.action = action
    refusal.report = str(getattr(report, "pk", report) or "-")
    return refusal


F = TypeVar("F", bound=Callable[..., Any])


def _records_refusals(service: F) -> F:
    """Write every refusal of ``service`` to the audit trail (``ACCESS_REFUSED``) once its
    own transaction has been rolled back, then raise it."""

    @wraps(service)
    def wrapped(*args: Any, principal: Principal, **kwargs: Any) -> Any:
        try:
            return service(*args, principal=principal, **kwargs)
        except RegulatorRefusal as refusal:
            record_refusal(
                actor=Actor.of_principal(principal),
                action=refusal.action,
                object_type=OWNER,
                object_id=refusal.report,
                detail={"code": refusal.code, "field": refusal.field},
            )
            raise

    return wrapped  # type: ignore[return-value]


def _require(principal: Principal, action: str, code: str, report: Any = None) -> None:
    if not may(principal, action):
        raise _refuse(principal, code, "principal", action=action, report=report)


def _report(
    principal: Principal, report_id: int, action: str, *, lock: bool = False
) -> RegulatorReport:
    rows = RegulatorReport.objects.select_for_update() if lock else RegulatorReport.objects.all()
    report = rows.filter(pk=report_id).first() if isinstance(report_id, int) else None
    if report is None:
        raise _refuse(principal, "regulator.unknown_report", "report", action=action)
    return report


@_records_refusals
def reports_visible(*, principal: Principal) -> Any:
    """Every edition, newest quarter and edition first, for one who may see the report
    (refused ``regulator.view`` otherwise)."""
    _require(principal, "regulator_report.view", "regulator.view")
    return RegulatorReport.objects.select_related("prepared_by", "correction_of").order_by(
        "-quarter", "-edition"
    )


def _text(
    principal: Principal,
    value: str | None,
    field: str,
    action: str,
    report: Any,
    limit: int = MAX_TEXT,
) -> str:
    text = unicodedata.normalize("NFC", (value if isinstance(value, str) else "")).strip()
    if len(text) > limit:
        raise _refuse(
            principal, "regulator.too_long", field, action=action, report=report, limit=limit
        )
    if _CONTROL.search(text):
        raise _refuse(
            principal, "regulator.control_characters", field, action=action, report=report
        )
    return text


# --- prepare, correct ------------------------------------------------------------------------


def _open_edition(
    *,
    principal: Principal,
    quarter: Quarter,
    now: datetime,
    correction_of: RegulatorReport | None = None,
    reason: str = "",
) -> RegulatorReport:
    """A new edition of ``quarter`` with the data as of ``now``, submitted for review."""
    last = RegulatorReport.objects.filter(quarter=quarter.name).aggregate(n=Max("edition"))["n"]
    content = regulator_report_build(quarter, cut_off=now)
    report = RegulatorReport.objects.create(
        quarter=quarter.name,
        edition=(last or 0) + 1,
        status=RegulatorReport.Status.DRAFT,
        cut_off=now,
        content=content,
        content_sha256=_sha256(canonical_json(content)),
        correction_of=correction_of,
        correction_reason=reason,
        prepared_by=acting_user(principal),
        prepared_at=now,
    )
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.CREATE,
            object_type=OWNER,
            object_id=str(report.pk),
            detail={
                "quarter": report.quarter,
                "edition": report.edition,
                "content_sha256": report.content_sha256,
                **({"correction_of": correction_of.pk} if correction_of else {}),
            },
        ),
    )
    # submitted for review at once: the draft is what the reviewers see
    approvals.approval_open(
        kind=APPROVAL_KIND, plan=PLAN, principal=principal, owner_label=OWNER, owner_id=report.pk
    )
    report.status = RegulatorReport.Status.IN_REVIEW
    report.save(update_fields=["status"])
    return report


def _check_quarter_free(
    principal: Principal, quarter: Quarter, action: str, *, correcting: bool = False
) -> None:
    busy = RegulatorReport.objects.select_for_update().filter(quarter=quarter.name)
    statuses = set(busy.values_list("status", flat=True))
    if RegulatorReport.Status.IN_REVIEW in statuses:
        raise _refuse(principal, "regulator.in_review", "quarter", action=action)
    if not correcting and RegulatorReport.Status.RELEASED in statuses:
        raise _refuse(principal, "regulator.released", "quarter", action=action)


def _parsed_quarter(principal: Principal, text: str | Quarter, action: str) -> Quarter:
    if isinstance(text, Quarter):
        return text
    try:
        return parse_quarter(text)
    except Refusal as refusal:
        raise _refuse(
            principal, refusal.code, "quarter", action=action, **dict(refusal.params)
        ) from None


@_records_refusals
def regulator_report_prepare(
    *, principal: Principal, quarter: str | Quarter, now: datetime | None = None
) -> RegulatorReport:
    """Channel management or compliance (``regulator_report.prepare``) takes the data of
    ``quarter`` as of now into a new edition and submits it for review. Refused while an
    edition of the quarter is under review (``regulator.in_review``) and once one is
    released (``regulator.released``: a change is a correction)."""
    action = "regulator_report.prepare"
    _require(principal, action, "regulator.prepare")
    if acting_user(principal) is None:
        raise _refuse(principal, "regulator.prepare", "principal", action=action)
    parsed = _parsed_quarter(principal, quarter, action)
    with transaction.atomic():
        _check_quarter_free(principal, parsed, action)
        return _open_edition(principal=principal, quarter=parsed, now=now or timezone.now())


@_records_refusals
def regulator_report_correct(
    *, principal: Principal, report_id: int, reason: str, now: datetime | None = None
) -> RegulatorReport:
    """A correction of the released edition ``report_id``: a new edition with the data as of
    now, ``correction_of`` the old one and ``reason``, reviewed as the first was; the old
    edition stays released until the correction is (then it is ``superseded``)."""
    action = "regulator_report.prepare"
    _require(principal, action, "regulator.prepare", report_id)
    with transaction.atomic():
        old = _report(principal, report_id, action, lock=True)
        if old.status == RegulatorReport.Status.SUPERSEDED:
            raise _refuse(principal, "regulator.superseded", "report", action=action, report=old)
        if old.status != RegulatorReport.Status.RELEASED:
            raise _refuse(principal, "regulator.not_released", "report", action=action, report=old)
        text = _text(principal, reason, "reason", action, old)
        if not text:
            raise _refuse(
                principal, "regulator.reason_required", "reason", action=action, report=old
            )
        quarter = parse_quarter(old.quarter)
        _check_quarter_free(principal, quarter, action, correcting=True)
        return _open_edition(
            principal=principal,
            quarter=quarter,
            now=now or timezone.now(),
            correction_of=old,
            reason=text,
        )


# --- review and release ----------------------------------------------------------------------

#: The engine's refusals, as this report words them.
_FROM_ENGINE: Final = {
    "approval.closed": "regulator.not_in_review",
    "approval.step_decided": "regulator.step_decided",
    "approval.unknown_step": "regulator.step_decided",
    "approval.unknown_request": "regulator.unknown_report",
    "approval.own_request": "regulator.own_report",
    "approval.second_step": "regulator.already_reviewed",
    "approval.out_of_order": "regulator.step_decided",
    "approval.not_decider": "regulator.not_reviewer",
    "approval.reason_required": "regulator.rejection_reason",
    "approval.nobody": "regulator.review",
}


def approval_of(report: RegulatorReport) -> ApprovalRequest | None:
    return approvals.approval_for(OWNER, report.pk)


def review_steps(report: RegulatorReport) -> list[dict[str, Any]]:
    """The two reviews of ``report``: each step's label and, once decided, who, when,
    approve or return, and the reason."""
    decided = {
        d.step: d
        for d in ApprovalDecision.objects.filter(
            request__owner_label=OWNER, request__owner_id=report.pk
        ).select_related("decider")
    }
    steps = []
    for step in PLAN.steps:
        decision = decided.get(step.name)
        steps.append(
            {
                "name": step.name,
                "label_zh": step.label_zh,
                "label_en": step.label_en,
                "decision": decision,
            }
        )
    return steps


def may_review(report: RegulatorReport, *, principal: Principal) -> bool:
    if report.status != RegulatorReport.Status.IN_REVIEW:
        return False
    if not may(principal, "regulator_report.review"):
        return False
    approval = approval_of(report)
    return approval is not None and bool(approvals.decidable_steps(approval, principal=principal))


@_records_refusals
def regulator_report_review(
    *, principal: Principal, report_id: int, approve: bool, reason: str = ""
) -> RegulatorReport:
    """The information manager or the customer service manager (``regulator_report.review``)
    approves or returns an edition under review; the second approval releases it (the
    outcome hook), a return ends it. Nobody reviews twice, nor their own report."""
    action = "regulator_report.review"
    _require(principal, action, "regulator.review", report_id)
    with transaction.atomic():
        report = _report(principal, report_id, action, lock=True)
        if report.status in (RegulatorReport.Status.RELEASED, RegulatorReport.Status.SUPERSEDED):
            raise _refuse(principal, "regulator.frozen", "report", action=action, report=report)
        approval = approval_of(report)
        if report.status != RegulatorReport.Status.IN_REVIEW or approval is None:
            raise _refuse(
                principal, "regulator.not_in_review", "report", action=action, report=report
            )
        text = _text(principal, reason, "reason", action, report)
        try:
            with transaction.atomic():
                approvals.approval_decide(
                    request_id=approval.pk, principal=principal, approve=approve, reason=text
                )
        except Refusal as refusal:
            key = _FROM_ENGINE.get(refusal.code, "regulator.review")
            raise _refuse(
                principal,
                key,
                "reason" if key == "regulator.rejection_reason" else "report",
                action=action,
                report=report,
                **dict(refusal.params),
            ) from None
        report.refresh_from_db()
    return report


def _outcome(approval: ApprovalRequest, status: str) -> None:
    """The outcome of an edition's review, in the deciding transaction: both approved →
    released; returned → rejected."""
    report = RegulatorReport.objects.select_for_update().get(pk=approval.owner_id)
    if status == ApprovalRequest.Status.APPROVED:
        _release(report, approval)
    elif report.status == RegulatorReport.Status.IN_REVIEW:
        report.status = RegulatorReport.Status.REJECTED
        report.save(update_fields=["status"])


approvals.on_outcome(APPROVAL_KIND, _outcome, in_transaction=True)
approvals.on_step_waiting(
    APPROVAL_KIND,
    waiting="regulator_report_waiting",
    decided="regulator_report_decided",
    link="/regulator-reports/{id}/",
)


def _approved(report: RegulatorReport, approval: ApprovalRequest | None) -> bool:
    if approval is None or approval.status != ApprovalRequest.Status.APPROVED:
        return False
    decided = {d.step for d in approval.decisions.all() if d.approve}
    return all(step.name in decided for step in PLAN.steps)


def _release(report: RegulatorReport, approval: ApprovalRequest) -> None:
    from veracity.conduct.regulator_files import render

    if not _approved(report, approval) or report.status != RegulatorReport.Status.IN_REVIEW:
        raise Refusal("regulator.not_approved", "report")
    now = timezone.now()
    decisions = list(approval.decisions.select_related("decider").order_by("decided_at", "id"))
    reviewers_users = [d.decider for d in decisions]
    reviewers = [
        {
            "step": d.step,
            "name": d.decider.get_full_name() or d.decider.get_username(),
            "username": d.decider.get_username(),
            "at": timezone.localtime(d.decided_at).isoformat(timespec="seconds"),
        }
        for d in decisions
    ]
    report.status = RegulatorReport.Status.RELEASED
    report.released_at = now
    report.reviewers = reviewers
    hashes = {}
    for fmt in FORMATS:
        data = render(report, fmt)
        digest = _sha256(data)
        RegulatorReportFile.objects.create(report=report, format=fmt, data=data, sha256=digest)
        hashes[fmt] = digest
    report.files = hashes
    report.save(update_fields=["status", "released_at", "reviewers", "files"])
    if report.correction_of_id is not None:
        RegulatorReport.objects.filter(
            pk=report.correction_of_id, status=RegulatorReport.Status.RELEASED
        ).update(status=RegulatorReport.Status.SUPERSEDED)
    audit_record(
        actor=Actor.of(reviewers_users[-1] if reviewers_users else None),
        event=Event(
            action=Action.CHANGE,
            object_type=OWNER,
            object_id=str(report.pk),
            detail={"released": True, "files": hashes, "content_sha256": report.content_sha256},
        ),
    )
    office = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=RoleName.GENERAL_OFFICE)
        .distinct()
    )
    tell(
        [*office, report.prepared_by],
        "regulator_report_released",
        {"quarter": report.quarter, "edition": report.edition},
        link=f"/regulator-reports/{report.pk}/",
        object_type=OWNER,
        object_id=report.pk,
    )


@_records_refusals
def regulator_report_release(*, principal: Principal, report_id: int) -> RegulatorReport:
    """Release an edition whose two reviews are both approved. The release happens by itself
    at the second approval; asked for before that it is refused (``regulator.not_approved``),
    and a released edition is not released again (``regulator.frozen``) — nothing changes."""
    action = "regulator_report.prepare"
    _require(principal, action, "regulator.prepare", report_id)
    with transaction.atomic():
        report = _report(principal, report_id, action, lock=True)
        if report.status in (RegulatorReport.Status.RELEASED, RegulatorReport.Status.SUPERSEDED):
            raise _refuse(principal, "regulator.frozen", "report", action=action, report=report)
        approval = approval_of(report)
        if not _approved(report, approval) or report.status != RegulatorReport.Status.IN_REVIEW:
            raise _refuse(
                principal, "regulator.not_approved", "report", action=action, report=report
            )
        assert approval is not None
        _release(report, approval)
    return report


# --- downloads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """A file of the report: its bytes, its name, and the edition it is (None: unreleased)."""

    data: bytes
    filename: str
    content_type: str
    edition: int | None
    sha256: str


CONTENT_TYPES: Final = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _format(principal: Principal, fmt: str, action: str, report: Any = None) -> str:
    if fmt not in FORMATS:
        raise _refuse(principal, "regulator.format", "format", action=action, report=report)
    return fmt


def _frozen_file(principal: Principal, report: RegulatorReport, fmt: str, via: str) -> Made:
    action = "regulator_report.view"
    if report.status not in (RegulatorReport.Status.RELEASED, RegulatorReport.Status.SUPERSEDED):
        raise _refuse(principal, "regulator.not_released", "report", action=action, report=report)
    stored = RegulatorReportFile.objects.filter(report=report, format=fmt).first()
    data = bytes(stored.data) if stored is not None else b""
    recorded = (report.files or {}).get(fmt)
    if stored is None or not recorded or _sha256(data) != recorded or stored.sha256 != recorded:
        raise _refuse(principal, "regulator.file_mismatch", "file", action=action, report=report)
    _audit_download(principal, report.pk, fmt, via, recorded)
    return Made(
        data=data,
        filename=f"regulator-report-{report.quarter}-{report.edition}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        edition=report.edition,
        sha256=recorded,
    )


def _audit_download(principal: Principal, report_id: Any, fmt: str, via: str, digest: str) -> None:
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.EXPORT,
            object_type=OWNER,
            object_id=str(report_id or "-"),
            detail={"format": fmt, "via": via, "sha256": digest},
        ),
    )


@_records_refusals
def regulator_report_download(
    *, principal: Principal, report_id: int, fmt: str, via: str = "web"
) -> Made:
    """The frozen file ``fmt`` of a released (or superseded) edition, after checking its bytes
    against the hash recorded at release (``regulator.file_mismatch`` otherwise)."""
    action = "regulator_report.view"
    _require(principal, action, "regulator.view", report_id)
    fmt = _format(principal, fmt, action, report_id)
    report = _report(principal, report_id, action)
    return _frozen_file(principal, report, fmt, via)


@_records_refusals
def regulator_report_export(
    *,
    principal: Principal,
    quarter: str | Quarter,
    fmt: str,
    edition: int | None = None,
    via: str = "cli",
    now: datetime | None = None,
) -> Made:
    """The report of ``quarter`` as ``fmt``, for one who may see it: the released edition
    (``edition``, or the one in force) as frozen; with no edition released, the report built
    now from the data as of now, marked unreleased (nothing is stored)."""
    from veracity.conduct.regulator_files import render_content

    action = "regulator_report.view"
    _require(principal, action, "regulator.view")
    fmt = _format(principal, fmt, action)
    parsed = _parsed_quarter(principal, quarter, action)
    editions = RegulatorReport.objects.filter(quarter=parsed.name)
    if edition is not None:
        report = editions.filter(edition=edition).first()
        if report is None:
            raise _refuse(principal, "regulator.unknown_report", "edition", action=action)
        return _frozen_file(principal, report, fmt, via)
    released = editions.filter(status=RegulatorReport.Status.RELEASED).order_by("-edition").first()
    if released is not None:
        return _frozen_file(principal, released, fmt, via)
    cut_off = now or timezone.now()
    content = regulator_report_build(parsed, cut_off=cut_off)
    data = render_content(content, fmt, meta={"status": "unreleased", "edition": None})
    digest = _sha256(data)
    _audit_download(principal, None, fmt, via, digest)
    return Made(
        data=data,
        filename=f"regulator-report-{parsed.name}-unreleased.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        edition=None,
        sha256=digest,
    )


# --- filings -------------------------------------------------------------------------------


@_records_refusals
def regulator_report_file(
    *,
    principal: Principal,
    report_id: int,
    recipient: str,
    filed_on: date | str,
    means: str,
    reference: str = "",
    today: date | None = None,
) -> RegulatorFiling:
    """The general office (``regulator_report.file``) records that a released edition was
    filed with ``recipient`` (the regulator or the industry association) on ``filed_on``, by
    ``means``, under ``reference``. Once per edition and recipient."""
    action = "regulator_report.file"
    _require(principal, action, "regulator.file", report_id)
    with transaction.atomic():
        report = _report(principal, report_id, action, lock=True)
        if report.status == RegulatorReport.Status.SUPERSEDED:
            raise _refuse(principal, "regulator.superseded", "report", action=action, report=report)
        if report.status != RegulatorReport.Status.RELEASED:
            raise _refuse(
                principal, "regulator.not_released", "report", action=action, report=report
            )
        if recipient not in RegulatorFiling.Recipient.values:
            raise _refuse(
                principal, "regulator.recipient", "recipient", action=action, report=report
            )
        day: date | None = None
        if isinstance(filed_on, date):
            day = filed_on
        elif isinstance(filed_on, str) and len(filed_on.strip()) == 10:
            try:
                day = date.fromisoformat(filed_on.strip())
            except ValueError:
                day = None
        if not isinstance(day, date):
            raise _refuse(principal, "regulator.date", "filed_on", action=action, report=report)
        if day > (today or timezone.localdate()):
            raise _refuse(
                principal, "regulator.date_future", "filed_on", action=action, report=report
            )
        if report.released_at and day < timezone.localtime(report.released_at).date():
            raise _refuse(
                principal, "regulator.date_before_release", "filed_on", action=action, report=report
            )
        how = _text(principal, means, "means", action, report, limit=100)
        if not how:
            raise _refuse(
                principal, "regulator.means_required", "means", action=action, report=report
            )
        ref = _text(principal, reference, "reference", action, report, limit=100)
        if RegulatorFiling.objects.filter(report=report, recipient=recipient).exists():
            raise _refuse(
                principal, "regulator.already_filed", "recipient", action=action, report=report
            )
        filing = RegulatorFiling.objects.create(
            report=report,
            recipient=recipient,
            filed_on=day,
            means=how,
            reference=ref,
            recorded_by=acting_user(principal),
        )
        audit_record(
            actor=Actor.of_principal(principal),
            event=Event(
                action=Action.CREATE,
                object_type="regulator_filing",
                object_id=str(filing.pk),
                detail={"report": report.pk, "recipient": recipient, "filed_on": day.isoformat()},
            ),
        )
    return filing
