"""Figures about problem items for the home pages: counts only, no personal data (so not
audited as reads), restricted by the reader's reach.

Who holds ``reports.view`` (``org.actions``) counts every item; anyone else the items they may
read for ``cases.view`` (``listing.visible_to``), and nobody else any. "My items" (the
back-office's deadlines) are the items of the reader's work queue (``cases.queue``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from veracity.cases.listing import visible_to
from veracity.cases.models import Escalation, Outcome, ProblemItem, ProblemItemMember, Stage
from veracity.cases.selectors import OPEN_STAGES, RUNNING, queue_condition
from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.policies.figures import applications_in_scope
from veracity.policies.models import Channel, Policy, QualitySnapshot
from veracity.sales.models import Seller

__all__ = [
    "ChannelQuality",
    "Deadlines",
    "ItemsMonth",
    "SellerQuality",
    "items_by_stage",
    "items_in_scope",
    "items_month",
    "my_items_by_deadline",
    "new_clues_by_day",
    "quality_as_of",
    "quality_by_channel",
    "quality_by_seller",
    "quality_snapshot_take",
    "stages_and_new_clues",
]


def items_in_scope(*, principal: Principal) -> QuerySet[ProblemItem]:
    """The items ``principal``'s figures count (see the module's docstring)."""
    items: QuerySet[ProblemItem]
    if may(principal, "reports.view"):
        items = ProblemItem.objects.all()
    elif may(principal, "cases.view"):
        items = visible_to(principal=principal, action="cases.view")
    else:
        items = ProblemItem.objects.none()
    return items


def _whole(principal: Principal) -> bool:
    return may(principal, "reports.view")


def items_by_stage(*, principal: Principal) -> list[tuple[str, str, int]]:
    """Open items per stage, in the stages' order: (stage, its label, count); every open stage
    is listed, with 0 where none."""
    return _stages_and_clues(principal, None, 0)[0]


def new_clues_by_day(
    *, principal: Principal, today: date, days: int = 14
) -> list[tuple[date, int]]:
    """New clues (items first seen) per business date, the last ``days`` days up to
    ``today``, oldest first."""
    return _stages_and_clues(principal, today, days)[1]


def stages_and_new_clues(
    *, principal: Principal, today: date, days: int = 14
) -> tuple[list[tuple[str, str, int]], list[tuple[date, int]]]:
    """:func:`items_by_stage` and :func:`new_clues_by_day` in one pass over the items (the
    reach condition is the costly part of both)."""
    return _stages_and_clues(principal, today, days)


def _stages_and_clues(
    principal: Principal, today: date | None, days: int
) -> tuple[list[tuple[str, str, int]], list[tuple[date, int]]]:
    start = today - timedelta(days=days - 1) if today is not None else None
    wanted = Q(status=ProblemItem.Status.OPEN)
    if start is not None:
        wanted |= Q(first_seen_on__gte=start, first_seen_on__lte=today)
    rows = (
        items_in_scope(principal=principal)
        .filter(wanted)
        .values_list("status", "stage", "first_seen_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    stages: Counter[str] = Counter()
    clues: Counter[date] = Counter()
    for status, stage, first_seen, n in rows:
        if status == ProblemItem.Status.OPEN:
            stages[stage] += n
        if start is not None and today is not None and start <= first_seen <= today:
            clues[first_seen] += n
    labels = dict(Stage.choices)
    by_stage = [(s, str(labels[s]), stages.get(s, 0)) for s in OPEN_STAGES]
    by_day = (
        [(start + timedelta(days=i), clues.get(start + timedelta(days=i), 0)) for i in range(days)]
        if start is not None
        else []
    )
    return by_stage, by_day


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The reader's running investigations by deadline."""

    past: int  # past due
    today: int  # due today
    week: int  # due later this week (to Sunday)
    later: int  # due after this week
    undated: int  # no deadline yet (new, or findings handed in)

    @property
    def total(self) -> int:
        return self.past + self.today + self.week + self.later + self.undated


