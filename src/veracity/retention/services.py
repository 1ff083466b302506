"""Retention, legal holds, destruction and archive inspection: the use cases.

Every service checks who acts, refuses an illegal step with a ``RetentionError`` (a stable
code, the field, a Chinese and an English message) before changing anything, runs in one
transaction and writes its audit event in that same transaction.

Destruction (D4.25, PIPL Art. 47): a request names records past their retention period
that are neither under legal hold nor on an open problem item; the customer information
manager and the customer service manager approve it — two different people, neither of them
the requester; either may reject it with a reason. Executing an approved request re-checks
every record (a hold placed or a rule lengthened since keeps the record, listed on the
certificate), destroys the rest (``veracity.retention.destruction``), writes the certificate
and one audit event. A second execution changes nothing and returns the same certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import get_language

from veracity.access.roles import RoleName, roles_of
from veracity.approvals import services as approvals
from veracity.approvals.models import ApprovalDecision, ApprovalRequest
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import ProblemItem
from veracity.core.approvals import DESTRUCTION_PLAN
from veracity.core.refusals import CATALOGUE, Entry, Kind, Refusal, register
from veracity.customers.models import Customer
from veracity.customers.numbers import archive_no_of_id
from veracity.org.actions import roles_for
from veracity.org.principals import Principal, acting_user, is_system_reader
from veracity.retention import destruction
from veracity.retention.inspection import inspection_period, inspection_results
from veracity.retention.models import (
    DESTRUCTION_OWNER,
    METHOD,
    DestructionCertificate,
    DestructionItem,
    DestructionRequest,
    InspectionRecord,
    ItemKind,
    LegalHold,
    Outcome,
    RecordClass,
    RetentionRule,
    Step,
)
from veracity.retention.selectors import (
    CUSTOMER_CLASSES,
    active_holds,
    due_queryset,
    rules,
)

#: Who runs retention: places holds, asks for and carries out destruction, inspects.
MANAGE_ROLES: Final = roles_for("retention.act")
#: One request is destroyed in one transaction; keep it bounded.
MAX_ITEMS: Final = 5000
#: The engine's kind of a destruction request (D4.25: both managers, in either order).
APPROVAL_KIND: Final = "retention.destruction"

# key → (stable code, kind, zh, en); the key is the catalogue's, the code is what callers test.
_REFUSALS: Final[dict[str, tuple[str, Kind, str, str]]] = {
    "retention.not_allowed": (
        "NOT_ALLOWED",
        Kind.FORBIDDEN,
        "您无权{what_zh}",
        "you may not {what_en}",
    ),
    "retention.unknown_class": ("UNKNOWN", Kind.INVALID, "没有这一类记录", "no such record class"),
    "retention.years": (
        "INVALID",
        Kind.INVALID,
        "保管期限应为1至100年",
        "the period is 1 to 100 years",
    ),
    "retention.basis_required": ("REQUIRED", Kind.INVALID, "请说明依据", "state the basis"),
    "retention.hold_reason_required": (
        "REQUIRED",
        Kind.INVALID,
        "请说明保全理由",
        "state the reason for the hold",
    ),
    "retention.lift_reason_required": (
        "REQUIRED",
        Kind.INVALID,
        "请说明解除理由",
        "state why the hold is lifted",
    ),
    "retention.unknown_customer": (
        "UNKNOWN",
        Kind.NOT_FOUND,
        "客户档案不存在",
        "no such customer file",
    ),
    "retention.customer_destroyed": (
        "ALREADY_DESTROYED",
        Kind.CONFLICT,
        "该客户资料已销毁",
        "this customer's data has already been destroyed",
    ),
    "retention.already_held": (
        "ALREADY_HELD",
        Kind.CONFLICT,
        "该客户档案已在保全中",
        "this file is already on hold",
    ),
    "retention.unknown_hold": ("UNKNOWN", Kind.NOT_FOUND, "保全记录不存在", "no such legal hold"),
    "retention.not_held": (
        "NOT_HELD",
        Kind.CONFLICT,
        "该保全已解除",
        "this hold has already been lifted",
    ),
    "retention.destruction_reason_required": (
        "REQUIRED",
        Kind.INVALID,
        "请说明销毁理由",
        "state the reason",
    ),
    "retention.records_required": (
        "REQUIRED",
        Kind.INVALID,
        "请选择要销毁的记录",
        "choose the records to destroy",
    ),
    "retention.too_many": (
        "TOO_MANY",
        Kind.TOO_LARGE,
        "一次申请最多{limit}条记录",
        "one request names at most {limit} records",
    ),
    "retention.unknown_records": (
        "UNKNOWN",
        Kind.INVALID,
        "{what_zh}不存在：{shown}",
        "no such {what_en}: {shown}",
    ),
    "retention.not_due": (
        "NOT_DUE",
        Kind.CONFLICT,
        "{shown_zh}：保管期限未满，不能销毁",
        "{shown_en}: the retention period is not over; it cannot be destroyed",
    ),
    "retention.held": (
        "HELD",
        Kind.CONFLICT,
        "{shown_zh}：处于法律保全中，不得销毁",
        "{shown_en}: under legal hold; never destroyed",
    ),
    "retention.open_problem_item": (
        "OPEN_PROBLEM_ITEM",
        Kind.CONFLICT,
        "{shown_zh}：在未结问题件中，调查结束前不得销毁",
        "{shown_en}: on an open problem item; kept until the investigation ends",
    ),
    "retention.already_destroyed": (
        "ALREADY_DESTROYED",
        Kind.CONFLICT,
        "{shown_zh}：已经销毁",
        "{shown_en}: already destroyed",
    ),
    "retention.already_requested": (
        "ALREADY_REQUESTED",
        Kind.CONFLICT,
        "{shown}：已在另一份待办的销毁申请中",
        "{shown}: already in another open destruction request",
    ),
    "retention.unknown_request": (
        "UNKNOWN",
        Kind.NOT_FOUND,
        "销毁申请不存在",
        "no such destruction request",
    ),
    "retention.not_pending": (
        "NOT_PENDING",
        Kind.CONFLICT,
        "该销毁申请已不在审批中",
        "the request is no longer awaiting approval",
    ),
    "retention.own_request": (
        "OWN_REQUEST",
        Kind.FORBIDDEN,
        "不得审批本人提出的销毁申请",
        "nobody approves their own destruction request",
    ),
    "retention.not_approver": (
        "NOT_APPROVER",
        Kind.FORBIDDEN,
        "销毁须由客户信息主管和客户服务部经理审批",
        "destruction is approved by the customer information manager and the "
        "customer service manager",
    ),
    "retention.same_person": (
        "SAME_PERSON",
        Kind.FORBIDDEN,
        "两项审批须由两位不同人员作出",
        "the two approvals must come from two different people",
    ),
    "retention.step_done": (
        "STEP_DONE",
        Kind.CONFLICT,
        "您这一步已有人审批",
        "your step has already been decided",
    ),
    "retention.rejection_reason": (
        "REQUIRED",
        Kind.INVALID,
        "驳回须说明理由",
        "a rejection needs a reason",
    ),
    "retention.not_approved": (
        "NOT_APPROVED",
        Kind.CONFLICT,
        "销毁申请须经客户信息主管和客户服务部经理批准后方可执行",
        "the request must be approved by the customer information manager and the "
        "customer service manager first",
    ),
    "retention.protected": (
        "PROTECTED",
        Kind.CONFLICT,
        "其他记录仍引用这些资料，未作任何更改（{detail}）",
        "other records still refer to this data; nothing was changed ({detail})",
    ),
    "retention.period": (
        "INVALID",
        Kind.INVALID,
        "检查期间格式应为 2026-H2",
        "the period looks like 2026-H2",
    ),
}
register({key: (kind, zh, en) for key, (_, kind, zh, en) in _REFUSALS.items()})


class RetentionError(Refusal):
    """A refused step; nothing was changed. ``RetentionError(key, field, **params)`` with its
    words from the catalogue; ``code`` is the stable code (``NOT_DUE``, ``HELD`` …)."""

    def __init__(self, key: str, field: str = "", /, **params: Any) -> None:
        super().__init__(key, field, **params)
        self.key = key
        self.code = _REFUSALS[key][0]

    @property
    def entry(self) -> Entry:
        return CATALOGUE[self.key]

    def __str__(self) -> str:
        return f"{self.code} {self.field}: {self.message_en} / {self.message_zh}"

    @property
    def message(self) -> str:
        """The message in the active language."""
        return self.message_zh if (get_language() or "zh").startswith("zh") else self.message_en


#: The engine's refusals of a destruction decision, as this app words them.
_FROM_ENGINE: Final = {
    "approval.closed": "retention.not_pending",
    "approval.own_request": "retention.own_request",
    "approval.not_decider": "retention.not_approver",
    "approval.second_step": "retention.same_person",
    "approval.step_decided": "retention.step_done",
    "approval.out_of_order": "retention.step_done",
    "approval.unknown_step": "retention.step_done",
    "approval.unknown_request": "retention.unknown_request",
    "approval.reason_required": "retention.rejection_reason",
    "approval.nobody": "retention.not_approver",
}


def _require_role(
    principal: Principal, roles: frozenset[RoleName], what_zh: str, what_en: str
) -> Any:
    """The acting user, when they hold one of ``roles``; refused otherwise."""
    user = acting_user(principal)
    if not (roles_of(user) & roles):
        raise RetentionError("retention.not_allowed", "user", what_zh=what_zh, what_en=what_en)
    return user


def _person_or_job(
    principal: Principal, roles: frozenset[RoleName], what_zh: str, what_en: str
) -> Any:
    """A job or a command (a system without a person) acts as itself, unchecked, and no user
    is recorded; anybody else needs one of ``roles``."""
    if is_system_reader(principal):
        return None
    return _require_role(principal, roles, what_zh, what_en)


def _require_text(value: str, field: str, key: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RetentionError(key, field)
    return text


# --- retention rules -------------------------------------------------------------------------


def retention_rule_set(
    *, record_class: str, years: int, basis: str | None = None, principal: Principal
) -> RetentionRule:
    """Change the period (and, optionally, the stated basis) of one record class. A command
    (a system principal without a person) may; a person needs a retention role."""
    if record_class not in RecordClass.values:
        raise RetentionError("retention.unknown_class", "record_class")
    user = _person_or_job(principal, MANAGE_ROLES, "修改保管期限", "change retention periods")
    if not isinstance(years, int) or not 1 <= years <= 100:
        raise RetentionError("retention.years", "years")
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().filter(record_class=record_class).first()
        if rule is None:
            rule = RetentionRule(record_class=record_class, years=years, basis="")
        before = None if rule.pk is None else rule.years
        rule.years = years
        if basis is not None:
            rule.basis = _require_text(basis, "basis", "retention.basis_required")
        rule.updated_by = user
        rule.save()
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.CHANGE,
                object_type="retention_rule",
                object_id=str(rule.pk),
                detail={"record_class": record_class, "years": [before, years]},
            ),
        )
    return rule


# --- legal holds -----------------------------------------------------------------------------


def legal_hold_place(*, customer_id: int, reason: str, principal: Principal) -> LegalHold:
    """Put a customer file under legal hold: it is never destroyed until the hold is lifted."""
    user = _require_role(principal, MANAGE_ROLES, "设置保全", "place legal holds")
    reason = _require_text(reason, "reason", "retention.hold_reason_required")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise RetentionError("retention.unknown_customer", "customer")
        if _destroyed_customers([customer.pk]):
            raise RetentionError("retention.customer_destroyed", "customer")
        if active_holds().filter(customer=customer).exists():
            raise RetentionError("retention.already_held", "customer")
        hold = LegalHold.objects.create(
            customer=customer, reason=reason, placed_by=user, placed_at=timezone.now()
        )
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.LEGAL_HOLD,
                object_type="legal_hold",
                object_id=str(hold.pk),
                customer_id=customer.pk,
                detail={"placed": True},
            ),
        )
    return hold


def legal_hold_lift(*, hold_id: int, reason: str, principal: Principal) -> LegalHold:
    user = _require_role(principal, MANAGE_ROLES, "解除保全", "lift legal holds")
    reason = _require_text(reason, "reason", "retention.lift_reason_required")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise RetentionError("retention.unknown_hold", "hold")
        if hold.lifted_at is not None:
            raise RetentionError("retention.not_held", "hold")
        hold.lifted_at = timezone.now()
        hold.lifted_by = user
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.LEGAL_HOLD,
                object_type="legal_hold",
                object_id=str(hold.pk),
                customer_id=hold.customer_id,
                detail={"lifted": True},
            ),
        )
    return hold


# --- eligibility -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where one record stands today: due (with its class) or why it is kept."""

    record_class: str | None
    outcome: str  # Outcome.PENDING when it may be destroyed
    label: str
    requested: bool = False


