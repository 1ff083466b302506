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
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import ProblemItem
from veracity.customers.models import Customer
from veracity.org.actions import roles_for
from veracity.retention import destruction
from veracity.retention.inspection import inspection_period, inspection_results
from veracity.retention.models import (
    METHOD,
    DestructionApproval,
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
#: Who approves each step of a destruction.
STEP_ROLE: Final = {
    Step.INFORMATION_MANAGER: RoleName.INFORMATION_MANAGER,
    Step.CUSTOMER_SERVICE_MANAGER: RoleName.CUSTOMER_SERVICE_MANAGER,
}
#: One request is destroyed in one transaction; keep it bounded.
MAX_ITEMS: Final = 5000


@dataclass(frozen=True)
class RetentionError(Exception):
    """A refused step; nothing was changed."""

    code: str
    field: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.code} {self.field}: {self.message_en} / {self.message_zh}"

    @property
    def message(self) -> str:
        """The message in the active language."""
        return self.message_zh if (get_language() or "zh").startswith("zh") else self.message_en


def _refuse(code: str, field: str, zh: str, en: str) -> RetentionError:
    return RetentionError(code, field, zh, en)


def _require_role(user: Any, roles: frozenset[RoleName], what_zh: str, what_en: str) -> None:
    if not (roles_of(user) & roles):
        raise _refuse("NOT_ALLOWED", "user", f"您无权{what_zh}", f"you may not {what_en}")


