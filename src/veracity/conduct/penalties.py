"""The penalty register (D1.14, D1.22, D1.23): penalties on sellers and agencies, proposed by
channel management (销售渠道管理部门, ``penalties.propose``) and approved on the approvals
engine, or imported as decided in the insurer's sales-management system.

- :func:`penalty_propose` records a proposal and opens its approval: the head of the
  proposer's department, and for a terminating measure the general manager after them
  (``core.penalties.penalty_plan``). Nobody approves their own proposal.
- A verified escalation for false data (``core.conduct.FALSE_DATA_REASONS``) leaves a
  penalty *to decide* (:func:`penalty_drafts_from_escalations`, registered with
  ``cases.services.on_escalation``): status proposed, the reason from the escalation, no
  measure yet and no approval; channel management is told, completes it with
  :func:`penalty_submit` and it goes for approval.
- On approval the penalty is in force (status approved, ``decided_on`` the decision date
  unless the proposal gave one), compliance is told with a link, and a terminating measure
  sets the seller's ``terminated_on`` (audited). A rejection tells the proposer the reason.
- :func:`penalties_import` loads decided penalties (status imported), one per line,
  idempotent by ``import_key``; a bad line is reported with its line, field and reason.

Every refused attempt is written to the audit trail (``ACCESS_REFUSED``) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

import veracity.conduct.refusals  # noqa: F401  (the penalty.* words)
from veracity.access.policy import may, record_refusal
from veracity.access.roles import RoleName
from veracity.approvals import services as approvals
from veracity.approvals.models import ApprovalDecision, ApprovalRequest
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import Escalation, ProblemItem
from veracity.cases.services import on_escalation
from veracity.conduct.models import Penalty
from veracity.core.approvals import Step
from veracity.core.conduct import FALSE_DATA_REASONS, TERMINATING_MEASURES, Reason
from veracity.core.penalties import (
    PenaltyFacts,
    amount_parse,
    import_key,
    penalty_plan,
    penalty_refusal,
)
from veracity.core.refusals import Refusal
from veracity.ingest.readers import ImportCounts, RowError
from veracity.notify.services import tell
from veracity.org.principals import Principal, acting_user
from veracity.policies.models import Policy
from veracity.sales.models import Seller, SellerKind

__all__ = [
    "APPROVAL_KIND",
    "OWNER",
    "PenaltyImportReport",
    "approval_of",
    "decidable_step",
    "decisions_of",
    "is_draft",
    "penalties_awaiting_count",
    "penalties_import",
    "penalty_decide",
    "penalty_drafts_from_escalations",
    "penalty_propose",
    "penalty_submit",
    "penalty_withdraw",
]

#: The owner label of a penalty on the approvals engine (and its audit object type).
OWNER: Final = "penalty"
#: The engine's kind of a penalty's approval.
APPROVAL_KIND: Final = "conduct.penalty"
MAX_NOTE: Final = 2000
MAX_POLICIES: Final = 200

T = TypeVar("T")


def _link(penalty_id: int) -> str:
    return f"/penalties/{penalty_id}/"


def _refused(principal: Principal, action: str, object_id: Any, refusal: Refusal) -> Refusal:
    """Record the refused attempt (outside the refused step's transaction) and return it."""
    record_refusal(
        actor=Actor.of_principal(principal),
        action=action,
        object_type=OWNER,
        object_id=str(object_id),
        detail={"code": refusal.code, "field": refusal.field},
    )
    return refusal


def _audited(principal: Principal, action: str, object_id: Any, step: Callable[[], T]) -> T:
    """Run ``step``; a refusal is recorded as ``ACCESS_REFUSED`` after its transaction rolled
    back, then raised."""
    try:
        return step()
    except Refusal as refusal:
        raise _refused(principal, action, object_id, refusal) from None


def _person(principal: Principal) -> Any:
    user = acting_user(principal)
    if user is None or getattr(user, "pk", None) is None:
        raise Refusal("penalty.person_required", "principal")
    return user


def _may_propose(principal: Principal) -> Any:
    user = _person(principal)
    if not may(principal, "penalties.propose"):
        raise Refusal(
            "penalty.not_allowed",
            "principal",
            what_zh="提议处罚",
            what_en="propose penalties",
        )
    return user


def is_draft(penalty: Penalty) -> bool:
    """A penalty to decide: proposed from an escalation, its measure not yet chosen."""
    return penalty.status == Penalty.Status.PROPOSED and not penalty.measure


# --- reading the input -------------------------------------------------------------------------


def _text(value: Any, field: str, what_zh: str, what_en: str, limit: int = MAX_NOTE) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit or _has_control(value):
        raise Refusal("penalty.text", field, what_zh=what_zh, what_en=what_en, limit=limit)
    return value.strip()


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\n\r\t" for c in text)


def _date(value: Any, field: str = "decided_on", *, today: date | None = None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        found = value
    elif isinstance(value, str) and len(value.strip()) == 10:
        try:
            found = date.fromisoformat(value.strip())
        except ValueError:
            raise Refusal("penalty.decided_on", field) from None
    else:
        raise Refusal("penalty.decided_on", field)
    if found > (today or timezone.localdate()):
        raise Refusal("penalty.decided_on", field)
    return found


def _code(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 32 or _has_control(value):
        return "\x00"  # never a code: reported as unknown
    return value.strip()


def _seller(seller_code: Any, agency_code: Any) -> Seller:
    """The seller (agent, specialist) or the agency a penalty is on; exactly one code."""
    seller_code, agency_code = _code(seller_code), _code(agency_code)
    if bool(seller_code) == bool(agency_code):
        raise Refusal("penalty.code_required", "seller_code")
    if agency_code:
        agency = Seller.objects.filter(code=agency_code, kind=SellerKind.AGENCY).first()
        if agency is None:
            shown = agency_code if agency_code != "\x00" else "?"
            raise Refusal("penalty.unknown_agency", "agency_code", code=shown)
        return agency
    seller = Seller.objects.filter(code=seller_code).first()
    if seller is None:
        shown = seller_code if seller_code != "\x00" else "?"
        raise Refusal("penalty.unknown_seller", "seller_code", code=shown)
    if seller.kind == SellerKind.AGENCY:
        raise Refusal("penalty.agency_as_seller", "seller_code", code=seller.code)
    return seller


def _policies(policy_nos: Any) -> list[Policy]:
    if policy_nos is None or policy_nos == "":
        return []
    if isinstance(policy_nos, str):
        policy_nos = [p for p in policy_nos.replace("，", ",").replace(" ", ",").split(",") if p]
    if not isinstance(policy_nos, list | tuple) or len(policy_nos) > MAX_POLICIES:
        raise Refusal("penalty.policies", "policy_nos", limit=MAX_POLICIES)
    wanted: list[str] = []
    for number in policy_nos:
        if not isinstance(number, str) or len(number) > 40 or _has_control(number):
            raise Refusal("penalty.policies", "policy_nos", limit=MAX_POLICIES)
        if number.strip():
            wanted.append(number.strip())
    wanted = list(dict.fromkeys(wanted))
    found = {p.policy_no: p for p in Policy.objects.filter(policy_no__in=wanted)}
    for number in wanted:
        if number not in found:
            raise Refusal("penalty.unknown_policy", "policy_nos", policy_no=number[:40])
    return [found[n] for n in wanted]


def _facts(
    seller: Seller, reason: Any, measure: Any, amount: Any
) -> tuple[str, str, Decimal | None]:
    reason = reason.strip() if isinstance(reason, str) else ""
    measure = measure.strip() if isinstance(measure, str) else ""
    parsed = amount_parse(amount)
    refusal = penalty_refusal(
        PenaltyFacts(
            agency=seller.kind == SellerKind.AGENCY, reason=reason, measure=measure, amount=parsed
        )
    )
    if refusal is not None:
        raise refusal
    return reason, measure, parsed


def _items(item_ids: Iterable[int]) -> list[ProblemItem]:
    ids = sorted({int(i) for i in item_ids})
    found = {i.pk: i for i in ProblemItem.objects.filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise Refusal("penalty.unknown_item", "items", item=f"#{pk}")
    return [found[pk] for pk in ids]


# --- proposing ---------------------------------------------------------------------------------


def penalty_propose(
    *,
    principal: Principal,
    seller_code: str = "",
    agency_code: str = "",
    reason: str,
    measure: str,
    amount: Any = None,
    decided_on: Any = None,
    note: str = "",
    item_ids: Sequence[int] = (),
    escalation_ids: Sequence[int] = (),
    policy_nos: Sequence[str] = (),
) -> Penalty:
    """Channel management proposes a penalty on a seller (``seller_code``) or an agency
    (``agency_code``) and it goes for approval. Refused (audited, nothing changed) for anyone
    who may not propose, an unknown code, a reason or measure the kind of seller may not be
    given, a deduction without its amount, an unknown policy or problem item."""

    def step() -> Penalty:
        user = _may_propose(principal)
        with transaction.atomic():
            seller = _seller(seller_code, agency_code)
            reason_, measure_, amount_ = _facts(seller, reason, measure, amount)
            decided = _date(decided_on)
            text = _text(note, "note", "说明", "the note")
            policies = _policies(list(policy_nos))
            items = _items(item_ids)
            escalations = list(Escalation.objects.filter(pk__in=list(escalation_ids)))
            penalty = Penalty.objects.create(
                seller=seller,
                reason=reason_,
                measure=measure_,
                amount=amount_,
                decided_on=decided,
                note=text,
                proposed_by=user,
                source="proposal",
            )
            penalty.policies.set(policies)
            penalty.items.set(items + [e.item for e in escalations if e.item_id])
            penalty.escalations.set(escalations)
            _open(penalty, principal)
            return penalty

    return _audited(principal, "penalties.propose", "new", step)


def _open(penalty: Penalty, principal: Principal) -> None:
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.CREATE,
            object_type=OWNER,
            object_id=str(penalty.pk),
            detail={
                "seller": penalty.seller.code,
                "reason": penalty.reason,
                "measure": penalty.measure,
                "amount": str(penalty.amount) if penalty.amount is not None else None,
            },
        ),
    )
    approvals.approval_open(
        kind=APPROVAL_KIND,
        plan=penalty_plan(penalty.measure),
        principal=principal,
        owner_label=OWNER,
        owner_id=penalty.pk,
    )


def penalty_submit(
    *,
    principal: Principal,
    penalty_id: int,
    measure: str,
    amount: Any = None,
    decided_on: Any = None,
    note: str | None = None,
    reason: str | None = None,
) -> Penalty:
    """Channel management completes a penalty to decide (left by a verified escalation):
    the measure (and a deduction's amount), optionally the reason, the date and a note; it
    then goes for approval with the person completing it as the proposer."""

    def step() -> Penalty:
        user = _may_propose(principal)
        with transaction.atomic():
            penalty = (
                Penalty.objects.select_for_update()
                .select_related("seller")
                .filter(pk=penalty_id)
                .first()
            )
            if penalty is None:
                raise Refusal("penalty.unknown", "penalty")
            if not is_draft(penalty):
                raise Refusal("penalty.not_draft", "status")
            reason_, measure_, amount_ = _facts(
                penalty.seller, reason or penalty.reason, measure, amount
            )
            penalty.reason, penalty.measure, penalty.amount = reason_, measure_, amount_
            penalty.decided_on = _date(decided_on)
            if note is not None:
                penalty.note = _text(note, "note", "说明", "the note")
            penalty.proposed_by = user
            penalty.save()
            _open(penalty, principal)
            return penalty

    return _audited(principal, "penalties.propose", penalty_id, step)


def penalty_drafts_from_escalations(
    escalations: Sequence[Escalation], principal: Principal
) -> list[Penalty]:
    """A verified escalation for false data (false data or a substituted contact) leaves a
    penalty to decide on each seller or agency it names; channel management is told. An
    escalation already carrying a penalty gets no second one (a re-verification)."""
    made: list[Penalty] = []
    for escalation in escalations:
        if escalation.misconduct not in FALSE_DATA_REASONS:
            continue
        if escalation.penalties.exists():
            continue
        penalty = Penalty.objects.create(
            seller=escalation.seller,
            reason=escalation.misconduct,
            measure="",
            note=escalation.reason[:MAX_NOTE],
            source=f"escalation #{escalation.pk}",
        )
        penalty.escalations.add(escalation)
        if escalation.item_id:
            penalty.items.add(escalation.item_id)
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.CREATE,
                object_type=OWNER,
                object_id=str(penalty.pk),
                detail={
                    "seller": escalation.seller.code,
                    "reason": penalty.reason,
                    "escalation": escalation.pk,
                    "draft": True,
                },
            ),
        )
        tell(
            _channel_management(),
            "penalty_to_decide",
            {
                "id": f"#{penalty.pk}",
                "item": f"#{escalation.item_id}" if escalation.item_id else "",
                "seller": f"{escalation.seller.code} {escalation.seller.name}",
            },
            link=_link(penalty.pk),
            object_type=OWNER,
            object_id=penalty.pk,
        )
        made.append(penalty)
    return made


