"""Reads: which records are past their retention period (D4.25), and the registers.

Every "due" query is set-based — one GROUP BY over the policy parties, anti-joins for the
rest — so it runs over a register of ten million customers without loading it. A record is
*due* once its triggering event lies more than the rule's years before ``as_of``; a due
record under a legal hold stays on the list, marked held, and is never destroyed. Records
already destroyed leave the list.

The lists show archive numbers and ids, never names or other personal data, so reading
them is not a read of personal data.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from veracity.cases.models import ProblemItem, ProblemItemMember
from veracity.customers.models import Customer
from veracity.customers.numbers import archive_no_of_id, numbers_of
from veracity.policies.models import PolicyRole, PolicyStatus
from veracity.retention.models import (
    DestructionItem,
    DestructionRequest,
    ItemKind,
    LegalHold,
    Outcome,
    RecordClass,
    RetentionRule,
)

#: A policy in one of these statuses has ended; any other status keeps the customer's file.
ENDED_STATUSES = (PolicyStatus.CANCELLED, PolicyStatus.TERMINATED)

CUSTOMER_CLASSES = (RecordClass.CUSTOMER_POLICIES_ENDED, RecordClass.CUSTOMER_NO_POLICY)
KIND_OF = {
    RecordClass.CUSTOMER_POLICIES_ENDED: ItemKind.CUSTOMER,
    RecordClass.CUSTOMER_NO_POLICY: ItemKind.CUSTOMER,
    RecordClass.PROBLEM_ITEM_CLOSED: ItemKind.PROBLEM_ITEM,
}
OPEN_REQUEST_STATUSES = (DestructionRequest.Status.PENDING, DestructionRequest.Status.APPROVED)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    year = day.year - years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def years_after(day: date, years: int) -> date:
    return years_before(day, -years)


def cutoff(as_of: date, years: int) -> datetime:
    """Triggering events before this instant are more than ``years`` before ``as_of``."""
    return timezone.make_aware(datetime.combine(years_before(as_of, years), time.min))


def rules() -> dict[str, RetentionRule]:
    return {rule.record_class: rule for rule in RetentionRule.objects.all()}


def _destroyed(kind: str) -> Exists:
    return Exists(
        DestructionItem.objects.filter(
            kind=kind, object_id=OuterRef("pk"), outcome=Outcome.DESTROYED
        )
    )


def _flag(q: Q) -> ExpressionWrapper[Any]:
    """A boolean column from ``pk IN (subquery)``: the subquery does not depend on the row,
    so the database evaluates it once (a hashed subplan) instead of once per row."""
    return ExpressionWrapper(q, output_field=BooleanField())


def _requested(kind: str) -> ExpressionWrapper[Any]:
    return _flag(
        Q(
            pk__in=DestructionItem.objects.filter(
                kind=kind,
                outcome=Outcome.PENDING,
                request__status__in=OPEN_REQUEST_STATUSES,
            ).values("object_id")
        )
    )


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def _customers_with_ended_policies(before: datetime) -> QuerySet[Any]:
    """Ids of customers party to at least one policy, every one of them ended, the last
    change of the last one before ``before`` (one GROUP BY over the parties)."""
    return (
        PolicyRole.objects.filter(customer_id__isnull=False)
        .values("customer_id")
        .annotate(
            live=Count("pk", filter=~Q(policy__status__in=ENDED_STATUSES)),
            last_end=Max("policy__updated_at"),
        )
        .filter(live=0, last_end__lt=before)
        .values("customer_id")
    )


def due_queryset(record_class: str, *, as_of: date, rule: RetentionRule | None = None) -> Any:
    """The records of ``record_class`` past retention on ``as_of``, annotated ``held``,
    ``blocked`` (on an open problem item) and ``requested`` (in an open request); an empty
    queryset when the class has no rule (no rule, no destruction)."""
    rule = rule or RetentionRule.objects.filter(record_class=record_class).first()
    if record_class == RecordClass.PROBLEM_ITEM_CLOSED:
        items = ProblemItem.objects.all()
        if rule is None:
            return items.none()
        held_members = ProblemItemMember.objects.filter(
            customer_id__in=active_holds().values("customer_id")
        ).values("item_id")
        return (
            items.filter(
                status=ProblemItem.Status.CLOSED,
                updated_at__lt=cutoff(as_of, rule.years),
            )
            .annotate(
                held=_flag(Q(pk__in=held_members)),
                blocked=Value(False, output_field=BooleanField()),
                requested=_requested(ItemKind.PROBLEM_ITEM),
            )
            .order_by("pk")
        )
    customers = Customer.objects.all()
    if rule is None or record_class not in CUSTOMER_CLASSES:
        return customers.none()
    before = cutoff(as_of, rule.years)
    if record_class == RecordClass.CUSTOMER_POLICIES_ENDED:
        customers = customers.filter(pk__in=_customers_with_ended_policies(before))
    else:
        customers = customers.filter(
            ~Exists(PolicyRole.objects.filter(customer_id=OuterRef("pk"))),
            updated_at__lt=before,
        )
    return (
        customers.filter(~_destroyed(ItemKind.CUSTOMER))
        .annotate(
            held=_flag(Q(pk__in=active_holds().values("customer_id"))),
            blocked=_flag(
                Q(
                    pk__in=ProblemItemMember.objects.filter(
                        item__status=ProblemItem.Status.OPEN
                    ).values("customer_id")
                )
            ),
            requested=_requested(ItemKind.CUSTOMER),
        )
        .order_by("pk")
    )


@dataclass(frozen=True)
class DueCount:
    record_class: str
    label: str
    years: int | None
    trigger: str
    due: int
    held: int
    blocked: int
    requested: int

    @property
    def destroyable(self) -> int:
        return self.due - self.held - self.blocked - self.requested


def due_counts(*, as_of: date) -> list[DueCount]:
    """Per record class: how many are due, and of those how many are held, blocked or
    already requested (a record can be both held and blocked; it is counted once, held)."""
    found = rules()
    out = []
    for record_class in RecordClass:
        rule = found.get(record_class)
        qs = due_queryset(record_class, as_of=as_of, rule=rule)
        counts = (
            qs.order_by().aggregate(
                n_due=Count("pk"),
                n_held=Count("pk", filter=Q(held=True)),
                n_blocked=Count("pk", filter=Q(held=False, blocked=True)),
                n_requested=Count("pk", filter=Q(held=False, blocked=False, requested=True)),
            )
            if rule
            else {}
        )
        out.append(
            DueCount(
                record_class=record_class.value,
                label=str(record_class.label),
                years=rule.years if rule else None,
                trigger=rule.trigger if rule else "",
                due=int(counts.get("n_due") or 0),
                held=int(counts.get("n_held") or 0),
                blocked=int(counts.get("n_blocked") or 0),
                requested=int(counts.get("n_requested") or 0),
            )
        )
    return out


@dataclass(frozen=True)
class DueRecord:
    kind: str
    record_class: str
    object_id: int
    label: str
    trigger_at: datetime | None
    due_on: date | None
    held: bool
    blocked: bool
    requested: bool

    @property
    def destroyable(self) -> bool:
        return not (self.held or self.blocked or self.requested)


def _trigger_times(record_class: str, rows: Sequence[Any]) -> dict[int, datetime | None]:
    if record_class == RecordClass.CUSTOMER_POLICIES_ENDED:
        return dict(
            PolicyRole.objects.filter(customer_id__in=[r.pk for r in rows])
            .values("customer_id")
            .annotate(last_end=Max("policy__updated_at"))
            .values_list("customer_id", "last_end")
        )
    return {r.pk: r.updated_at for r in rows}


def _records(record_class: str, rows: Sequence[Any], years: int) -> list[DueRecord]:
    kind = KIND_OF[RecordClass(record_class)]
    triggers = _trigger_times(record_class, rows)
    out = []
    for row in rows:
        trigger_at = triggers.get(row.pk)
        out.append(
            DueRecord(
                kind=kind,
                record_class=record_class,
                object_id=row.pk,
                label=_label(kind, row),
                trigger_at=trigger_at,
                due_on=(
                    years_after(timezone.localtime(trigger_at).date(), years) + timedelta(days=1)
                    if trigger_at
                    else None
                ),
                held=bool(row.held),
                blocked=bool(row.blocked),
                requested=bool(row.requested),
            )
        )
    return out


def _label(kind: str, row: Any) -> str:
    if kind == ItemKind.CUSTOMER:
        return str(row.archive_no or archive_no_of_id(row.pk))
    return f"{row.rule} #{row.pk}"


@dataclass(frozen=True)
class DuePage:
    record_class: str
    total: int
    records: list[DueRecord]


def due_page(record_class: str, *, as_of: date, limit: int = 50, offset: int = 0) -> DuePage:
    rule = RetentionRule.objects.filter(record_class=record_class).first()
    if rule is None:
        return DuePage(record_class=record_class, total=0, records=[])
    qs = due_queryset(record_class, as_of=as_of, rule=rule)
    total = qs.order_by().count()
    rows = list(qs[offset : offset + limit])
    return DuePage(
        record_class=record_class, total=total, records=_records(record_class, rows, rule.years)
    )


def due_iter(record_class: str, *, as_of: date, chunk: int = 2000) -> Iterator[DueRecord]:
    """Every due record of a class, in id order, ``chunk`` at a time (keyset pagination)."""
    rule = RetentionRule.objects.filter(record_class=record_class).first()
    if rule is None:
        return
    qs = due_queryset(record_class, as_of=as_of, rule=rule)
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last)[:chunk])
        if not rows:
            return
        yield from _records(record_class, rows, rule.years)
        last = rows[-1].pk


def customer_labels(ids: Sequence[int]) -> dict[int, str]:
    """File numbers (never names, never the internal id) of customers, for lists; a file
    destroyed since keeps the number it had."""
    found = numbers_of(ids)
    return {int(pk): found.get(int(pk)) or archive_no_of_id(int(pk)) for pk in ids}
