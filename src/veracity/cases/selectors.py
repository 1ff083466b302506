"""Reading cases: each role's work queue, one item with its timeline, the overdue picture.

Everything starts from ``listing.visible_to`` and every read that shows members (personal
data, even masked) is audited with its purpose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from veracity.access.policy import record_refusal
from veracity.access.roles import RoleName, roles_of
from veracity.audit.services import Actor
from veracity.cases import policy
from veracity.cases.listing import (
    ProblemItemRow,
    ProblemList,
    distribution_cutoff,
    filtered_items,
    own_book_only,
    problem_items,
    visible_to,
)
from veracity.cases.models import (
    CaseStep,
    Escalation,
    Evidence,
    EvidenceKind,
    ProblemItem,
    ProblemItemMember,
    SavedQueueFilter,
    Stage,
    StepAction,
)
from veracity.core.masking import mask
from veracity.customers.models import Address, BankAccount, Customer, IdentityDocument, Phone
from veracity.customers.selectors import mask_policy
from veracity.customers.selectors import visible_to as customers_visible_to
from veracity.db.batches import filter_sql, in_batches, rows
from veracity.org.principals import Principal, acting_user, is_signed_in
from veracity.org.selectors import channels_of
from veracity.workcal.selectors import calendar

#: Stages in which the investigation clock runs.
RUNNING = (Stage.DISTRIBUTED, Stage.INVESTIGATING, Stage.RETURNED)
OPEN_STAGES = tuple(s for s in Stage.values if s != Stage.CLOSED)


def queue_condition(*, principal: Principal) -> Q:
    """What waits for ``principal``'s action (a team leader follows all the team's open items):

    - customer service: new items to distribute, findings to verify, verified items to
      close, and what it investigates itself;
    - channel back-office: items distributed to its channel and not yet claimed, and its
      own investigations (returned ones included);
    - compliance: findings to verify and verified items to close."""
    user = acting_user(principal)
    roles = roles_of(user)
    mine = Q(assignee_id=getattr(user, "pk", None), stage__in=[Stage.INVESTIGATING, Stage.RETURNED])
    condition = Q(pk__in=[])
    if roles & policy.DISTRIBUTORS:
        condition |= Q(stage=Stage.NEW) | mine
    if roles & policy.VERIFIERS:
        condition |= Q(stage__in=[Stage.SUBMITTED, Stage.VERIFIED]) & ~Q(
            assignee_id=getattr(user, "pk", None)
        )
    if RoleName.CHANNEL_BACKOFFICE in roles:
        condition |= Q(stage=Stage.DISTRIBUTED, assigned_channel__in=channels_of(user)) | mine
    if RoleName.TEAM_LEADER in roles or own_book_only(principal):
        # team leaders follow their team's items; agents their own book's, read-only
        condition |= Q(stage__in=OPEN_STAGES)
    return condition


def _queue_action(principal: Principal) -> str:
    """An agent's queue is the items of their own book, read as case pages (agents have no
    work queue of the list's kind: ``cases.queue``)."""
    return "cases.view" if own_book_only(principal) else "cases.queue"


def work_queue(
    *,
    principal: Principal,
    stage: str | None = None,
    rule: str | None = None,
    channel: str | None = None,
    seller_code: str | None = None,
    customer_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    as_of: date | None = None,
) -> ProblemList:
    """``principal``'s work queue, most urgent first (audited as a read of the list, with the
    principal's stated purpose)."""
    return problem_items(
        principal=principal,
        action=_queue_action(principal),
        stage=stage,
        rule=rule,
        channel=channel,
        seller_code=seller_code,
        customer_id=customer_id,
        status=ProblemItem.Status.OPEN,
        where=queue_condition(principal=principal),
        order="due",
        limit=limit,
        offset=offset,
        as_of=as_of,
    )