on_escalation(penalty_drafts_from_escalations)


def _role_holders(role: RoleName) -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=role.value, is_active=True).distinct())


def _channel_management() -> list[Any]:
    return _role_holders(RoleName.CHANNEL_MANAGEMENT)


# --- deciding ----------------------------------------------------------------------------------

_FROM_ENGINE: Final = {
    "approval.closed": "penalty.not_pending",
    "approval.step_decided": "penalty.not_pending",
    "approval.unknown_step": "penalty.not_pending",
    "approval.unknown_request": "penalty.not_pending",
    "approval.own_request": "penalty.own",
    "approval.second_step": "penalty.not_approver",
    "approval.out_of_order": "penalty.not_approver",
    "approval.not_decider": "penalty.not_approver",
    "approval.reason_required": "penalty.rejection_reason",
    "approval.not_requester": "penalty.not_yours",
    "approval.nobody": "penalty.person_required",
}


def approval_of(penalty: Penalty) -> ApprovalRequest | None:
    """The penalty's approval on the engine (None for a draft or an import)."""
    return approvals.approval_for(OWNER, penalty.pk)


def decidable_step(penalty: Penalty, *, principal: Principal) -> Step | None:
    """The step ``principal`` may decide on ``penalty`` now, or None."""
    if penalty.status != Penalty.Status.PROPOSED:
        return None
    approval = approval_of(penalty)
    if approval is None or acting_user(principal) is None:
        return None
    return approvals.step_for(approval, principal=principal)