def _destroyed_customers(ids: Sequence[int]) -> set[int]:
    return set(
        DestructionItem.objects.filter(
            kind=ItemKind.CUSTOMER, object_id__in=ids, outcome=Outcome.DESTROYED
        ).values_list("object_id", flat=True)
    )


def standings(kind: str, ids: Sequence[int], *, as_of: date) -> dict[int, Standing]:
    """The standing of each record (ids that do not exist are left out)."""
    out: dict[int, Standing] = {}
    found = rules()
    classes: Sequence[str] = (
        CUSTOMER_CLASSES if kind == ItemKind.CUSTOMER else (RecordClass.PROBLEM_ITEM_CLOSED,)
    )
    for chunk in destruction.chunks(sorted(set(ids))):
        for record_class in classes:
            rule = found.get(record_class)
            if rule is None:
                continue
            qs = due_queryset(record_class, as_of=as_of, rule=rule).filter(pk__in=chunk)
            for row in qs:
                outcome = (
                    Outcome.HELD
                    if row.held
                    else Outcome.BLOCKED
                    if row.blocked
                    else Outcome.PENDING
                )
                out[row.pk] = Standing(record_class, outcome, _label(kind, row), row.requested)
        rest = [pk for pk in chunk if pk not in out]
        if kind == ItemKind.CUSTOMER:
            destroyed = _destroyed_customers(rest)
            for pk, archive_no in Customer.objects.filter(pk__in=rest).values_list(
                "pk", "archive_no"
            ):
                gone = pk in destroyed
                out[pk] = Standing(
                    None,
                    Outcome.ALREADY_DESTROYED if gone else Outcome.NOT_DUE,
                    archive_no or archive_no_of_id(pk),
                )
        else:
            for item in ProblemItem.objects.filter(pk__in=rest):
                out[item.pk] = Standing(None, Outcome.NOT_DUE, _label(kind, item))
    return out