@dataclass(frozen=True, slots=True)
class QueueTabs:
    """The work queue's stage tabs: how many items wait in each stage (with the other
    filters applied), and how many new ones are past their distribution day."""

    by_stage: dict[str, int]
    total: int
    undistributed_overdue: int


def queue_tabs(
    *,
    principal: Principal,
    rule: str | None = None,
    channel: str | None = None,
    seller_code: str | None = None,
    as_of: date | None = None,
) -> QueueTabs:
    """Counts per stage of ``principal``'s work queue (counts only: not audited; the page
    that shows them audits its read of the items). One grouped query, off the stage index."""
    items = filtered_items(
        visible_to(principal=principal, action=_queue_action(principal)),
        rule=rule,
        channel=channel,
        seller_code=seller_code,
    ).filter(status=ProblemItem.Status.OPEN)
    items = items.filter(queue_condition(principal=principal))
    cutoff = distribution_cutoff(as_of or timezone.localdate(), calendar())
    # one grouped scan: the count per stage and, among the new, those past their day
    grouped = (
        items.values_list("stage")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(stage=Stage.NEW, created_at__lt=cutoff)),
        )
        .order_by()
    )
    counts, late = {}, 0
    for stage, n, stage_late in grouped:
        counts[stage] = n
        late += stage_late
    by_stage = {stage: counts.get(stage, 0) for stage in OPEN_STAGES}
    return QueueTabs(by_stage=by_stage, total=sum(by_stage.values()), undistributed_overdue=late)


def queue_filters_of(*, principal: Principal) -> list[SavedQueueFilter]:
    """The work-queue filters ``principal``'s person has saved (nobody else's)."""
    user = acting_user(principal)
    if getattr(user, "pk", None) is None:
        return []
    return list(SavedQueueFilter.objects.filter(user_id=user.pk))


@dataclass(frozen=True, slots=True)
class StepRow:
    action: str
    action_label: str
    from_stage: str
    to_stage: str
    actor: str
    at: datetime
    note: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    id: int
    kind: str
    kind_label: str
    description: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class CaseView:
    item: ProblemItemRow
    findings: str
    correction: dict[str, Any] | None
    returned_times: int
    steps: list[StepRow]
    evidence: list[EvidenceRow]
    escalations: list[tuple[str, str]]  # seller code, reason
    actions: list[str]  # the steps this user may take now
    channels: list[str]  # the channels of the item's policies
    sellers: list[str]  # the seller codes of the item's policies
    #: the evidence kinds the last return asked for, while the item is returned
    requested_kinds: list[str] = field(default_factory=list)


def actions_for(item: ProblemItem, *, principal: Principal) -> list[str]:
    """The steps ``principal`` may take on ``item`` now (what the item page offers): the
    stage machine's answer, :func:`veracity.cases.policy.steps_open_to`."""
    return policy.steps_open_to(item, principal=principal)


def _refused(principal: Principal, item_id: int) -> None:
    if is_signed_in(principal):
        record_refusal(
            actor=Actor.of_principal(principal),
            action="cases.view",
            object_type="problem_item",
            object_id=str(item_id),
        )