def decisions_of(penalty: Penalty) -> list[dict[str, Any]]:
    """The penalty's approval steps in order, each with its label and its decision (if any)."""
    approval = approval_of(penalty)
    if approval is None:
        return []
    decided = {
        d.step: d
        for d in ApprovalDecision.objects.filter(request=approval).select_related("decider")
    }
    return [{"step": step, "decision": decided.get(step.name)} for step in approval.step_plan.steps]


def _locked(penalty_id: int) -> Penalty:
    penalty = Penalty.objects.select_for_update().filter(pk=penalty_id).first()
    if penalty is None:
        raise Refusal("penalty.unknown", "penalty")
    return penalty


def penalty_decide(
    *, principal: Principal, penalty_id: int, approve: bool, reason: str = ""
) -> Penalty:
    """The approver named by the pending step decides (the head of the proposer's
    department, then for a termination the general manager); a rejection needs a reason.
    The proposer is refused their own proposal (``penalty.own``), audited, nothing changed."""

    def step() -> Penalty:
        with transaction.atomic():
            penalty = _locked(penalty_id)
            approval = approval_of(penalty)
            if penalty.status != Penalty.Status.PROPOSED or approval is None:
                raise Refusal("penalty.not_pending", "status")
            try:
                approvals.approval_decide(
                    request_id=approval.pk, principal=principal, approve=approve, reason=reason
                )
            except Refusal as refusal:
                key = _FROM_ENGINE.get(refusal.code, "penalty.not_approver")
                raise Refusal(key, refusal.field, **dict(refusal.params)) from None
            penalty.refresh_from_db()
            return penalty

    return _audited(principal, "penalties.view", penalty_id, step)