def _require_text(value: str, field: str, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _refuse("REQUIRED", field, zh, en)
    return text


# --- retention rules -------------------------------------------------------------------------


def retention_rule_set(
    *, record_class: str, years: int, basis: str | None = None, user: Any = None, actor: Actor
) -> RetentionRule:
    """Change the period (and, optionally, the stated basis) of one record class."""
    if record_class not in RecordClass.values:
        raise _refuse("UNKNOWN", "record_class", "没有这一类记录", "no such record class")
    if user is not None:
        _require_role(user, MANAGE_ROLES, "修改保管期限", "change retention periods")
    if not isinstance(years, int) or not 1 <= years <= 100:
        raise _refuse("INVALID", "years", "保管期限应为1至100年", "the period is 1 to 100 years")
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().filter(record_class=record_class).first()
        if rule is None:
            rule = RetentionRule(record_class=record_class, years=years, basis="")
        before = None if rule.pk is None else rule.years
        rule.years = years
        if basis is not None:
            rule.basis = _require_text(basis, "basis", "请说明依据", "state the basis")
        rule.updated_by = user
        rule.save()
        audit_record(
            actor=actor,
            event=Event(
                action=Action.CHANGE,
                object_type="retention_rule",
                object_id=str(rule.pk),
                detail={"record_class": record_class, "years": [before, years]},
            ),
        )
    return rule


# --- legal holds -----------------------------------------------------------------------------


def legal_hold_place(*, customer_id: int, reason: str, user: Any, actor: Actor) -> LegalHold:
    """Put a customer file under legal hold: it is never destroyed until the hold is lifted."""
    _require_role(user, MANAGE_ROLES, "设置保全", "place legal holds")
    reason = _require_text(reason, "reason", "请说明保全理由", "state the reason for the hold")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise _refuse("UNKNOWN", "customer", "客户档案不存在", "no such customer file")
        if _destroyed_customers([customer.pk]):
            raise _refuse(
                "ALREADY_DESTROYED",
                "customer",
                "该客户资料已销毁",
                "this customer's data has already been destroyed",
            )
        if active_holds().filter(customer=customer).exists():
            raise _refuse(
                "ALREADY_HELD", "customer", "该客户档案已在保全中", "this file is already on hold"
            )
        hold = LegalHold.objects.create(
            customer=customer, reason=reason, placed_by=user, placed_at=timezone.now()
        )
        audit_record(
            actor=actor,
            event=Event(
                action=Action.LEGAL_HOLD,
                object_type="legal_hold",
                object_id=str(hold.pk),
                customer_id=customer.pk,
                detail={"placed": True},
            ),
        )
    return hold


def legal_hold_lift(*, hold_id: int, reason: str, user: Any, actor: Actor) -> LegalHold:
    _require_role(user, MANAGE_ROLES, "解除保全", "lift legal holds")
    reason = _require_text(reason, "reason", "请说明解除理由", "state why the hold is lifted")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise _refuse("UNKNOWN", "hold", "保全记录不存在", "no such legal hold")
        if hold.lifted_at is not None:
            raise _refuse("NOT_HELD", "hold", "该保全已解除", "this hold has already been lifted")
        hold.lifted_at = timezone.now()
        hold.lifted_by = user
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit_record(
            actor=actor,
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
                    archive_no or f"#{pk}",
                )
        else:
            for item in ProblemItem.objects.filter(pk__in=rest):
                out[item.pk] = Standing(None, Outcome.NOT_DUE, _label(kind, item))
    return out


def _label(kind: str, row: Any) -> str:
    if kind == ItemKind.CUSTOMER:
        return str(row.archive_no or f"#{row.pk}")
    return f"{row.rule} #{row.pk}"


REFUSALS: Final = {
    Outcome.NOT_DUE: (
        "NOT_DUE",
        "保管期限未满，不能销毁",
        "the retention period is not over; it cannot be destroyed",
    ),
    Outcome.HELD: ("HELD", "处于法律保全中，不得销毁", "under legal hold; never destroyed"),
    Outcome.BLOCKED: (
        "OPEN_PROBLEM_ITEM",
        "在未结问题件中，调查结束前不得销毁",
        "on an open problem item; kept until the investigation ends",
    ),
    Outcome.ALREADY_DESTROYED: ("ALREADY_DESTROYED", "已经销毁", "already destroyed"),
}


def destroyable_ids(record_class: str, *, as_of: date, limit: int = MAX_ITEMS) -> list[int]:
    """Up to ``limit`` ids of the class that a request may name today (due, not held, not
    blocked, not already requested), lowest ids first."""
    qs = due_queryset(record_class, as_of=as_of).filter(held=False, blocked=False, requested=False)
    return list(qs.values_list("pk", flat=True)[:limit])


# --- destruction requests ----------------------------------------------------------------------


def destruction_request_submit(
    *,
    user: Any,
    reason: str,
    customer_ids: Sequence[int] = (),
    problem_item_ids: Sequence[int] = (),
    as_of: date | None = None,
    actor: Actor,
) -> DestructionRequest:
    """Ask for the destruction of records past retention. Refused as a whole, with the first
    offending records named, when any record is not due, held, on an open problem item,
    already destroyed, already in an open request or unknown."""
    _require_role(user, MANAGE_ROLES, "申请销毁", "request destruction")
    reason = _require_text(reason, "reason", "请说明销毁理由", "state the reason")
    as_of = as_of or timezone.localdate()
    wanted = {
        ItemKind.CUSTOMER: sorted({int(i) for i in customer_ids}),
        ItemKind.PROBLEM_ITEM: sorted({int(i) for i in problem_item_ids}),
    }
    total = sum(len(ids) for ids in wanted.values())
    if not total:
        raise _refuse("REQUIRED", "records", "请选择要销毁的记录", "choose the records to destroy")
    if total > MAX_ITEMS:
        raise _refuse(
            "TOO_MANY",
            "records",
            f"一次申请最多{MAX_ITEMS}条记录",
            f"one request names at most {MAX_ITEMS} records",
        )
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
        for item in items:
            item.request = request
        DestructionItem.objects.bulk_create(items, batch_size=destruction.CHUNK)
        audit_record(
            actor=actor,
            event=Event(
                action=Action.CREATE,
                object_type="destruction_request",
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
        shown = ", ".join(f"#{pk}" for pk in missing[:5])
        what_zh, what_en = (
            ("客户档案", "customer file")
            if kind == ItemKind.CUSTOMER
            else (
                "问题件",
                "problem item",
            )
        )
        raise _refuse(
            "UNKNOWN", "records", f"{what_zh}不存在：{shown}", f"no such {what_en}: {shown}"
        )


def _refuse_ineligible(found: dict[int, Standing]) -> None:
    for outcome, (code, zh, en) in REFUSALS.items():
        bad = [s.label for s in found.values() if s.outcome == outcome]
        if bad:
            shown = "、".join(bad[:5]) + ("…" if len(bad) > 5 else "")
            raise _refuse(code, "records", f"{shown}：{zh}", f"{', '.join(bad[:5])}: {en}")
    requested = [s.label for s in found.values() if s.requested]
    if requested:
        shown = ", ".join(requested[:5])
        raise _refuse(
            "ALREADY_REQUESTED",
            "records",
            f"{shown}：已在另一份待办的销毁申请中",
            f"{shown}: already in another open destruction request",
        )


def _locked_request(request_id: int) -> DestructionRequest:
    request = DestructionRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise _refuse("UNKNOWN", "request", "销毁申请不存在", "no such destruction request")
    return request


def approval_step_for(user: Any, request: DestructionRequest) -> Step | None:
    """The step ``user`` may decide on ``request`` now, or None."""
    if request.status != DestructionRequest.Status.PENDING or user.pk == request.requested_by_id:
        return None
    decided = {a.step: a.approver_id for a in request.approvals.all()}
    if user.pk in decided.values():
        return None
    roles = roles_of(user)
    return next(
        (step for step, role in STEP_ROLE.items() if step not in decided and role in roles), None
    )


def _decide(
    *, request_id: int, user: Any, approve: bool, reason: str, actor: Actor
) -> DestructionRequest:
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.status != DestructionRequest.Status.PENDING:
            raise _refuse(
                "NOT_PENDING",
                "status",
                "该销毁申请已不在审批中",
                "the request is no longer awaiting approval",
            )
        if user.pk == request.requested_by_id:
            raise _refuse(
                "OWN_REQUEST",
                "approver",
                "不得审批本人提出的销毁申请",
                "nobody approves their own destruction request",
            )
        roles = roles_of(user)
        if not any(role in roles for role in STEP_ROLE.values()):
            raise _refuse(
                "NOT_APPROVER",
                "approver",
                "销毁须由客户信息主管和客户服务部经理审批",
                "destruction is approved by the customer information manager and the "
                "customer service manager",
            )
        decided = {a.step: a.approver_id for a in request.approvals.all()}
        if user.pk in decided.values():
            raise _refuse(
                "SAME_PERSON",
                "approver",
                "两项审批须由两位不同人员作出",
                "the two approvals must come from two different people",
            )
        step = approval_step_for(user, request)
        if step is None:
            raise _refuse(
                "STEP_DONE", "approver", "您这一步已有人审批", "your step has already been decided"
            )
        if not approve:
            reason = _require_text(reason, "reason", "驳回须说明理由", "a rejection needs a reason")
        now = timezone.now()
        DestructionApproval.objects.create(
            request=request,
            step=step,
            approver=user,
            decision=(
                DestructionApproval.Decision.APPROVE
                if approve
                else DestructionApproval.Decision.REJECT
            ),
            reason=(reason or "").strip(),
            decided_at=now,
        )
        if not approve:
            request.status = DestructionRequest.Status.REJECTED
        elif len(decided) + 1 == len(STEP_ROLE):
            request.status = DestructionRequest.Status.APPROVED
        if request.status != DestructionRequest.Status.PENDING:
            request.decided_at = now
            request.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            event=Event(
                action=Action.APPROVAL,
                object_type="destruction_request",
                object_id=str(request.pk),
                detail={"step": step.value, "approve": approve},
            ),
        )
    return request


def destruction_request_approve(
    *, request_id: int, user: Any, reason: str = "", actor: Actor
) -> DestructionRequest:
    return _decide(request_id=request_id, user=user, approve=True, reason=reason, actor=actor)


def destruction_request_reject(
    *, request_id: int, user: Any, reason: str, actor: Actor
) -> DestructionRequest:
    return _decide(request_id=request_id, user=user, approve=False, reason=reason, actor=actor)


def destruction_request_execute(
    *, request_id: int, user: Any, as_of: date | None = None, actor: Actor
) -> DestructionCertificate:
    """Destroy the records of an approved request, all or nothing, and certify it. Records
    held, blocked or no longer due today are kept and listed on the certificate. Executing
    an executed request changes nothing and returns its certificate."""
    _require_role(user, MANAGE_ROLES, "执行销毁", "carry out destruction")
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.status == DestructionRequest.Status.EXECUTED:
            return DestructionCertificate.objects.get(request=request)
        if request.status != DestructionRequest.Status.APPROVED:
            raise _refuse(
                "NOT_APPROVED",
                "status",
                "销毁申请须经客户信息主管和客户服务部经理批准后方可执行",
                "the request must be approved by the customer information manager and the "
                "customer service manager first",
            )
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
            raise _refuse(
                "PROTECTED",
                "records",
                "其他记录仍引用这些资料，未作任何更改",
                f"other records still refer to this data; nothing was changed ({exc.args[0]})",
            ) from exc
        DestructionItem.objects.bulk_update(items, ["outcome"], batch_size=destruction.CHUNK)
        now = timezone.now()
        request.status = DestructionRequest.Status.EXECUTED
        request.executed_by = user
        request.executed_at = now
        request.save(update_fields=["status", "executed_by", "executed_at"])
        approvers = {a.step: a.approver for a in request.approvals.all()}
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
            actor=actor,
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
    user: Any = None,
    period: str | None = None,
    as_of: date | None = None,
    actor: Actor,
) -> InspectionRecord:
    """The half-yearly full inspection of the customer archive (D4.14), recorded and
    audited. ``user`` is None for the scheduled job."""
    if user is not None:
        _require_role(user, MANAGE_ROLES, "执行档案检查", "run archive inspections")
    period = (period or inspection_period(as_of or timezone.localdate())).strip()
    if not _valid_period(period):
        raise _refuse(
            "INVALID", "period", "检查期间格式应为 2026-H2", "the period looks like 2026-H2"
        )
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
