"""The investigation of problem items, one service per step (PW-1 … PW-6, D1.7, D1.13).

new → distributed → investigating → submitted → verified → closed, with returned (back to
the investigator, with reasons) between submitted and a new submission. Every service:

- reads the item among those the principal may see (``listing.visible_to``), locked;
- asks ``cases.policy`` whether the principal may take the step, and django-fsm whether the
  item's stage allows it — a refusal is a :class:`CaseError` and changes nothing;
- writes the step to the item's timeline and to the audit trail, in one transaction.

The UPDATE of the stage is conditional on the stage read (``ConcurrentTransitionMixin``):
of two staff claiming one item at once, exactly one wins; the other is told it was taken.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from veracity.access.policy import record_refusal
from veracity.access.roles import RoleName
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases import policy
from veracity.cases.listing import (
    deadline_after_distribution,
    distribution_overdue_condition,
    own_book_only,
    visible_to,
)
from veracity.cases.models import (
    REQUESTABLE_KINDS,
    VERIFYING_KIND,
    CaseStep,
    ClueExplanation,
    Escalation,
    Evidence,
    EvidenceKind,
    Outcome,
    ProblemItem,
    ProblemItemMember,
    SavedQueueFilter,
    Stage,
    StepAction,
)
from veracity.cases.policy import CaseError, refuse, stage_name
from veracity.cases.selectors import (
    RUNNING,
    correctable_customers,
    item_members,
    open_items,
    without_sealed,
)
from veracity.core.conduct import Reason
from veracity.core.crypto import DecryptionError
from veracity.core.detection import Clue
from veracity.core.evidence import EvidenceRejected, check_file
from veracity.core.masking import mask
from veracity.customers.corrections import (
    Change,
    CorrectionError,
    changes_parse,
    customer_correct,
    customer_recheck,
)
from veracity.customers.numbers import archive_no_of_id
from veracity.db.batches import chunks
from veracity.db.bulk import insert_rows
from veracity.db.fields import field_crypto
from veracity.notify.services import tell
from veracity.org.actions import roles_for
from veracity.org.principals import Principal, acting_user, is_signed_in
from veracity.policies.models import Channel
from veracity.sales.models import Seller, SellerKind
from veracity.workcal.selectors import calendar

MAX_TEXT = 4000
MAX_DESCRIPTION = 300


def evidence_dir() -> Path:
    path = Path(settings.VERACITY_EVIDENCE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the common shape of a step ------------------------------------------------------------


def _item_for(principal: Principal, item_id: int) -> ProblemItem:
    """The item, locked, if ``principal`` may see it; otherwise "not found" (an item one may
    not see does not exist for one)."""
    item = (
        visible_to(principal=principal, action="cases.view")
        .select_for_update()
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise refuse("not_found", "item")
    return item


def _user_pk(principal: Principal) -> int | None:
    return getattr(acting_user(principal), "pk", None)


def _check(refusal: CaseError | None) -> None:
    if refusal is not None:
        raise refusal


def _move(item: ProblemItem, move: Callable[[], None], name_zh: str, name_en: str) -> str:
    """Take the transition; a stage that does not allow it is refused by name."""
    before = str(item.stage)
    try:
        move()
    except TransitionNotAllowed:
        raise refuse(
            "illegal_transition",
            "stage",
            stage_zh=stage_name(before),
            step_zh=name_zh,
            stage_en=stage_name(before, False),
            step_en=name_en,
        ) from None
    return before


def _save(item: ProblemItem, fields: Sequence[str]) -> None:
    try:
        item.save(update_fields=[*fields, "stage", "updated_at"])
    except ConcurrentTransition:
        raise refuse("taken", "stage") from None


def _step(
    item: ProblemItem,
    *,
    action: StepAction,
    principal: Principal,
    before: str = "",
    note: str = "",
    detail: Mapping[str, Any] | None = None,
) -> CaseStep:
    user = acting_user(principal)
    step = CaseStep.objects.create(
        item=item,
        action=action,
        from_stage=before,
        to_stage=item.stage if before else "",
        actor=user if getattr(user, "pk", None) else None,
        at=timezone.now(),
        note=note,
        detail=dict(detail or {}),
    )
    audit_record(
        actor=Actor.acting(principal) if getattr(user, "pk", None) else Actor.system("cases"),
        event=Event(
            action=Action.CASE_STEP,
            object_type="problem_item",
            object_id=str(item.pk),
            detail={
                "step": action.value,
                "from": before,
                "to": step.to_stage,
                **({"note": note[:500]} if note else {}),
                **dict(detail or {}),
            },
        ),
    )
    return step


def _text(value: str | None, name: str, *, required: bool, zh: str, en: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise refuse("required", name, what_zh=zh, what_en=en)
    if len(text) > MAX_TEXT:
        raise refuse("too_long", name, what_zh=zh, what_en=en, limit=MAX_TEXT)
    return text


# --- PW-1: distribution -------------------------------------------------------------------


def channels_of_item(item_id: int) -> list[str]:
    """The sales channels of the item's policies, most members first."""
    from django.db.models import Count

    return list(
        ProblemItemMember.objects.filter(item_id=item_id, policy__isnull=False)
        .values("policy__channel")
        .annotate(n=Count("id"))
        .order_by("-n", "policy__channel")
        .values_list("policy__channel", flat=True)
    )


def _callbacks(item: ProblemItem) -> list[date | None]:
    return list(
        ProblemItemMember.objects.filter(item_id=item.pk, policy__isnull=False).values_list(
            "policy__callback_due_on", flat=True
        )
    )


def _set_deadline(item: ProblemItem, as_of: date) -> None:
    deadline = deadline_after_distribution(as_of, _callbacks(item), calendar())
    item.distributed_on = deadline.distributed_on
    item.due_on = deadline.deadline
    item.due_basis = deadline.basis
    item.due_provisional = deadline.provisional


_DEADLINE_FIELDS = ("distributed_on", "due_on", "due_basis", "due_provisional")