def case_detail(
    item_id: int, *, principal: Principal, as_of: date | None = None
) -> CaseView | None:
    """One item as ``principal`` may see it, with its timeline, evidence and the steps open
    to it; ``None`` when it may not see the item. The read is audited (with the principal's
    stated purpose), and so is the
    refusal (``ACCESS_REFUSED``, ``cases.view``) — an id with no item at all is recorded the
    same way, as both answer the same "not found" and the trail must not reveal which ids
    exist. (Inside a transaction that the caller rolls back the record goes with it: the
    API records its refusals after its transaction.)"""
    item = (
        visible_to(principal=principal, action="cases.view")
        .filter(pk=item_id)
        .select_related("assignee")
        .first()
    )
    if item is None:
        _refused(principal, item_id)
        return None
    listed = problem_items(
        principal=principal,
        action="cases.view",
        where=Q(pk=item_id),
        limit=1,
        as_of=as_of,
    )
    if not listed.items:
        _refused(principal, item_id)
        return None

    steps = [
        StepRow(
            action=s.action,
            action_label=str(StepAction(s.action).label) if s.action in StepAction.values else "",
            from_stage=s.from_stage,
            to_stage=s.to_stage,
            actor=s.actor.get_username() if s.actor else "system",
            at=s.at,
            note=s.note,
            detail=s.detail,
        )
        for s in CaseStep.objects.filter(item_id=item_id).select_related("actor")
    ]
    evidence_files = Evidence.objects.filter(item_id=item_id).select_related("uploaded_by")
    if own_book_only(principal):
        # an agent sees the statements they gave, not the customers' documents
        evidence_files = evidence_files.filter(uploaded_by=acting_user(principal))
    evidence = [
        EvidenceRow(
            id=e.pk,
            kind=e.kind,
            kind_label=str(EvidenceKind(e.kind).label) if e.kind in EvidenceKind.values else "",
            description=e.description,
            filename=e.filename,
            content_type=e.content_type,
            size=e.size,
            sha256=e.sha256,
            uploaded_by=e.uploaded_by.get_username(),
            uploaded_at=e.uploaded_at,
        )
        for e in evidence_files
    ]
    returned = [s for s in steps if s.action == StepAction.RETURN]
    requested = (
        list(returned[-1].detail.get("requested_kinds", []))
        if returned and item.stage == Stage.RETURNED
        else []
    )
    members = ProblemItemMember.objects.filter(item_id=item_id, policy__isnull=False)
    channels = sorted(set(members.values_list("policy__channel", flat=True)))
    sellers = sorted({c for c in members.values_list("policy__seller__code", flat=True) if c})
    return CaseView(
        item=listed.items[0],
        findings=item.findings,
        # the proposal as shown: masked values, never the sealed ones
        correction=without_sealed(item.correction),
        returned_times=item.returned_times,
        steps=steps,
        evidence=evidence,
        escalations=[
            (e.seller.code, e.reason)
            for e in Escalation.objects.filter(item_id=item_id).select_related("seller")
        ],
        actions=actions_for(item, principal=principal),
        channels=channels,
        sellers=sellers,
        requested_kinds=requested,
    )


@dataclass(frozen=True, slots=True)
class OverdueSummary:
    as_of: date
    past: int
    near: int
    by_channel: list[tuple[str, int, int]]  # channel, past due, due within 1 working day
    by_seller: list[tuple[str, int, int]]  # seller code, past due, near


def overdue_summary(*, principal: Principal, as_of: date | None = None) -> OverdueSummary:
    """PW-6: the items whose investigation is past due or due within one working day, per
    channel they were distributed to and per seller of their policies (no personal data:
    counts only)."""
    today = as_of or timezone.localdate()
    near_limit = calendar().add_working_days(today, 1).date
    running = visible_to(principal=principal, action="cases.queue").filter(
        status=ProblemItem.Status.OPEN, stage__in=RUNNING, due_on__isnull=False
    )
    past = running.filter(due_on__lt=today)
    near = running.filter(due_on__gte=today, due_on__lte=near_limit)
    by_channel: Counter[tuple[str, str]] = Counter()
    for kind, qs in (("past", past), ("near", near)):
        for channel, n in qs.values_list("assigned_channel").annotate(n=Count("id")):
            by_channel[(channel, kind)] += n
    by_seller: Counter[tuple[str, str]] = Counter()
    for kind, qs in (("past", past), ("near", near)):
        # the registered seller's code, else the code the policy was sold under (as the
        # list's agent-code filter does): an agent missing from the register still counts
        members = ProblemItemMember.objects.filter(item__in=qs, policy__isnull=False).annotate(
            code=Coalesce("policy__seller__code", NullIf("policy__seller_code", Value("")))
        )
        counted = (
            members.filter(code__isnull=False)
            .values_list("code")
            .annotate(n=Count("item_id", distinct=True))
        )
        for code, n in counted:
            by_seller[(code, kind)] += n
    channels = sorted({c for c, _k in by_channel})
    sellers = sorted({s for s, _k in by_seller}, key=lambda s: -by_seller[(s, "past")])
    return OverdueSummary(
        as_of=today,
        past=past.count(),
        near=near.count(),
        by_channel=[(c, by_channel[(c, "past")], by_channel[(c, "near")]) for c in channels],
        by_seller=[(s, by_seller[(s, "past")], by_seller[(s, "near")]) for s in sellers][:50],
    )