def my_items_by_deadline(*, principal: Principal, today: date | None = None) -> Deadlines:
    """The open items of ``principal``'s work queue by their investigation deadline."""
    today = today or timezone.localdate()
    week_end = today + timedelta(days=6 - today.weekday())
    queue = (
        visible_to(principal=principal, action="cases.queue")
        .filter(status=ProblemItem.Status.OPEN)
        .filter(queue_condition(principal=principal))
        if may(principal, "cases.queue")
        else ProblemItem.objects.none()
    )
    running = Q(stage__in=RUNNING, due_on__isnull=False)
    counts = queue.aggregate(
        past=Count("id", filter=running & Q(due_on__lt=today)),
        today=Count("id", filter=running & Q(due_on=today)),
        week=Count("id", filter=running & Q(due_on__gt=today, due_on__lte=week_end)),
        later=Count("id", filter=running & Q(due_on__gt=week_end)),
        undated=Count("id", filter=~running),
    )
    return Deadlines(**counts)


def _live_per_key(principal: Principal, scope: str) -> tuple[dict[str, int], dict[str, int]]:
    """Policies and open problem items per channel (or seller id), counted now."""
    column = "channel" if scope == QualitySnapshot.Scope.CHANNEL else "seller_id"
    policies = applications_in_scope(principal=principal)
    members = _members(principal)
    if scope == QualitySnapshot.Scope.SELLER:
        policies = policies.filter(seller__isnull=False)
        members = members.filter(policy__seller__isnull=False)
    return (
        {str(k): n for k, n in policies.values_list(column).annotate(n=Count("id")).order_by()},
        {
            str(k): n
            for k, n in members.values_list(f"policy__{column}")
            .annotate(n=Count("item_id", distinct=True))
            .order_by()
        },
    )


def _latest_snapshot() -> tuple[date, datetime] | None:
    row = QualitySnapshot.objects.aggregate(day=Max("business_date"))
    if row["day"] is None:
        return None
    taken = QualitySnapshot.objects.filter(business_date=row["day"]).aggregate(at=Max("taken_at"))
    return row["day"], taken["at"]


def quality_as_of(*, principal: Principal) -> datetime | None:
    """When the organisation-wide per-channel and per-seller item counts were taken (the T+1
    job's snapshot), for ``reports.view``; None when they are counted live."""
    if not _whole(principal):
        return None
    latest = _latest_snapshot()
    return latest[1] if latest else None


def _per_key(principal: Principal, scope: str) -> tuple[dict[str, int], dict[str, int]]:
    """Policies and open items per key: the whole organisation's from the latest snapshot
    when there is one (``reports.view``), else counted now within the reader's reach."""
    if _whole(principal):
        latest = _latest_snapshot()
        if latest is not None:
            rows = QualitySnapshot.objects.filter(business_date=latest[0], scope=scope)
            policies: dict[str, int] = {}
            items: dict[str, int] = {}
            for key, p, n in rows.values_list("key", "policies", "items"):
                policies[key], items[key] = p, n
            return policies, {k: n for k, n in items.items() if n}
    return _live_per_key(principal, scope)


@transaction.atomic
def quality_snapshot_take(*, business_date: date, now: datetime | None = None) -> int:
    """Count the organisation's policies and open problem items per channel and per seller
    and keep them as ``business_date``'s snapshot (replacing one taken earlier that day); the
    T+1 job calls it after detection. Returns the rows written."""
    taken = now or timezone.now()
    QualitySnapshot.objects.filter(business_date=business_date).delete()
    rows = []
    for scope in QualitySnapshot.Scope.values:
        policies, items = _live_whole(scope)
        for key in sorted(set(policies) | set(items)):
            rows.append(
                QualitySnapshot(
                    business_date=business_date,
                    taken_at=taken,
                    scope=scope,
                    key=key[:32],
                    policies=policies.get(key, 0),
                    items=items.get(key, 0),
                )
            )
    QualitySnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _live_whole(scope: str) -> tuple[dict[str, int], dict[str, int]]:
    """The whole organisation's counts (for the job: no person, no reach)."""
    column = "channel" if scope == QualitySnapshot.Scope.CHANNEL else "seller_id"
    policies = Policy.objects.filter(**({} if column == "channel" else {"seller__isnull": False}))
    members = ProblemItemMember.objects.filter(
        item__status=ProblemItem.Status.OPEN, policy__isnull=False
    )
    if column == "seller_id":
        members = members.filter(policy__seller__isnull=False)
    return (
        {str(k): n for k, n in policies.values_list(column).annotate(n=Count("id")).order_by()},
        {
            str(k): n
            for k, n in members.values_list(f"policy__{column}")
            .annotate(n=Count("item_id", distinct=True))
            .order_by()
        },
    )