@transaction.atomic
def problem_item_distribute(
    *,
    item_id: int,
    channel: str | None,
    principal: Principal,
    as_of: date | None = None,
    told: bool = True,
) -> ProblemItem:
    """Customer service sends the item to the management of a sales channel (by default the
    channel of most of its policies). The investigation is due 3 working days from today,
    or by the earliest cooling-off callback of its policies, whichever is earlier."""
    item = _item_for(principal, item_id)
    _check(policy.may_distribute(principal, item))
    chosen = channel or next(iter(channels_of_item(item.pk)), "")
    if chosen not in Channel.values:
        raise refuse("channel", "channel")
    before = _move(item, item.distribute, "分发", "distributed")
    item.assigned_channel = chosen
    _set_deadline(item, as_of or timezone.localdate())
    _save(item, ["assigned_channel", *_DEADLINE_FIELDS])
    _step(
        item,
        action=StepAction.DISTRIBUTE,
        principal=principal,
        before=before,
        detail={"channel": chosen, "due_on": str(item.due_on), "due_basis": item.due_basis},
    )
    if told:  # a bulk distribution tells once for all its items
        _tell_item(
            item,
            "problem_item_distributed",
            _distributed_to(chosen, [item.pk]).get(item.pk, []),
            principal,
            due_on=str(item.due_on or ""),
        )
    return item


def _distributed_to(channel: str, item_ids: Sequence[int]) -> dict[int, list[Any]]:
    """item → who is told it was distributed (D1.13): the channel's back-office and, at the
    same time, the team leaders of the item's sellers."""
    staff = _channel_staff(channel)
    leaders = _team_leaders(item_ids)
    return {pk: [*staff, *leaders.get(pk, [])] for pk in item_ids}


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, CaseError] = field(default_factory=dict)


def problem_items_distribute(
    *, item_ids: Sequence[int], channel: str | None, principal: Principal
) -> BulkResult:
    """Distribute many items; each in its own transaction, so one refusal (already taken,
    no channel) does not hold back the others, and each refusal is reported."""
    result = BulkResult()
    by_channel: dict[str, list[int]] = defaultdict(list)
    for item_id in dict.fromkeys(item_ids):
        try:
            item = problem_item_distribute(
                item_id=item_id, channel=channel, principal=principal, told=False
            )
        except CaseError as error:
            result.refused[item_id] = error
        else:
            result.done.append(item_id)
            by_channel[item.assigned_channel].append(item.pk)
    _tell_distributed(by_channel, principal)
    return result


def _tell_distributed(by_channel: Mapping[str, Sequence[int]], principal: Principal) -> None:
    """One notice per person for the items of a bulk distribution that reach them."""
    items_of: dict[int, list[int]] = defaultdict(list)
    people: dict[int, Any] = {}
    for chosen, ids in by_channel.items():
        for item_id, users in _distributed_to(chosen, ids).items():
            for user in users:
                people[user.pk] = user
                if item_id not in items_of[user.pk]:
                    items_of[user.pk].append(item_id)
    with transaction.atomic():
        for pk, ids in items_of.items():
            if len(ids) == 1:
                item = ProblemItem.objects.get(pk=ids[0])
                _tell_item(
                    item,
                    "problem_item_distributed",
                    [people[pk]],
                    principal,
                    due_on=str(item.due_on or ""),
                )
                continue
            numbers = [f"#{i}" for i in ids[:20]] + (["…"] if len(ids) > 20 else [])
            tell(
                [people[pk]],
                "problem_items_distributed",
                {"count": len(ids), "items": numbers},
                link="/problems/queue/?stage=distributed",
                exclude=[acting_user(principal)],
            )


# --- PW-2: investigation --------------------------------------------------------------------


@transaction.atomic
def problem_item_claim(*, item_id: int, principal: Principal) -> ProblemItem:
    """Channel back-office (or customer service itself) becomes the item's investigator.
    Customer service taking up a new item distributes it to itself: the deadline starts."""
    item = _item_for(principal, item_id)
    _check(policy.may_claim(principal, item))
    fields = ["assignee"]
    if item.distributed_on is None:
        _set_deadline(item, timezone.localdate())
        fields += _DEADLINE_FIELDS
    before = _move(item, item.claim, "认领", "claimed")
    item.assignee = acting_user(principal)
    _save(item, fields)
    _step(item, action=StepAction.CLAIM, principal=principal, before=before)
    return item


@transaction.atomic
def problem_item_note(*, item_id: int, principal: Principal, note: str) -> CaseStep:
    """A remark on the timeline (a callback made, a call to the agent)."""
    item = _item_for(principal, item_id)
    _check(policy.may_support(principal, item))
    text = _text(note, "note", required=True, zh="备注", en="the note")
    return _step(item, action=StepAction.NOTE, principal=principal, note=text)


def problem_item_callback_logged(
    *, item: ProblemItem, principal: Principal, policy_no: str, result: str
) -> CaseStep:
    """The result of a second callback (回访) of one policy on the item's timeline, written in
    the transaction of ``conduct.callbacks.callback_record``, which checked the caller's role
    and the item's state. Only the policy number and the result go on the timeline (the
    callback's own note stays with the callback)."""
    return _step(
        item,
        action=StepAction.CALLBACK,
        principal=principal,
        detail={"policy_no": policy_no, "result": result},
    )


@transaction.atomic
def problem_item_attach(
    *,
    item_id: int,
    principal: Principal,
    kind: str,
    description: str,
    filename: str,
    data: bytes,
) -> Evidence:
    """D1.13: a file of one of the evidence kinds, checked by its content (PDF, image or
    recording, at most 20 MB), stored encrypted with its SHA-256."""
    item = _item_for(principal, item_id)
    _check(policy.may_support(principal, item))
    if kind not in EvidenceKind.values:
        raise refuse("kind", "kind")
    text = _text(description, "description", required=True, zh="材料说明", en="a description")
    if len(text) > MAX_DESCRIPTION:
        raise refuse("too_long.description", "description", limit=MAX_DESCRIPTION)
    return _evidence_store(item, principal, kind=kind, text=text, filename=filename, data=data)