@dataclass(frozen=True, slots=True)
class QueueCounts:
    total: int
    past: int  # investigation past due
    near: int  # due within one working day


def queue_counts(*, principal: Principal, as_of: date | None = None) -> QueueCounts:
    """How many items wait in ``principal``'s work queue and how many of those are past or near
    their deadline (the home page's summary: counts only, no personal data, not audited)."""
    today = as_of or timezone.localdate()
    near_limit = calendar().add_working_days(today, 1).date
    queue = (
        visible_to(principal=principal, action="cases.queue")
        .filter(status=ProblemItem.Status.OPEN)
        .filter(queue_condition(principal=principal))
    )
    # one pass over the queue, not three: the reach condition (a team's items, the hidden
    # classified files) is the costly part and is evaluated once
    running = Q(stage__in=RUNNING, due_on__isnull=False)
    counts = queue.aggregate(
        total=Count("id"),
        past=Count("id", filter=running & Q(due_on__lt=today)),
        near=Count("id", filter=running & Q(due_on__gte=today, due_on__lte=near_limit)),
    )
    return QueueCounts(**counts)


def waiting_counts(*, principal: Principal) -> dict[str, int]:
    """What waits for ``principal``'s hand, by stage (the "waiting for me" panel; counts
    only, no personal data, not audited), in one query over the stage index: ``distribute``
    (new items, customer service), ``take_up`` (items sent to my channel and not claimed,
    back-office), ``investigate`` (my own investigations, returned ones included),
    ``verify`` (findings handed in by others) and ``close`` (verified items), each only for a
    role that takes that step."""
    user = acting_user(principal)
    roles = roles_of(user)
    me = getattr(user, "pk", None)
    if me is None:
        return {}
    wanted: dict[str, Q] = {}
    if roles & policy.DISTRIBUTORS:
        wanted["distribute"] = Q(stage=Stage.NEW)
    if RoleName.CHANNEL_BACKOFFICE in roles:
        wanted["take_up"] = Q(
            stage=Stage.DISTRIBUTED, assigned_channel__in=channels_of(user), assignee__isnull=True
        )
    if roles & (policy.DISTRIBUTORS | {RoleName.CHANNEL_BACKOFFICE}):
        wanted["investigate"] = Q(assignee_id=me, stage__in=[Stage.INVESTIGATING, Stage.RETURNED])
    if roles & policy.VERIFIERS:
        wanted["verify"] = Q(stage=Stage.SUBMITTED) & ~Q(assignee_id=me)
        wanted["close"] = Q(stage=Stage.VERIFIED) & ~Q(assignee_id=me)
    if not wanted:
        return {}
    found = (
        visible_to(principal=principal, action="cases.queue")
        .filter(status=ProblemItem.Status.OPEN)
        .aggregate(**{key: Count("pk", filter=condition) for key, condition in wanted.items()})
    )
    return {key: int(found[key] or 0) for key in wanted}


@dataclass(frozen=True, slots=True)
class CorrectionTarget:
    """A value an investigator may correct: a fact on the customer row (``record_id``
    ``None``) or one of the customer's phone, address, account or document records, with
    the current value masked."""

    customer_id: int
    field: str
    record_id: int | None
    masked: str