def _label(kind: str, row: Any) -> str:
    if kind == ItemKind.CUSTOMER:
        return str(row.archive_no or archive_no_of_id(row.pk))
    return f"{row.rule} #{row.pk}"


#: Why a record may not be named in a request, by its standing.
REFUSALS: Final = {
    Outcome.NOT_DUE: "retention.not_due",
    Outcome.HELD: "retention.held",
    Outcome.BLOCKED: "retention.open_problem_item",
    Outcome.ALREADY_DESTROYED: "retention.already_destroyed",
}


def destroyable_ids(record_class: str, *, as_of: date, limit: int = MAX_ITEMS) -> list[int]:
    """Up to ``limit`` ids of the class that a request may name today (due, not held, not
    blocked, not already requested), lowest ids first."""
    qs = due_queryset(record_class, as_of=as_of).filter(held=False, blocked=False, requested=False)
    return list(qs.values_list("pk", flat=True)[:limit])


# --- destruction requests ----------------------------------------------------------------------


def destruction_request_submit(
    *,
    principal: Principal,
    reason: str,
    customer_ids: Sequence[int] = (),
    problem_item_ids: Sequence[int] = (),
    as_of: date | None = None,
) -> DestructionRequest:
    """Ask for the destruction of records past retention. Refused as a whole, with the first
    offending records named, when any record is not due, held, on an open problem item,
    already destroyed, already in an open request or unknown."""
    user = _require_role(principal, MANAGE_ROLES, "申请销毁", "request destruction")
    reason = _require_text(reason, "reason", "retention.destruction_reason_required")
    as_of = as_of or timezone.localdate()
    wanted = {
        ItemKind.CUSTOMER: sorted({int(i) for i in customer_ids}),
        ItemKind.PROBLEM_ITEM: sorted({int(i) for i in problem_item_ids}),
    }
    total = sum(len(ids) for ids in wanted.values())
    if not total:
        raise RetentionError("retention.records_required", "records")
    if total > MAX_ITEMS:
        raise RetentionError("retention.too_many", "records", limit=MAX_ITEMS)
    with transaction.atomic():
        items: list[DestructionItem] = []
        for kind, ids in wanted.items():
            if not ids:
                continue
            found = standings(kind, ids, as_of=as_of)
            _refuse_unknown(kind, [pk for pk in ids if pk not in found])
            _refuse_ineligible(found)
            items.extend(
                DestructionItem(
                    kind=kind,
                    object_id=pk,
                    record_class=found[pk].record_class or "",
                    label=found[pk].label[:40],
                )
                for pk in ids
            )
        request = DestructionRequest.objects.create(
            reason=reason, requested_by=user, requested_at=timezone.now()
        )
        approvals.approval_open(
            kind=APPROVAL_KIND,
            plan=DESTRUCTION_PLAN,
            principal=principal,
            owner_label=DESTRUCTION_OWNER,
            owner_id=request.pk,
            created_at=request.requested_at,
        )
        for item in items:
            item.request = request
        DestructionItem.objects.bulk_create(items, batch_size=destruction.CHUNK)
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.CREATE,
                object_type=DESTRUCTION_OWNER,
                object_id=str(request.pk),
                detail={
                    "customers": len(wanted[ItemKind.CUSTOMER]),
                    "problem_items": len(wanted[ItemKind.PROBLEM_ITEM]),
                },
            ),
        )
    return request