def penalty_withdraw(*, principal: Principal, penalty_id: int) -> Penalty:
    """The proposer withdraws a proposal awaiting approval."""

    def step() -> Penalty:
        with transaction.atomic():
            penalty = _locked(penalty_id)
            approval = approval_of(penalty)
            if penalty.status != Penalty.Status.PROPOSED or approval is None:
                raise Refusal("penalty.not_pending", "status")
            try:
                approvals.approval_withdraw(request_id=approval.pk, principal=principal)
            except Refusal as refusal:
                raise Refusal(
                    _FROM_ENGINE.get(refusal.code, "penalty.not_yours"), "penalty"
                ) from None
            penalty.refresh_from_db()
            return penalty

    return _audited(principal, "penalties.propose", penalty_id, step)


def _seller_label(seller: Seller) -> str:
    return f"{seller.code} {seller.name}"


def _terminate(penalty: Penalty, actor: Actor) -> None:
    """A terminating measure in force ends the seller's (or agency's) right to sell from the
    decision date (the qualification rule reads ``terminated_on``), audited."""
    if penalty.measure not in TERMINATING_MEASURES or penalty.decided_on is None:
        return
    seller = Seller.objects.select_for_update().get(pk=penalty.seller_id)
    if seller.terminated_on is not None and seller.terminated_on <= penalty.decided_on:
        return
    before = seller.terminated_on
    seller.terminated_on = penalty.decided_on
    seller.save(update_fields=["terminated_on", "updated_at"])
    audit_record(
        actor=actor,
        event=Event(
            action=Action.CHANGE,
            object_type="seller",
            object_id=str(seller.pk),
            detail={
                "terminated_on": seller.terminated_on.isoformat(),
                "before": before.isoformat() if before else None,
                "penalty": penalty.pk,
            },
        ),
    )