def _evidence_store(
    item: ProblemItem, principal: Principal, *, kind: str, text: str, filename: str, data: bytes
) -> Evidence:
    """The file checked, recorded and sealed (see :func:`problem_item_attach`)."""
    name = Path((filename or "").replace("\\", "/")).name.strip()[:200]
    if not name:
        raise refuse("required.file", "file")
    try:
        found = check_file(name, data)
    except EvidenceRejected as error:
        raise refuse(
            f"{error.code}.evidence_rejected",
            "file",
            message_zh=error.message_zh,
            message_en=error.message_en,
        ) from None
    stored_as = f"{uuid.uuid4().hex}.bin"
    evidence = Evidence.objects.create(
        item=item,
        kind=kind,
        description=text,
        filename=name,
        content_type=found.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_as=stored_as,
        uploaded_by=acting_user(principal),
        uploaded_at=timezone.now(),
    )
    _step(
        item,
        action=StepAction.EVIDENCE,
        principal=principal,
        detail={"evidence": evidence.pk, "kind": kind, "sha256": evidence.sha256},
    )
    # Written last: a failed write rolls the row back. A file left by a failed commit is
    # unreferenced and sealed; the semi-annual inspection lists such orphans.
    sealed = field_crypto().encrypt_bytes(data, aad=f"evidence:{stored_as}")
    (evidence_dir() / stored_as).write_bytes(sealed)
    return evidence


@transaction.atomic
def problem_item_statement(
    *,
    item_id: int,
    principal: Principal,
    statement: str,
    filename: str = "",
    data: bytes = b"",
) -> CaseStep:
    """D1.13: the agent who sold one of the item's policies explains the case (情况说明),
    under their team leader. The text goes on the timeline; a signed copy (PDF or image),
    when given, is kept as evidence of the kind "agent's statement". The agent takes no
    other step on the item."""
    item = _item_for(principal, item_id)
    _check(policy.may_state(principal, item))
    text = _text(statement, "statement", required=True, zh="情况说明", en="the statement")
    detail: dict[str, Any] = {}
    if data or filename:
        evidence = _evidence_store(
            item,
            principal,
            kind=EvidenceKind.AGENT_STATEMENT.value,
            text=text[:MAX_DESCRIPTION],
            filename=filename,
            data=data,
        )
        detail["evidence"] = evidence.pk
    step = _step(item, action=StepAction.STATEMENT, principal=principal, note=text, detail=detail)
    # the investigator works with it, the team leader supervises the agent who gave it
    readers = [item.assignee] if item.assignee_id else []
    readers += _team_leaders([item.pk]).get(item.pk, [])
    _tell_item(item, "problem_item_statement", readers, principal, by=_name(principal))
    return step


def evidence_read(*, evidence_id: int, principal: Principal) -> tuple[Evidence, bytes]:
    """The original bytes of an evidence file, checked against its SHA-256; the read is
    audited with the principal's stated purpose (the file holds personal data), refused
    without one."""
    evidence = Evidence.objects.select_related("item").filter(pk=evidence_id).first()
    if (
        evidence is None
        # an agent reads only the statements they gave, not the item's other evidence
        or (own_book_only(principal) and evidence.uploaded_by_id != _user_pk(principal))
        or not visible_to(principal=principal, action="cases.view")
        .filter(pk=evidence.item_id)
        .exists()
    ):
        # recorded alike whether the file exists or not (the same answer either way)
        if is_signed_in(principal):
            record_refusal(
                actor=Actor.of_principal(principal),
                action="cases.view",
                object_type="evidence",
                object_id=str(evidence_id),
            )
        raise refuse("not_found.evidence", "evidence")
    purpose = (principal.purpose or "").strip()
    if not purpose:
        raise refuse("purpose", "purpose")
    try:
        sealed = (evidence_dir() / evidence.stored_as).read_bytes()
    except FileNotFoundError:
        raise refuse("missing", "evidence") from None
    try:
        data = field_crypto().decrypt_bytes(sealed, aad=f"evidence:{evidence.stored_as}")
    except DecryptionError:
        # altered, truncated, swapped for another item's file or replaced by plaintext:
        # the seal (AES-GCM, bound to the file's name) no longer holds
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise refuse("tampered", "evidence")
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.VIEW_PERSONAL_DATA,
            object_type="evidence",
            object_id=str(evidence.pk),
            purpose=purpose[:200],
            detail={"item": evidence.item_id, "sha256": evidence.sha256},
        ),
    )
    return evidence, data


# --- submission -----------------------------------------------------------------------------


def _member_customers(item: ProblemItem) -> set[int]:
    return set(item.members.values_list("customer_id", flat=True))


def _item_sellers(item: ProblemItem) -> dict[str, int]:
    """code → id of the sellers of the item's policies."""

    policies = ProblemItemMember.objects.filter(item_id=item.pk).values("policy_id")
    return dict(Seller.objects.filter(policies__in=policies).values_list("code", "pk").distinct())


def item_agencies(item_id: int) -> dict[str, int]:
    """code → id of the agencies of the item's policies: the policy's own agency, or the
    agency its seller works for (D1.23: an escalation may name the agency too)."""
    policies = ProblemItemMember.objects.filter(item_id=item_id).values("policy_id")
    condition = Q(agency_policies__in=policies) | Q(staff__policies__in=policies)
    return dict(
        Seller.objects.filter(condition, kind=SellerKind.AGENCY)
        .values_list("code", "pk")
        .distinct()
    )


def item_sellers(item_id: int) -> dict[str, int]:
    """code → id of the sellers of the item's policies (for the submit form)."""
    policies = ProblemItemMember.objects.filter(item_id=item_id).values("policy_id")
    return dict(Seller.objects.filter(policies__in=policies).values_list("code", "pk").distinct())


#: What the investigator may name as the misconduct of an escalation (``core.conduct.Reason``).
MISCONDUCTS = tuple(r.value for r in Reason)