def _refuse_unknown(kind: str, missing: Sequence[int]) -> None:
    if missing:
        shown = ", ".join(
            archive_no_of_id(pk) if kind == ItemKind.CUSTOMER else f"#{pk}" for pk in missing[:5]
        )
        what_zh, what_en = (
            ("客户档案", "customer file")
            if kind == ItemKind.CUSTOMER
            else (
                "问题件",
                "problem item",
            )
        )
        raise RetentionError(
            "retention.unknown_records", "records", what_zh=what_zh, what_en=what_en, shown=shown
        )


def _refuse_ineligible(found: dict[int, Standing]) -> None:
    for outcome, key in REFUSALS.items():
        bad = [s.label for s in found.values() if s.outcome == outcome]
        if bad:
            shown = "、".join(bad[:5]) + ("…" if len(bad) > 5 else "")
            raise RetentionError(key, "records", shown_zh=shown, shown_en=", ".join(bad[:5]))
    requested = [s.label for s in found.values() if s.requested]
    if requested:
        shown = ", ".join(requested[:5])
        raise RetentionError("retention.already_requested", "records", shown=shown)


def _locked_request(request_id: int) -> DestructionRequest:
    request = DestructionRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise RetentionError("retention.unknown_request", "request")
    return request


def approval_of(request: DestructionRequest) -> ApprovalRequest:
    """The request's approvals on the engine."""
    found = approvals.approval_for(DESTRUCTION_OWNER, request.pk)
    if found is None:
        raise RetentionError("retention.unknown_request", "request")
    return found