def _closed(approval: ApprovalRequest, status: str) -> None:
    """The outcome of a penalty's approval, in the deciding transaction: the status, and for
    an approval the decision date, the termination and compliance's notice."""
    penalty = Penalty.objects.select_for_update().select_related("seller").get(pk=approval.owner_id)
    params = {"id": f"#{penalty.pk}", "seller": _seller_label(penalty.seller)}
    if status == ApprovalRequest.Status.APPROVED:
        penalty.status = Penalty.Status.APPROVED
        if penalty.decided_on is None:
            decided_at = approval.decided_at or timezone.now()
            penalty.decided_on = timezone.localdate(decided_at)
        penalty.save(update_fields=["status", "decided_on"])
        last = approval.decisions.order_by("-decided_at", "-id").first()
        _terminate(penalty, Actor.of(last.decider) if last else Actor.system("penalties"))
        tell(
            _role_holders(RoleName.COMPLIANCE),
            "penalty_in_force",
            {**params, "decided_on": penalty.decided_on.isoformat()},
            link=_link(penalty.pk),
            object_type=OWNER,
            object_id=penalty.pk,
        )
        tell(
            [approval.requester],
            "penalty_approved",
            params,
            link=_link(penalty.pk),
            object_type=OWNER,
            object_id=penalty.pk,
        )
    elif status == ApprovalRequest.Status.REJECTED:
        penalty.status = Penalty.Status.REJECTED
        penalty.save(update_fields=["status"])
        rejection = approval.decisions.filter(approve=False).order_by("-decided_at").first()
        tell(
            [approval.requester],
            "penalty_rejected",
            {**params, "reason": rejection.reason if rejection else ""},
            link=_link(penalty.pk),
            object_type=OWNER,
            object_id=penalty.pk,
        )
    else:
        penalty.status = Penalty.Status.WITHDRAWN
        penalty.save(update_fields=["status"])