#: Callbacks told of the escalations a verification records, inside its transaction:
#: ``callback(escalations, principal)``. The owners above (``veracity.conduct``) register
#: here at app ready; cases never imports them.
_ESCALATION_HOOKS: list[Callable[[Sequence[Escalation], Principal], object]] = []


def on_escalation(callback: Callable[[Sequence[Escalation], Principal], object]) -> None:
    """Register ``callback`` for verified escalations (registering twice is harmless)."""
    if callback not in _ESCALATION_HOOKS:
        _ESCALATION_HOOKS.append(callback)


@transaction.atomic
def problem_item_submit(
    *,
    item_id: int,
    principal: Principal,
    outcome: str,
    findings: str,
    changes: Sequence[Mapping[str, Any]] | None = None,
    seller_codes: Sequence[str] | None = None,
    agency_code: str | None = None,
    misconduct: str | None = None,
) -> ProblemItem:
    """The investigator hands in the findings and the outcome: ``corrected`` with the
    corrected values (applied when verified), ``explained`` (the data is true), or
    ``escalated`` with the seller(s) and/or the agency whose misconduct it is and what the
    misconduct is (``misconduct``, a ``core.conduct.Reason``; false data by default)."""
    item = _item_for(principal, item_id)
    _check(policy.may_investigate(principal, item))
    if outcome not in Outcome.values:
        raise refuse("outcome", "outcome")
    text = _text(findings, "findings", required=True, zh="调查结果", en="the findings")
    correction: dict[str, Any] | None = None
    if outcome == Outcome.CORRECTED:
        try:
            allowed = set(correctable_customers(item.pk, principal=principal))
            parsed = changes_parse(changes or [], allowed_customers=allowed)
        except CorrectionError as error:
            raise refuse(
                "correction",
                error.field,
                message_zh=error.message_zh,
                message_en=error.message_en,
            ) from None
        correction = {"changes": [_sealed(item, c) for c in parsed]}
    elif outcome == Outcome.ESCALATED:
        sellers = _item_sellers(item)
        agency = (agency_code or "").strip()
        codes = [c for c in dict.fromkeys(seller_codes or []) if c] or (
            list(sellers) if len(sellers) == 1 and not agency else []
        )
        unknown = [c for c in codes if c not in sellers]
        if unknown or not (codes or agency):
            raise refuse("seller", "seller_codes")
        if agency and agency not in item_agencies(item.pk):
            raise refuse("agency", "agency_code")
        kind = (misconduct or Reason.FALSE_DATA.value).strip()
        if kind not in MISCONDUCTS:
            raise refuse("misconduct", "misconduct")
        if kind == Reason.REFUSED_TRUE_DATA and (codes or not agency):
            raise refuse("misconduct_agency", "misconduct")
        correction = {"sellers": codes, "misconduct": kind}
        if agency:
            correction["agency"] = agency
    before = _move(item, item.submit, "提交", "submitted")
    item.outcome, item.findings, item.correction = outcome, text, correction
    _save(item, ["outcome", "findings", "correction"])
    _step(
        item,
        action=StepAction.SUBMIT,
        principal=principal,
        before=before,
        note=text,
        detail={
            "outcome": outcome,
            # who the findings are about: customers who join the clue later were not looked at
            "members": sorted(_member_customers(item)),
            **({"correction": _shown(correction)} if correction else {}),
        },
    )
    _tell_item(
        item, "problem_item_submitted", _verifiers(), principal, investigator=_name(principal)
    )
    return item


#: How each corrected value is shown (the true values are personal data: sealed, never in
#: the timeline or the audit trail in clear).
_SHOWN_AS = {
    "name": "name",
    "phone": "phone",
    "address": "address",
    "account": "account",
    "id_number": "id_number",
}


def _correction_aad(item: ProblemItem) -> str:
    return f"detection_problemitem.correction:{item.pk}"


def _sealed(item: ProblemItem, change: Any) -> dict[str, Any]:
    """A proposed change as kept on the item until verification: the value encrypted (bound
    to this item) and a masked copy to show."""
    kind = _SHOWN_AS.get(change.field)
    return {
        "customer_id": change.customer_id,
        "field": change.field,
        "record_id": change.record_id,
        "value": mask(change.value, kind) if kind else change.value,
        "sealed": field_crypto().encrypt(change.value, aad=_correction_aad(item)),
    }


def _unsealed(item: ProblemItem, raw: Mapping[str, Any]) -> Any:

    return Change(
        customer_id=int(raw["customer_id"]),
        field=str(raw["field"]),
        value=field_crypto().decrypt(str(raw["sealed"]), aad=_correction_aad(item)),
        record_id=raw.get("record_id"),
    )


def _shown(correction: Mapping[str, Any]) -> dict[str, Any]:
    """The correction without its sealed values (for the timeline and the audit trail)."""

    return without_sealed(dict(correction)) or {}


# --- PW-4: verification ------------------------------------------------------------------


def _newcomers(item: ProblemItem) -> list[int]:
    """Customers a detection run added to the item after the findings were submitted."""
    submitted = (
        CaseStep.objects.filter(item=item, action=StepAction.SUBMIT).order_by("-at", "-id").first()
    )
    if submitted is None or "members" not in submitted.detail:
        return []
    seen = {int(c) for c in submitted.detail["members"]}
    return sorted(_member_customers(item) - seen)


def _check_no_newcomers(item: ProblemItem) -> None:
    newcomers = _newcomers(item)
    if newcomers:
        listed = ", ".join(archive_no_of_id(c) for c in newcomers[:10])
        raise refuse("new_members", "members", listed=listed)


def requested_kinds_parse(kinds: Sequence[str] | None) -> list[str]:
    """The evidence kinds a return asks for, each once, in the order of
    :data:`REQUESTABLE_KINDS`; an unknown kind is refused (field ``requested_kinds``)."""
    wanted = {str(k).strip() for k in kinds or () if str(k).strip()}
    allowed = {k.value for k in REQUESTABLE_KINDS}
    if wanted - allowed:
        raise refuse("requested_kind", "requested_kinds")
    return [k.value for k in REQUESTABLE_KINDS if k.value in wanted]