def approval_step_for(request: DestructionRequest, *, principal: Principal) -> Step | None:
    """The step ``principal`` may decide on ``request`` now, or None."""
    if request.status != DestructionRequest.Status.PENDING:
        return None
    approval = approvals.approval_for(DESTRUCTION_OWNER, request.pk)
    step = approvals.step_for(approval, principal=principal) if approval is not None else None
    return Step(step.name) if step is not None else None


def decisions_of(request: DestructionRequest) -> list[ApprovalDecision]:
    """The decisions on ``request``, in order, each with ``step_label`` for the page."""
    decisions = list(request.approvals.select_related("decider"))
    for decision in decisions:
        decision.step_label = Step(decision.step).label  # type: ignore[attr-defined]
    return decisions


def _decide(
    *, request_id: int, principal: Principal, approve: bool, reason: str
) -> DestructionRequest:
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.status != DestructionRequest.Status.PENDING:
            raise RetentionError("retention.not_pending", "status")
        try:
            approvals.approval_decide(
                request_id=approval_of(request).pk,
                principal=principal,
                approve=approve,
                reason=reason,
                actor=Actor.acting(principal),  # the person acting, as retention records it
                audit_reason=False,
            )
        except RetentionError:
            raise
        except Refusal as refusal:
            raise RetentionError(_FROM_ENGINE[refusal.code], refusal.field) from None
        request.refresh_from_db(fields=["status", "decided_at"])
    return request