approvals.on_outcome(APPROVAL_KIND, _closed, in_transaction=True)
approvals.on_step_waiting(
    APPROVAL_KIND, waiting="penalty_waiting", decided="", link="/penalties/{id}/"
)


def penalties_awaiting_count(*, principal: Principal) -> int:
    """How many penalties await ``principal``'s decision (the 待我处理 panel)."""
    return len(approvals.awaiting(principal=principal, kinds=[APPROVAL_KIND]))


# --- importing decided penalties ---------------------------------------------------------------


class PenaltyImportReport(ImportCounts):
    """Counts of a penalty import."""


def penalties_import(
    records: Iterable[tuple[int, dict[str, Any] | RowError]], *, actor: Actor
) -> PenaltyImportReport:
    """Penalties decided in the insurer's sales-management system, one per line (status
    imported). The same seller, date, reason and measure are the same penalty: a second load
    changes nothing (or updates its amount, note and policies). Each row in its own
    transaction; a bad row is reported with its line, field and reason, the others go in."""
    report = PenaltyImportReport()
    for line, record in records:
        report.rows += 1
        if isinstance(record, RowError):
            report.errors.append(record)
            continue
        try:
            with transaction.atomic():
                outcome = penalty_import_row(record, actor=actor)
        except Refusal as refusal:
            report.errors.append(
                RowError(line, refusal.field, refusal.message_zh, refusal.message_en)
            )
            continue
        report.count(outcome)
    return report


def penalty_import_row(record: Mapping[str, Any], *, actor: Actor) -> str:
    """Store one imported penalty; returns ``created``, ``updated`` or ``unchanged``."""
    seller = _seller(record.get("seller_code"), record.get("agency_code"))
    decided_on = _date(record.get("decided_on"))
    if decided_on is None:
        raise Refusal("penalty.decided_on", "decided_on")
    reason, measure, amount = _facts(
        seller, record.get("reason"), record.get("measure"), record.get("amount")
    )
    note = _text(record.get("note"), "note", "说明", "the note")
    policies = _policies(record.get("policy_nos"))
    key = import_key(seller.code, decided_on, reason, measure)
    penalty = Penalty.objects.filter(import_key=key).first()
    outcome = "unchanged"
    if penalty is None:
        penalty = Penalty.objects.create(
            seller=seller,
            reason=reason,
            measure=measure,
            amount=amount,
            decided_on=decided_on,
            status=Penalty.Status.IMPORTED,
            note=note,
            source="import",
            import_key=key,
        )
        penalty.policies.set(policies)
        outcome = "created"
    else:
        have = set(penalty.policies.values_list("pk", flat=True))
        if penalty.amount != amount or penalty.note != note or have != {p.pk for p in policies}:
            penalty.amount, penalty.note = amount, note
            penalty.save(update_fields=["amount", "note"])
            penalty.policies.set(policies)
            outcome = "updated"
    if outcome != "unchanged":
        audit_record(
            actor=actor,
            event=Event(
                action=Action.CREATE if outcome == "created" else Action.CHANGE,
                object_type=OWNER,
                object_id=str(penalty.pk),
                detail={
                    "seller": seller.code,
                    "reason": reason,
                    "measure": measure,
                    "import": True,
                },
            ),
        )
    _terminate(penalty, actor)
    return outcome


#: the words of a reason as a filter offers them
REASONS: Final = tuple(r.value for r in Reason)