@dataclass(frozen=True, slots=True)
class CorrectionCustomer:
    customer_id: int
    name: str  # masked
    archive_no: str
    targets: list[CorrectionTarget]


def correction_targets(
    item_id: int, *, principal: Principal, limit: int = 50
) -> list[CorrectionCustomer]:
    """The member customers of an item whose files ``principal`` may see (the first ``limit``) and
    what of theirs can be corrected (``customers.corrections.FIELDS``), masked — what the
    submit form offers. Shown on the item page, whose read (``case_detail``) is audited;
    empty when the item is not visible."""

    if not visible_to(principal=principal, action="cases.view").filter(pk=item_id).exists():
        return []
    ids = correctable_customers(item_id, principal=principal)[:limit]
    masks = mask_policy()
    records: dict[int, list[CorrectionTarget]] = {cid: [] for cid in ids}
    sources: list[tuple[str, Any, str, str]] = [
        ("phone", Phone, "number", "phone"),
        ("address", Address, "text", "address"),
        ("account", BankAccount, "number", "account"),
        ("id_number", IdentityDocument, "number", "id_number"),
    ]
    for field_name, model, attribute, kind in sources:
        for record in model.objects.filter(customer_id__in=ids).order_by("customer_id", "pk"):
            records[record.customer_id].append(
                CorrectionTarget(
                    record.customer_id,
                    field_name,
                    record.pk,
                    mask(getattr(record, attribute), kind, masks),
                )
            )
    out = []
    for customer in Customer.objects.filter(pk__in=ids).order_by("pk"):
        facts = [CorrectionTarget(customer.pk, f, None, "") for f in ("name", "sex", "birth_date")]
        out.append(
            CorrectionCustomer(
                customer_id=customer.pk,
                name=mask(customer.name, "name", masks),
                archive_no=customer.archive_no or "",
                targets=facts + records[customer.pk],
            )
        )
    return out


def correctable_customers(item_id: int, *, principal: Principal) -> list[int]:
    """The item's member customers whose files ``principal`` may see (need to know: a
    member outside its acting user's reach is corrected by someone whose reach includes them)."""

    members = ProblemItemMember.objects.filter(item_id=item_id).values("customer_id")
    visible = customers_visible_to(principal=principal, action="customers.view").filter(
        pk__in=members
    )
    return sorted(visible.values_list("pk", flat=True))


def without_sealed(correction: dict[str, Any] | None) -> dict[str, Any] | None:
    """A proposed correction as it may be shown: the masked copies, not the sealed values."""
    if not correction or "changes" not in correction:
        return correction
    changes = [{k: v for k, v in c.items() if k != "sealed"} for c in correction["changes"]]
    return {**correction, "changes": changes}


# --- the list as detection extends it (written SQL: a full run reads tens of thousands) ------


def open_items(keys: Sequence[str]) -> dict[tuple[str, str], int]:
    """(rule, key) → id of the open problem items with these keys."""
    table = ProblemItem._meta.db_table
    out: dict[tuple[str, str], int] = {}
    for batch in in_batches(keys):
        where, params = filter_sql("key", batch, glue="AND")
        sql = f"SELECT id, rule, key FROM {table} WHERE status = 'open'" + where  # noqa: S608
        out.update({(rule, key): pk for pk, rule, key in rows(sql, params)})
    return out


def item_members(item_ids: Sequence[int]) -> list[tuple[int, int, int | None]]:
    """(item, customer, policy) of the members of these problem items."""
    table = ProblemItemMember._meta.db_table
    out: list[tuple[int, int, int | None]] = []
    for batch in in_batches(item_ids):
        where, params = filter_sql("item_id", batch)
        sql = f"SELECT item_id, customer_id, policy_id FROM {table}" + where  # noqa: S608
        out += [(r[0], r[1], r[2]) for r in rows(sql, params)]
    return out