@dataclass(frozen=True, slots=True)
class ChannelQuality:
    """Problem-item figures of one sales channel."""

    channel: str
    name: str
    policies: int  # applications and policies of the channel
    items: int  # open problem items with a member policy of the channel
    overdue: int  # running investigations past due, distributed to the channel
    corrections: int  # items closed as corrected since the period's start
    escalations: int  # seller misconduct escalations since the period's start

    @property
    def items_per_100(self) -> float:
        return round(100 * self.items / self.policies, 1) if self.policies else 0.0


def _members(principal: Principal) -> QuerySet[ProblemItemMember]:
    members = ProblemItemMember.objects.filter(
        item__status=ProblemItem.Status.OPEN, policy__isnull=False
    )
    if not _whole(principal):
        members = members.filter(item__in=items_in_scope(principal=principal))
    return members


def quality_by_channel(
    *, principal: Principal, since: datetime, today: date | None = None
) -> list[ChannelQuality]:
    """Per sales channel: open items per 100 policies, overdue investigations, corrections and
    escalations since ``since`` — channels with any policy or item, most items per 100 first."""
    today = today or timezone.localdate()
    labels = dict(Channel.choices)
    policies, items = _per_key(principal, QualitySnapshot.Scope.CHANNEL)
    scope = items_in_scope(principal=principal)
    # two queries, not one with OR: each reads its own index range (stage and due date) or
    # few rows (the corrected outcome); an OR scans every item on SQLite (0.16 s at 100k)
    overdue = dict(
        scope.filter(status=ProblemItem.Status.OPEN, stage__in=RUNNING, due_on__lt=today)
        .values_list("assigned_channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    corrections = dict(
        scope.filter(outcome=Outcome.CORRECTED, closed_on__gte=since.date())
        .values_list("assigned_channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    escalations = dict(
        Escalation.objects.filter(escalated_at__gte=since, item__in=scope)
        .values_list("item__assigned_channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    channels = {c for c in (*policies, *items, *overdue, *corrections, *escalations) if c}
    rows = [
        ChannelQuality(
            channel=c,
            name=str(labels.get(c, c)),
            policies=policies.get(c, 0),
            items=items.get(c, 0),
            overdue=overdue.get(c, 0),
            corrections=corrections.get(c, 0),
            escalations=escalations.get(c, 0),
        )
        for c in channels
    ]
    return sorted(rows, key=lambda r: (-r.items_per_100, r.name))


@dataclass(frozen=True, slots=True)
class SellerQuality:
    seller_id: int
    name: str
    policies: int
    items: int
    escalations: int

    @property
    def items_per_100(self) -> float:
        return round(100 * self.items / self.policies, 1) if self.policies else 0.0


def quality_by_seller(
    *, principal: Principal, since: datetime, limit: int = 10
) -> list[SellerQuality]:
    """The ``limit`` registered sellers (agents, by name) with the most open problem items
    per 100 of their policies, with their escalations since ``since``."""
    by_key_policies, by_key_items = _per_key(principal, QualitySnapshot.Scope.SELLER)
    items = Counter({int(k): n for k, n in by_key_items.items()})
    if not items:
        return []
    policies = {int(k): n for k, n in by_key_policies.items()}
    # the worst first, by the same order as the result, so only ``limit`` names are read
    ranked = sorted(
        items, key=lambda s: (-(items[s] / policies[s]) if policies.get(s) else 0, -items[s])
    )[: limit * 2]
    names = dict(Seller.objects.filter(pk__in=ranked).values_list("pk", "name"))
    escalations = dict(
        Escalation.objects.filter(escalated_at__gte=since, seller_id__in=list(names))
        .values_list("seller_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        SellerQuality(
            seller_id=s,
            name=names.get(s, ""),
            policies=policies.get(s, 0),
            items=n,
            escalations=escalations.get(s, 0),
        )
        for s, n in items.items()
        if s in names
    ]
    return sorted(rows, key=lambda r: (-r.items_per_100, -r.items, r.name))[:limit]


@dataclass(frozen=True, slots=True)
class ItemsMonth:
    opened: int
    closed: int


def items_month(*, principal: Principal, first: date, last: date) -> ItemsMonth:
    """Items opened (first seen) and closed between ``first`` and ``last`` (inclusive)."""
    scope = items_in_scope(principal=principal)
    counts = scope.aggregate(
        opened=Count("id", filter=Q(first_seen_on__gte=first, first_seen_on__lte=last)),
        closed=Count("id", filter=Q(closed_on__gte=first, closed_on__lte=last)),
    )
    return ItemsMonth(**counts)