@transaction.atomic
def problem_item_return(
    *,
    item_id: int,
    principal: Principal,
    reason: str,
    requested_kinds: Sequence[str] | None = None,
) -> ProblemItem:
    """The findings go back to the investigator, with the reasons and, where needed
    (D1.13), the kinds of evidence to add (``requested_kinds``: of
    :data:`REQUESTABLE_KINDS` — the partner's or the agent's statement, the investigator's
    signed report …), recorded on the step and shown to the investigator."""
    item = _item_for(principal, item_id)
    _check(policy.may_verify(principal, item))
    text = _text(reason, "reason", required=True, zh="退回原因", en="the reason")
    requested = requested_kinds_parse(requested_kinds)
    before = _move(item, item.send_back, "退回", "returned")
    item.returned_times += 1
    _save(item, ["returned_times"])
    _step(
        item,
        action=StepAction.RETURN,
        principal=principal,
        before=before,
        note=text,
        detail={"requested_kinds": requested} if requested else None,
    )
    _tell_item(
        item,
        "problem_item_returned",
        [item.assignee],
        principal,
        by=_name(principal),
        reason=text[:200],
    )
    return item


@transaction.atomic
def problem_item_verify(
    *, item_id: int, principal: Principal, note: str = "", as_of: date | None = None
) -> ProblemItem:
    """Compliance or customer service accepts the result (PW-4), which then takes effect:
    corrected values are written as a recorded change and the customers re-checked;
    an explanation lifts the clue for these customers; an escalation is recorded against
    the seller and referred to channel management and compliance. Needs at least the
    customer's signed confirmation among the evidence (D1.13: the customer's proof with
    signed confirmation; the other kinds where the verifier asks for them on a return)."""
    item = _item_for(principal, item_id)
    _check(policy.may_verify(principal, item))
    text = _text(note, "note", required=False, zh="核实意见", en="the note")
    if item.stage == Stage.SUBMITTED:
        _check_no_newcomers(item)
    kinds = set(item.evidence_files.values_list("kind", flat=True))
    if item.stage == Stage.SUBMITTED and VERIFYING_KIND.value not in kinds:
        raise refuse("evidence", "evidence")
    before = _move(item, item.verify, "核实", "verified")
    _save(item, [])
    _step(item, action=StepAction.VERIFY, principal=principal, before=before, note=text)
    today = as_of or timezone.localdate()
    if item.outcome == Outcome.CORRECTED:
        _apply_correction(item, principal, today)
    elif item.outcome == Outcome.EXPLAINED:
        ClueExplanation.objects.create(
            rule=item.rule,
            key=item.key,
            customer_ids=sorted(_member_customers(item)),
            item=item,
            explained_at=timezone.now(),
        )
    elif item.outcome == Outcome.ESCALATED:
        _escalate(item, principal)
    _tell_item(item, "problem_item_verified", _handlers(item), principal, by=_name(principal))
    return item


def _apply_correction(item: ProblemItem, principal: Principal, today: date) -> None:
    raw = (item.correction or {}).get("changes", [])
    changes = [_unsealed(item, c) for c in raw]
    try:
        customer_correct(
            changes=changes, principal=principal, reason=f"problem item #{item.pk}", as_of=today
        )
    except CorrectionError as error:
        raise refuse(
            "correction",
            error.field,
            message_zh=error.message_zh,
            message_en=error.message_en,
        ) from None
    _step(item, action=StepAction.CORRECT, principal=principal, detail={"changes": len(changes)})
    customers = sorted({c.customer_id for c in changes})
    gate = {cid: [f.to_dict() for f in customer_recheck(cid, as_of=today)] for cid in customers}
    clues = clue_recheck(customer_ids=customers, business_date=today)
    still = sorted({f"{c.rule.value}:{c.key}" for found in clues.values() for c in found})
    _step(
        item,
        action=StepAction.RECHECK,
        principal=principal,
        detail={
            "gate": {str(cid): [f["code"] for f in found] for cid, found in gate.items()},
            "clues": still[:50],
            "same_clue": f"{item.rule}:{item.key}" in still,
        },
    )


def _escalate(item: ProblemItem, principal: Principal) -> None:

    user = acting_user(principal)
    correction = item.correction or {}
    codes = list(correction.get("sellers", []))
    agency = correction.get("agency") or ""
    misconduct = correction.get("misconduct") or Reason.FALSE_DATA.value
    named = [*codes, agency] if agency else codes
    sellers = list(Seller.objects.filter(code__in=named).select_related("leader"))
    now = timezone.now()
    escalations = []
    for seller in sellers:
        escalation, _created = Escalation.objects.update_or_create(
            item=item,
            seller=seller,
            defaults={
                "reason": item.findings,
                "misconduct": misconduct,
                "escalated_by": user,
                "escalated_at": now,
            },
        )
        escalations.append(escalation)
    detail: dict[str, Any] = {"sellers": codes, "misconduct": misconduct}
    if agency:
        detail["agency"] = agency
    _step(item, action=StepAction.ESCALATE, principal=principal, detail=detail)
    _tell_item(
        item,
        "problem_item_escalated",
        _supervisors(item, sellers),
        principal,
        tell_actor=True,
        sellers=named,
    )
    for hook in _ESCALATION_HOOKS:
        hook(escalations, principal)


def _tell_item(
    item: ProblemItem,
    kind: str,
    users: Iterable[Any],
    principal: Principal,
    *,
    tell_actor: bool = False,
    **params: Any,
) -> None:
    """Tell ``users`` of a hand-off of ``item``, linking to it; the person acting is not told
    of their own step unless ``tell_actor`` (an escalation goes on compliance's record)."""
    tell(
        users,
        kind,
        {"item": f"#{item.pk}", **params},
        link=f"/problems/{item.pk}/",
        object_type="problem_item",
        object_id=item.pk,
        exclude=[] if tell_actor else [acting_user(principal)],
    )