def _closed(approval: ApprovalRequest, status: str) -> None:
    """The outcome of a destruction request's approvals, mirrored on the request in the
    deciding transaction (execution reads it)."""
    DestructionRequest.objects.filter(pk=approval.owner_id).update(
        status=status, decided_at=approval.decided_at
    )


approvals.on_outcome(APPROVAL_KIND, _closed, in_transaction=True)
approvals.on_step_waiting(
    APPROVAL_KIND,
    waiting="destruction_request_waiting",
    decided="destruction_request_decided",
    link="/retention/requests/{id}/",
)


def destruction_request_approve(
    *, request_id: int, principal: Principal, reason: str = ""
) -> DestructionRequest:
    return _decide(request_id=request_id, principal=principal, approve=True, reason=reason)


def destruction_request_reject(
    *, request_id: int, principal: Principal, reason: str
) -> DestructionRequest:
    return _decide(request_id=request_id, principal=principal, approve=False, reason=reason)


def destruction_request_execute(
    *, request_id: int, principal: Principal, as_of: date | None = None
) -> DestructionCertificate:
    """Destroy the records of an approved request, all or nothing, and certify it. Records
    held, blocked or no longer due today are kept and listed on the certificate. Executing
    an executed request changes nothing and returns its certificate."""
    user = _require_role(principal, MANAGE_ROLES, "执行销毁", "carry out destruction")
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.status == DestructionRequest.Status.EXECUTED:
            return DestructionCertificate.objects.get(request=request)
        if request.status != DestructionRequest.Status.APPROVED:
            raise RetentionError("retention.not_approved", "status")
        items = list(request.items.all())
        for kind in (ItemKind.CUSTOMER, ItemKind.PROBLEM_ITEM):
            mine = [item for item in items if item.kind == kind]
            found = standings(kind, [item.object_id for item in mine], as_of=as_of)
            for item in mine:
                standing = found.get(item.object_id)
                if standing is None:  # a problem item deleted meanwhile
                    item.outcome = Outcome.ALREADY_DESTROYED
                elif standing.outcome == Outcome.PENDING:
                    item.outcome = Outcome.DESTROYED
                else:
                    item.outcome = standing.outcome
        gone = {
            kind: [i.object_id for i in items if i.kind == kind and i.outcome == Outcome.DESTROYED]
            for kind in ItemKind
        }
        try:
            counts = destruction.merge(
                destruction.customers_destroy(gone[ItemKind.CUSTOMER]),
                destruction.problem_items_destroy(gone[ItemKind.PROBLEM_ITEM]),
            )
        except ProtectedError as exc:
            raise RetentionError("retention.protected", "records", detail=exc.args[0]) from exc
        DestructionItem.objects.bulk_update(items, ["outcome"], batch_size=destruction.CHUNK)
        now = timezone.now()
        request.status = DestructionRequest.Status.EXECUTED
        request.executed_by = user
        request.executed_at = now
        request.save(update_fields=["status", "executed_by", "executed_at"])
        approvers = {d.step: d.decider for d in request.approvals.select_related("decider")}
        certificate = DestructionCertificate.objects.create(
            request=request,
            executed_at=now,
            executed_by=user,
            requested_by_id=request.requested_by_id,
            approved_by_information_manager=approvers[Step.INFORMATION_MANAGER],
            approved_by_customer_service_manager=approvers[Step.CUSTOMER_SERVICE_MANAGER],
            method=METHOD,
            customer_ids=gone[ItemKind.CUSTOMER],
            problem_item_ids=gone[ItemKind.PROBLEM_ITEM],
            kept=[
                {"kind": i.kind, "id": i.object_id, "label": i.label, "outcome": i.outcome}
                for i in items
                if i.outcome != Outcome.DESTROYED
            ],
            counts=counts,
        )
        event = audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.DESTRUCTION,
                object_type="destruction_certificate",
                object_id=str(certificate.pk),
                detail={
                    "request": request.pk,
                    "customers": len(gone[ItemKind.CUSTOMER]),
                    "problem_items": len(gone[ItemKind.PROBLEM_ITEM]),
                    "kept": len(certificate.kept),
                    "rows": sum(n for ops in counts.values() for n in ops.values()),
                    "method": METHOD,
                },
            ),
        )
        certificate.audit_seq = event.seq
        certificate.save(update_fields=["audit_seq"])
    return certificate


# --- archive inspection ------------------------------------------------------------------------


def inspection_run(
    *,
    principal: Principal,
    period: str | None = None,
    as_of: date | None = None,
) -> InspectionRecord:
    """The half-yearly full inspection of the customer archive (D4.14), recorded and
    audited. The scheduled job and the command act as a system principal without a person
    (unchecked, no user recorded); a person needs a retention role."""
    user = _person_or_job(principal, MANAGE_ROLES, "执行档案检查", "run archive inspections")
    actor = Actor.acting(principal)
    period = (period or inspection_period(as_of or timezone.localdate())).strip()
    if not _valid_period(period):
        raise RetentionError("retention.period", "period")
    results = inspection_results()
    with transaction.atomic():
        record = InspectionRecord.objects.create(
            period=period,
            performed_by=user,
            performed_label=actor.label[:150],
            performed_at=timezone.now(),
            ok=not results["findings"],
            results=results,
        )
        event = audit_record(
            actor=actor,
            event=Event(
                action=Action.INSPECTION,
                object_type="inspection",
                object_id=str(record.pk),
                detail={
                    "period": period,
                    "ok": record.ok,
                    "findings": [f["code"] for f in results["findings"]],
                },
            ),
        )
        record.audit_seq = event.seq
        record.save(update_fields=["audit_seq"])
    return record


def _valid_period(period: str) -> bool:
    year, sep, half = period.partition("-")
    return bool(sep) and len(year) == 4 and year.isdigit() and half in ("H1", "H2")