def _name(principal: Principal) -> str:
    user = acting_user(principal)
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _verifiers() -> list[Any]:
    """The people who may verify an item's findings (the roles of ``cases.verify``)."""
    from django.contrib.auth import get_user_model

    roles = [r.value for r in roles_for("cases.verify")]
    return list(get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct())


def _handlers(item: ProblemItem) -> list[Any]:
    """The investigator and the person who distributed the item."""
    distributed_by = (
        CaseStep.objects.filter(item=item, action=StepAction.DISTRIBUTE, actor__isnull=False)
        .order_by("-at")
        .values_list("actor_id", flat=True)
        .first()
    )
    from django.contrib.auth import get_user_model

    people = [item.assignee] if item.assignee_id else []
    if distributed_by:
        people += list(get_user_model().objects.filter(pk=distributed_by))
    return people


def _supervisors(item: ProblemItem, sellers: Sequence[Any] = ()) -> list[Any]:
    """Compliance, the channel management of the item's channel and the sellers' team
    leaders: those who supervise an escalated or overdue item (PW-6)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    condition = Q(groups__name=RoleName.COMPLIANCE.value)
    if item.assigned_channel:
        # the channel's back-office and its channel management (销售渠道管理部门)
        condition |= Q(
            groups__name__in=[
                RoleName.CHANNEL_BACKOFFICE.value,
                RoleName.CHANNEL_MANAGEMENT.value,
            ],
            staff_profile__channel=item.assigned_channel,
        )
    leaders = [s.leader.user_id for s in sellers if s.leader_id and s.leader.user_id]
    if leaders:
        condition |= Q(pk__in=leaders)
    return list(user_model.objects.filter(condition, is_active=True).distinct())


@transaction.atomic
def problem_item_close(*, item_id: int, principal: Principal, note: str = "") -> ProblemItem:
    """A verified item leaves the list; its evidence stays (retention decides later)."""
    item = _item_for(principal, item_id)
    _check(policy.may_close(principal, item))
    text = _text(note, "note", required=False, zh="备注", en="the note")
    if item.stage == Stage.VERIFIED:
        _check_no_newcomers(item)
    before = _move(item, item.close, "关闭", "closed")
    item.status = ProblemItem.Status.CLOSED
    item.closed_on = timezone.localdate()
    _save(item, ["status", "closed_on"])
    _step(item, action=StepAction.CLOSE, principal=principal, before=before, note=text)
    _tell_item(item, "problem_item_closed", _handlers(item), principal, by=_name(principal))
    return item


# --- PW-6: overdue ----------------------------------------------------------------------------


def problem_items_overdue_notify(*, as_of: date | None = None) -> int:
    """The daily notice of items past their investigation deadline: each investigator (or,
    for unclaimed items, the back-office of the channel they were sent to), the team leaders
    of the items' sellers and compliance get one notice listing their overdue items. Each
    item's timeline records the notice once a day; a second call for the same day sends
    nothing again. Returns the number of overdue items."""
    from collections import defaultdict

    from django.contrib.auth import get_user_model

    today = as_of or timezone.localdate()
    undistributed = _undistributed_overdue_notify(today)
    overdue = list(
        ProblemItem.objects.filter(
            status=ProblemItem.Status.OPEN, stage__in=RUNNING, due_on__lt=today
        )
        .select_related("assignee")
        .order_by("due_on", "pk")
    )
    if not overdue:
        return undistributed
    with transaction.atomic():
        # Once a day: a rerun for the same day (a retried job, a run by hand) repeats
        # neither the step nor the notice. The day is the one noticed for, not the clock's.
        noticed = set(
            CaseStep.objects.filter(
                item__in=[i.pk for i in overdue],
                action=StepAction.OVERDUE,
                detail__on=today.isoformat(),
            ).values_list("item_id", flat=True)
        )
        fresh = [item for item in overdue if item.pk not in noticed]
        if not fresh:
            return len(overdue) + undistributed
        users = get_user_model().objects.filter(is_active=True)
        compliance = list(users.filter(groups__name=RoleName.COMPLIANCE.value))
        by_user: dict[int, list[ProblemItem]] = defaultdict(list)
        people: dict[int, Any] = {}
        leaders = _team_leaders([i.pk for i in fresh])
        staff: dict[str, list[Any]] = {}
        for item in fresh:
            if item.assignee_id and item.assignee.is_active:
                owners = [item.assignee]
            else:  # unclaimed, or the investigator has left: the channel's back-office
                channel = item.assigned_channel
                if channel not in staff:
                    staff[channel] = _channel_staff(channel)
                owners = staff[channel]
            for user in [*owners, *leaders.get(item.pk, []), *compliance]:
                if user is not None:
                    people[user.pk] = user
                    by_user[user.pk].append(item)
        now = timezone.now()
        CaseStep.objects.bulk_create(
            CaseStep(
                item=item,
                action=StepAction.OVERDUE,
                at=now,
                detail={"due_on": str(item.due_on), "on": today.isoformat()},
            )
            for item in fresh
        )
        for pk, items in by_user.items():
            numbers = [f"#{i.pk}" for i in items[:20]] + (["…"] if len(items) > 20 else [])
            tell(
                [people[pk]],
                "problem_item_overdue",
                {"count": len(items), "items": numbers},
                link="/problems/overdue/",
            )
    return len(overdue) + undistributed


@transaction.atomic
def _undistributed_overdue_notify(today: date) -> int:
    """D1.13: the new items customer service has not distributed within 1 working day of
    their creation; customer service gets one notice listing them (once a day, like the
    investigation's overdue notice). Returns the number of such items."""
    from django.contrib.auth import get_user_model

    late = list(
        ProblemItem.objects.filter(distribution_overdue_condition(today, calendar())).order_by(
            "created_at", "pk"
        )
    )
    if not late:
        return 0
    noticed = set(
        CaseStep.objects.filter(
            item__in=[i.pk for i in late],
            action=StepAction.OVERDUE,
            detail__on=today.isoformat(),
        ).values_list("item_id", flat=True)
    )
    fresh = [item for item in late if item.pk not in noticed]
    if not fresh:
        return len(late)
    now = timezone.now()
    CaseStep.objects.bulk_create(
        CaseStep(
            item=item,
            action=StepAction.OVERDUE,
            at=now,
            detail={
                "undistributed": True,
                "created_on": timezone.localtime(item.created_at).date().isoformat(),
                "on": today.isoformat(),
            },
        )
        for item in fresh
    )
    service = list(
        get_user_model().objects.filter(
            is_active=True, groups__name=RoleName.CUSTOMER_SERVICE.value
        )
    )
    if service:
        numbers = [f"#{i.pk}" for i in fresh[:20]] + (["…"] if len(fresh) > 20 else [])
        tell(
            service,
            "problem_item_undistributed",
            {"count": len(fresh), "items": numbers},
            link="/problems/queue/?stage=new",
        )
    return len(late)


def _channel_staff(channel: str) -> list[Any]:
    from django.contrib.auth import get_user_model

    if not channel:
        return []
    return list(
        get_user_model().objects.filter(
            is_active=True,
            groups__name=RoleName.CHANNEL_BACKOFFICE.value,
            staff_profile__channel=channel,
        )
    )


def _team_leaders(item_ids: Sequence[int]) -> dict[int, list[Any]]:
    """item → the users leading the teams of the sellers of its policies."""
    from collections import defaultdict

    from django.contrib.auth import get_user_model

    rows = (
        ProblemItemMember.objects.filter(
            item_id__in=item_ids, policy__seller__leader__user__isnull=False
        )
        .values_list("item_id", "policy__seller__leader__user_id")
        .distinct()
    )
    pairs = list(rows)
    users = get_user_model().objects.in_bulk({u for _i, u in pairs})
    out: dict[int, list[Any]] = defaultdict(list)
    for item_id, user_id in pairs:
        if user_id in users and users[user_id].is_active:
            out[item_id].append(users[user_id])
    return out


# --- the work queue's saved filters ----------------------------------------------------------

#: The filters a saved queue filter may hold: the stage tab and the queue's own filters.
QUEUE_FILTER_KEYS = ("stage", "rule", "channel", "seller")
MAX_SAVED_FILTERS = 20
MAX_FILTER_NAME = 60


def _queue_query(query: Mapping[str, Any]) -> dict[str, str]:
    """The filters as the queue's URL carries them, each value checked."""
    from veracity.cases.models import RuleCode

    allowed = {
        "stage": set(Stage.values) - {Stage.CLOSED.value},
        "rule": set(RuleCode.values),
        "channel": set(Channel.values),
    }
    out: dict[str, str] = {}
    for key in QUEUE_FILTER_KEYS:
        value = str(query.get(key) or "").strip()
        if not value:
            continue
        known = allowed.get(key)
        if (known is not None and value not in known) or (
            key == "seller" and (len(value) > 32 or not value.isprintable())
        ):
            raise refuse("filter_value", key)
        out[key] = value
    return out


@transaction.atomic
def queue_filter_save(
    *, principal: Principal, name: str, query: Mapping[str, Any]
) -> SavedQueueFilter:
    """Keep the work queue's current filters (stage tab included) under ``name`` for
    ``principal``'s person; the same name again replaces them. At most
    :data:`MAX_SAVED_FILTERS` per person."""
    user = acting_user(principal)
    if getattr(user, "pk", None) is None:
        raise refuse("role", "user", action_zh="保存筛选条件", action_en="save filters")
    label = (name or "").strip()
    if not label:
        raise refuse("required", "filter_name", what_zh="筛选名称", what_en="a name")
    if len(label) > MAX_FILTER_NAME or not label.isprintable():
        raise refuse(
            "too_long", "filter_name", what_zh="筛选名称", what_en="the name", limit=MAX_FILTER_NAME
        )
    filters = _queue_query(query)
    mine = SavedQueueFilter.objects.select_for_update().filter(user_id=user.pk)
    if not mine.filter(name=label).exists() and mine.count() >= MAX_SAVED_FILTERS:
        raise refuse("filters_full", "filter_name", limit=MAX_SAVED_FILTERS)
    saved, _created = SavedQueueFilter.objects.update_or_create(
        user_id=user.pk, name=label, defaults={"query": filters}
    )
    return saved


def queue_filter_delete(*, principal: Principal, filter_id: int) -> None:
    """Remove one of ``principal``'s own saved filters; another person's (or none) is not
    found, and the attempt is recorded."""
    user_pk = _user_pk(principal)
    deleted = 0
    if user_pk is not None:
        deleted, _rows = SavedQueueFilter.objects.filter(pk=filter_id, user_id=user_pk).delete()
    if not deleted:
        if is_signed_in(principal):
            record_refusal(
                actor=Actor.of_principal(principal),
                action="cases.view",
                object_type="saved_queue_filter",
                object_id=str(filter_id),
            )
        raise refuse("not_found.filter", "filter")


# --- retention (D4.25) ----------------------------------------------------------------------


def evidence_destroy(item_ids: Sequence[int]) -> int:
    """Delete the evidence of closed items: the rows now, the sealed files once the
    destruction commits. Returns the number of files."""
    rows = Evidence.objects.filter(
        item_id__in=list(item_ids), item__status=ProblemItem.Status.CLOSED
    )
    names = list(rows.values_list("stored_as", flat=True))
    rows.delete()
    folder = evidence_dir()

    def unlink() -> None:
        for name in names:
            (folder / name).unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return len(names)


def correction_unsealed(item_ids: Sequence[int]) -> int:
    """Remove the sealed corrected values from closed items (the masked copies stay)."""
    changed = 0
    closed = ProblemItem.objects.filter(
        pk__in=list(item_ids), status=ProblemItem.Status.CLOSED, correction__isnull=False
    )
    for item in closed.only("pk", "correction"):
        shown = _shown(item.correction or {})
        if shown != item.correction:
            ProblemItem.objects.filter(pk=item.pk).update(correction=shown)
            changed += 1
    return changed


# --- the list (D1.7): detection's clues open items or extend them ---------------------------


def problem_items_open_or_extend(
    clues: Sequence[Clue],
    *,
    business_date: date,
    policies_of: Mapping[int, set[int]],
    created_by: Any = None,
) -> dict[str, int]:
    """The one way problem items come into being or grow: one open item per (rule, key) —
    a new clue opens an item, a known one adds its new customers to the open item and is
    seen again (``last_seen_on``; reason, severity and evidence as the clue now reads).

    ``clues`` are those that stand (detection drops what an investigation explained);
    ``policies_of`` maps each customer to its policies as the rules read them, so that a
    member carries the policies the clue names. ``created_by``: who added the items by hand.

    Set-based: a full run over a large book yields tens of thousands of clues, so items and
    members are read and written in batches (new rows by ``COPY``), never one query per
    clue. Returns how many clues opened, extended or left unchanged an item."""
    counts = {"opened": 0, "extended": 0, "unchanged": 0}
    if not clues:
        return counts
    known = open_items(sorted({c.key for c in clues}))
    fresh = {(c.rule.value, c.key): c for c in clues if (c.rule.value, c.key) not in known}
    fields: tuple[str, ...] = _ITEM_FIELDS
    rows = [_item_row(clue, business_date) for clue in fresh.values()]
    if created_by is not None:
        fields, rows = (*fields, "created_by_id"), [(*r, created_by.pk) for r in rows]
    fresh_ids = insert_rows(ProblemItem, fields, rows)
    ids = {**known, **dict(zip(fresh, fresh_ids, strict=True))}
    have: dict[int, set[tuple[int, int | None]]] = {i: set() for i in ids.values()}
    for item_id, cid, pid in item_members(sorted(known.values())):
        have[item_id].add((cid, pid))
    new_members: list[tuple[int, int, int | None, date]] = []
    seen_again: dict[int, Clue] = {}
    for clue in clues:
        ident = (clue.rule.value, clue.key)
        item_id = ids[ident]
        added = sorted(
            _wanted_members(clue, policies_of) - have[item_id], key=lambda m: (m[0], m[1] or 0)
        )
        have[item_id] |= set(added)
        new_members += [(item_id, cid, pid, business_date) for cid, pid in added]
        if ident in fresh:
            counts["opened"] += 1
        else:
            seen_again[item_id] = clue
            counts["extended" if added else "unchanged"] += 1
    insert_rows(ProblemItemMember, ("item_id", "customer_id", "policy_id", "added_on"), new_members)
    _seen_again(seen_again, business_date)
    return counts


_ITEM_FIELDS = (
    "rule",
    "key",
    "severity",
    "shared_value",
    "reason_zh",
    "reason_en",
    "evidence",
    "first_seen_on",
    "last_seen_on",
)


def _item_row(clue: Clue, business_date: date) -> tuple[Any, ...]:
    return (
        clue.rule.value,
        clue.key,
        clue.severity,
        str(clue.evidence.get("value", ""))[:80],
        clue.reason_zh,
        clue.reason_en,
        dict(clue.evidence),
        business_date,
        business_date,
    )


def _wanted_members(clue: Clue, policies_of: Mapping[int, set[int]]) -> set[tuple[int, int | None]]:
    """(customer, policy) pairs of a clue: each customer with those of its policies the clue
    names, or alone when it names none of them."""
    named = set(clue.policies)
    wanted: set[tuple[int, int | None]] = set()
    for cid in clue.customers:
        wanted |= {(cid, pid) for pid in policies_of.get(cid, set()) & named} or {(cid, None)}
    return wanted


def _seen_again(by_id: Mapping[int, Clue], business_date: date) -> None:
    """Known clues seen again: the last-seen date moves on (one statement per batch); the
    reason, severity and evidence are rewritten only where the clue now reads otherwise."""
    for batch in chunks(sorted(by_id)):
        ProblemItem.objects.filter(pk__in=batch, last_seen_on__lt=business_date).update(
            last_seen_on=business_date, updated_at=timezone.now()
        )
    changed = []
    for batch in chunks(sorted(by_id)):
        for item in ProblemItem.objects.filter(pk__in=batch).only(
            "reason_zh", "reason_en", "severity", "evidence"
        ):
            clue = by_id[item.pk]
            now = (clue.reason_zh, clue.reason_en, clue.severity, dict(clue.evidence))
            if (item.reason_zh, item.reason_en, item.severity, item.evidence) != now:
                item.reason_zh, item.reason_en, item.severity, item.evidence = now
                item.updated_at = timezone.now()
                changed.append(item)
    fields = ["reason_zh", "reason_en", "severity", "evidence", "updated_at"]
    for batch in chunks(changed, 1000):
        ProblemItem.objects.bulk_update(batch, fields)


# --- PW-4: the re-check of corrected customers ---------------------------------------------

#: Runs the detection rules again over these customers' data as it now stands and hands the
#: clues still found to :func:`problem_items_open_or_extend`; returns them per rule. The
#: rules belong to detection, which sits above cases: it provides this when its app is ready
#: (:func:`clue_recheck_provide`), so cases never imports detection.
ClueRecheck = Callable[..., Mapping[str, Sequence[Clue]]]

_PROVIDED: dict[str, ClueRecheck] = {}


def clue_recheck_provide(recheck: ClueRecheck) -> None:
    """Detection's re-check: ``recheck(customer_ids=..., business_date=...)``."""
    _PROVIDED["recheck"] = recheck


def clue_recheck(
    *, customer_ids: Sequence[int], business_date: date
) -> Mapping[str, Sequence[Clue]]:
    """The clues that still involve these customers after a correction, per rule."""
    try:
        recheck = _PROVIDED["recheck"]
    except KeyError:
        raise RuntimeError("no clue re-check provided: is the detection app installed?") from None
    return recheck(customer_ids=customer_ids, business_date=business_date)
