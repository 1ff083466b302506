"""Reading the problem-item list (可疑客户信息资料问题件清单, D1.7) as customer service sees it.

:func:`problem_items` is the one read behind the CLI, the API, the staff page and the Excel
export. It starts from :func:`visible_to`, shows masked values only, and writes one
``VIEW_PERSONAL_DATA`` audit event per read (the members are personal data, even masked).

Each item carries its investigation deadline: the list reaches customer service on the
working day after the business date the item was first seen (T+1, the *distribution date*),
and the investigation must end 3 working days later — but never after the cooling-off
callback of any of its policies, since the callback is where a false datum is put right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Literal

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from veracity.access.governance import granted_customer_ids, granted_item_ids
from veracity.access.roles import RoleName, roles_of
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.cases.models import ProblemItem, ProblemItemMember, RuleCode, Stage
from veracity.core.detection import RULE_NAMES, Rule
from veracity.core.masking import mask
from veracity.core.refusals import Refusal
from veracity.core.workdays import Calendar
from veracity.customers.reach import classified_hidden_from
from veracity.customers.selectors import mask_policy
from veracity.org.actions import reach_for
from veracity.org.principals import Principal, acting_user, is_system_reader
from veracity.org.selectors import channels_of
from veracity.policies.models import Channel
from veracity.workcal.selectors import calendar

__all__ = [
    "INVESTIGATION_WORKING_DAYS",
    "ListingError",
    "MemberRow",
    "ProblemItemRow",
    "ProblemList",
    "deadline_after_distribution",
    "distribution_cutoff",
    "distribution_due",
    "distribution_overdue_condition",
    "filtered_items",
    "investigation_deadline",
    "problem_items",
    "visible_to",
]

#: Working days customer service has to investigate an item after it is distributed.
INVESTIGATION_WORKING_DAYS = 3

#: Roles that work the whole list; channel back-office works the items of its own channel
#: (a member's policy sold in it, per the user's staff profile), and channel management
#: (销售渠道管理部门) receives that channel's list with the same reach.
_ALL_ITEMS = frozenset(
    {
        RoleName.CUSTOMER_SERVICE,
        RoleName.CUSTOMER_SERVICE_MANAGER,
        RoleName.COMPLIANCE,
        RoleName.INFORMATION_MANAGER,
        RoleName.ADMIN,
    }
)
_OWN_CHANNEL_ITEMS = frozenset({RoleName.CHANNEL_BACKOFFICE, RoleName.CHANNEL_MANAGEMENT})

STATUSES = tuple(ProblemItem.Status.values)
STAGES = tuple(Stage.values)
RULES = tuple(RuleCode.values)
CHANNELS = tuple(Channel.values)

DeadlineBasis = Literal["3_working_days", "callback"]


class ListingError(Refusal, ValueError):
    """A filter value the list does not know; ``field`` names the filter (the
    ``listing.unknown.*`` entries of :mod:`veracity.cases.refusals`)."""

    namespace = "listing"

    @property
    def value(self) -> str:
        return str(self.params.get("value", ""))


@dataclass(frozen=True, slots=True)
class MemberRow:
    customer_id: int
    name: str  # masked
    archive_no: str
    application_no: str
    policy_no: str
    channel: str
    channel_label: str
    seller_code: str
    callback_due_on: date | None
    added_on: date


@dataclass(frozen=True, slots=True)
class Deadline:
    distributed_on: date
    deadline: date
    basis: DeadlineBasis
    provisional: bool


@dataclass(frozen=True, slots=True)
class ProblemItemRow:
    id: int
    rule: str
    rule_name: str
    severity: str
    status: str
    shared_value: str  # masked when stored
    reason: str
    first_seen_on: date
    last_seen_on: date
    distributed_on: date
    deadline: date
    deadline_basis: DeadlineBasis
    deadline_provisional: bool
    due: Literal["past", "near", ""]
    members: tuple[MemberRow, ...] = field(default_factory=tuple)
    stage: str = "new"
    assigned_channel: str = ""
    assignee: str = ""  # the login (the API's)
    outcome: str = ""
    assignee_name: str = ""  # as screens name the person
    overdue_undistributed: bool = False  # not distributed within 1 working day of creation

    @property
    def callback_due_on(self) -> date | None:
        """The earliest cooling-off callback date of the item's policies."""
        dates = [m.callback_due_on for m in self.members if m.callback_due_on]
        return min(dates) if dates else None


@dataclass(frozen=True, slots=True)
class ProblemList:
    items: list[ProblemItemRow]
    total: int
    business_date: date | None


#: What problem items are read for: the case pages (and the steps taken on them), the work
#: queues, the problem list and its exports. One reach serves them all today; each caller
#: says which it is doing.
REACHES: Final = {
    "cases.view": "items",
    "cases.queue": "items",
    "problems.list": "items",
    "problems.export": "items",
}


def visible_to(*, principal: Principal, action: str) -> QuerySet[ProblemItem]:
    """Problem items ``principal`` may read for ``action`` (one of :data:`REACHES`): systems
    acting without a person (the API's list, jobs, commands) and staff who work the list
    all; a system acting through its designated person what the person may see;
    channel back-office the items distributed to its channel or with a member policy of it;
    a team leader the items with a member policy sold by an agent of the team; an agent, for
    the case pages only (``cases.view``), the items with a member policy of their own sale
    (D1.13: they assist under their team leader); anyone, for the case pages, the item a
    borrowing grant in force was asked for — but nobody items on classified files they may
    not see. The auditor, users without a role and customers see none."""
    reach_for(action, REACHES)
    # An item on a classified file is listed only to those who may see the file (D4.22); a
    # system reading through the API is nobody's custodian, so it never gets those items.
    system_reader = is_system_reader(principal)
    user = acting_user(principal)
    if user is None and not system_reader:
        nothing: QuerySet[ProblemItem] = ProblemItem.objects.none()
        return nothing
    reader = None if system_reader else user
    # NOT IN (the items of the hidden files), computed once, rather than a NOT EXISTS per
    # item: the work queues count tens of thousands of items (SQLite 2× faster at 100k)
    hidden = ProblemItemMember.objects.filter(
        customer__in=classified_hidden_from(principal=principal)
    )
    items: QuerySet[ProblemItem] = ProblemItem.objects.exclude(pk__in=hidden.values("item_id"))
    if reader is None:
        return items
    roles = roles_of(user)
    if roles & _ALL_ITEMS:
        return items
    condition = Q(pk__in=[])
    if roles & _OWN_CHANNEL_ITEMS:
        channels = channels_of(user)
        own = ProblemItemMember.objects.filter(policy__channel__in=channels)
        condition |= Q(assigned_channel__in=channels) | Q(pk__in=own.values("item_id"))
    if RoleName.TEAM_LEADER in roles:
        team = ProblemItemMember.objects.filter(policy__seller__leader__user=user)
        condition |= Q(pk__in=team.values("item_id"))
    if action == "cases.view":
        # the case page of an item a borrowing was asked for, for the grant's term (issue 12)
        condition |= Q(pk__in=granted_item_ids(principal=principal))
    if RoleName.AGENT in roles and action == "cases.view":
        # the case pages only (never the list, its export or a work queue): the items with
        # a member policy the agent sold
        own = ProblemItemMember.objects.filter(policy__seller__user=user)
        condition |= Q(pk__in=own.values("item_id"))
    visible: QuerySet[ProblemItem] = items.filter(condition)
    return visible


def own_book_only(principal: Principal) -> bool:
    """Whether ``principal`` reads items only as the seller of their policies (an agent
    without a role that reaches further): they see their own customers on an item, not the
    others, and no evidence but their own statements."""
    user = acting_user(principal)
    if user is None or is_system_reader(principal):
        return False
    roles = roles_of(user)
    wider = _ALL_ITEMS | _OWN_CHANNEL_ITEMS | {RoleName.TEAM_LEADER}
    return RoleName.AGENT in roles and not roles & wider


def investigation_deadline(
    first_seen_on: date, callbacks: Iterable[date | None], cal: Calendar
) -> Deadline:
    """Projected: distribution on the working day after ``first_seen_on`` (T+1), then as
    :func:`deadline_after_distribution`."""
    distributed = cal.add_working_days(first_seen_on, 1)
    deadline = deadline_after_distribution(distributed.date, callbacks, cal)
    if distributed.provisional and not deadline.provisional:
        return Deadline(deadline.distributed_on, deadline.deadline, deadline.basis, True)
    return deadline


def deadline_after_distribution(
    distributed_on: date, callbacks: Iterable[date | None], cal: Calendar
) -> Deadline:
    """PW-2: the investigation ends 3 working days after distribution, but never after the
    earliest cooling-off callback of the item's policies (the earlier wins; ``basis`` says
    which). Provisional when a day counted lies in a year the calendar does not cover (the
    true count could then move either way)."""
    counted = cal.add_working_days(distributed_on, INVESTIGATION_WORKING_DAYS)
    # A callback already made before the item reached the channel cannot be met any more:
    # it does not cap the deadline (a legacy back-check would otherwise be overdue at once).
    earliest = min((d for d in callbacks if d is not None and d >= distributed_on), default=None)
    if earliest is not None and earliest < counted.date:
        return Deadline(distributed_on, earliest, "callback", counted.provisional)
    return Deadline(distributed_on, counted.date, "3_working_days", counted.provisional)


#: Working days customer service has to distribute a new item (D1.13).
DISTRIBUTION_WORKING_DAYS = 1


def distribution_due(created_on: date, cal: Calendar) -> date:
    """The day a new item must be distributed by: 1 working day after the day it was
    created (an item created on a Friday or a holiday is due the next working day but one
    — the first working day after it counts)."""
    return cal.add_working_days(created_on, DISTRIBUTION_WORKING_DAYS).date


def distribution_overdue_condition(as_of: date, cal: Calendar) -> Q:
    """The items customer service has not distributed within 1 working day of their
    creation, as of ``as_of``: still new, created before the last working day before
    ``as_of`` (an item created on day ``c`` is due on the first working day after ``c``,
    which is before ``as_of`` exactly when ``c`` is before that last working day)."""
    return Q(
        stage=Stage.NEW,
        status=ProblemItem.Status.OPEN,
        created_at__lt=distribution_cutoff(as_of, cal),
    )


def distribution_cutoff(as_of: date, cal: Calendar) -> datetime:
    """The start of the last working day before ``as_of``: a new item created before it
    is past its distribution day (:func:`distribution_overdue_condition`)."""
    last = as_of - timedelta(days=1)
    for _ in range(366):  # a year without a working day is a broken table, not a loop
        if cal.is_working_day(last).working:
            break
        last -= timedelta(days=1)
    return datetime.combine(last, time.min, tzinfo=timezone.get_current_timezone())


def _due(deadline: date, as_of: date, cal: Calendar) -> Literal["past", "near", ""]:
    if deadline < as_of:
        return "past"
    if cal.working_days_between(as_of, deadline).days <= 1:
        return "near"
    return ""


def _running(item: ProblemItem) -> bool:
    """The deadline matters until the findings are handed in."""
    return item.status == "open" and item.stage not in (
        Stage.SUBMITTED,
        Stage.VERIFIED,
        Stage.CLOSED,
    )


def person_name(user: object) -> str:
    """A person as screens name them: the full name, else the login."""
    if user is None:
        return ""
    full = str(getattr(user, "get_full_name", lambda: "")() or "").strip()
    return full or str(getattr(user, "get_username", lambda: "")())


def _check(name: str, value: str | None, allowed: Sequence[str]) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise ListingError(f"unknown.{name}", name, value=str(value))
    return value


def _filtered(
    base: QuerySet[ProblemItem],
    *,
    business_date: date | None,
    rule: str | None,
    channel: str | None,
    seller_code: str | None,
    status: str | None,
) -> QuerySet[ProblemItem]:
    items = base
    if business_date is not None:
        items = items.filter(first_seen_on__lte=business_date, status=ProblemItem.Status.OPEN)
    if rule:
        items = items.filter(rule=rule)
    if status:
        items = items.filter(status=status)
    if channel:
        items = items.filter(
            pk__in=ProblemItemMember.objects.filter(policy__channel=channel).values("item_id")
        )
    if seller_code:
        items = items.filter(
            pk__in=ProblemItemMember.objects.filter(
                Q(policy__seller__code=seller_code)
                | Q(policy__seller__isnull=True, policy__seller_code=seller_code)
            ).values("item_id")
        )
    return items


def _members(
    item_ids: list[int], *, sold_by: Any = None, borrowed: Any = None
) -> dict[int, list[MemberRow]]:
    """The members of a page of items as rows (values, not model instances: a page of 50
    items has hundreds of members); with ``sold_by`` (a user) only those whose policy that
    user sold, and the customers of ``borrowed`` (a subquery of the user's borrowed files)."""

    masks = mask_policy()
    out: dict[int, list[MemberRow]] = defaultdict(list)
    channels = dict(Channel.choices)
    members = ProblemItemMember.objects.filter(item_id__in=item_ids)
    if sold_by is not None:
        own = Q(policy__seller__user=sold_by)
        if borrowed is not None:
            own |= Q(customer_id__in=borrowed)
        members = members.filter(own)
    rows = members.order_by("item_id", "customer_id", "policy_id").values_list(
        "item_id",
        "customer_id",
        "customer__name",
        "customer__archive_no",
        "policy_id",
        "policy__application_no",
        "policy__policy_no",
        "policy__channel",
        "policy__seller__code",
        "policy__seller_code",
        "policy__callback_due_on",
        "added_on",
    )
    for (
        item_id,
        customer_id,
        name,
        archive_no,
        policy_id,
        application_no,
        policy_no,
        channel,
        seller,
        seller_as_submitted,
        callback_due_on,
        added_on,
    ) in rows:
        has_policy = policy_id is not None
        out[item_id].append(
            MemberRow(
                customer_id=customer_id,
                name=mask(name, "name", masks),
                archive_no=archive_no or "",
                application_no=application_no or "",
                policy_no=policy_no or "",
                channel=channel or "",
                channel_label=str(channels.get(channel, channel)) if has_policy else "",
                seller_code=(seller or seller_as_submitted or "") if has_policy else "",
                callback_due_on=callback_due_on,
                added_on=added_on,
            )
        )
    return out


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def filtered_items(
    base: QuerySet[ProblemItem],
    *,
    rule: str | None = None,
    channel: str | None = None,
    seller_code: str | None = None,
) -> QuerySet[ProblemItem]:
    """``base`` narrowed by the list's filters (checked: an unknown value raises
    :class:`ListingError`), for counts beside a page of :func:`problem_items`."""
    seller = (seller_code or "").strip() or None
    if seller is not None and (len(seller) > 32 or "\x00" in seller):
        raise ListingError("unknown.seller", "seller", value=seller[:40])
    return _filtered(
        base,
        business_date=None,
        rule=_check("rule", rule, RULES),
        channel=_check("channel", channel, CHANNELS),
        seller_code=seller,
        status=None,
    )


def problem_items(
    *,
    principal: Principal,
    action: str,
    business_date: date | None = None,
    rule: str | None = None,
    channel: str | None = None,
    seller_code: str | None = None,
    status: str | None = None,
    stage: str | None = None,
    customer_id: int | None = None,
    where: Q | None = None,
    order: Literal["newest", "due"] = "newest",
    limit: int | None = None,
    offset: int = 0,
    as_of: date | None = None,
) -> ProblemList:
    """The problem items ``principal`` may read for ``action`` (the list, its export, a work
    queue, a case page: :data:`REACHES`), newest first, as view-models in the active
    language.

    ``business_date`` given: the items first seen on or before it that are still open (the
    list as it stood for that day's distribution); ``None``: all items. ``rule``,
    ``channel``, ``seller_code`` (agent code) and ``status`` narrow it; an unknown rule,
    channel or status raises :class:`ListingError`. ``customer_id``: only the items
    naming that customer. ``limit``/``offset`` page the items
    (``total`` counts them all). ``as_of`` (default today) decides which deadlines are near
    (within 1 working day) or past. Writes one ``VIEW_PERSONAL_DATA`` audit event with the
    principal's stated purpose (``principal.purpose``)."""
    rule = _check("rule", rule, RULES)
    channel = _check("channel", channel, CHANNELS)
    status = _check("status", status, STATUSES)
    stage = _check("stage", stage, STAGES)
    seller_code = (seller_code or "").strip() or None
    if seller_code is not None and (len(seller_code) > 32 or "\x00" in seller_code):
        raise ListingError("unknown.seller", "seller", value=seller_code[:40])
    items = _filtered(
        visible_to(principal=principal, action=action),
        business_date=business_date,
        rule=rule,
        channel=channel,
        seller_code=seller_code,
        status=status,
    )
    if stage:
        items = items.filter(stage=stage)
    if customer_id is not None:
        items = items.filter(
            pk__in=ProblemItemMember.objects.filter(customer_id=customer_id).values("item_id")
        )
    if where is not None:
        items = items.filter(where)
    if order == "due":
        # a work queue: the most urgent first (undistributed items after, oldest first)
        items = items.order_by(F("due_on").asc(nulls_last=True), "first_seen_on", "pk")
    else:
        items = items.order_by("-first_seen_on", "-pk")
    total = items.count()
    items = items.select_related("assignee")
    page = list(items[offset : offset + limit] if limit is not None else items[offset:])
    book_only = own_book_only(principal)
    members = _members(
        [i.pk for i in page],
        sold_by=acting_user(principal) if book_only else None,
        borrowed=granted_customer_ids(principal=principal) if book_only else None,
    )
    cal = calendar()
    today = as_of or timezone.localdate()
    zh = _chinese()
    rows = []
    for item in page:
        its = members.get(item.pk, [])
        if item.distributed_on is not None and item.due_on is not None:
            deadline = Deadline(
                item.distributed_on,
                item.due_on,
                "callback" if item.due_basis == "callback" else "3_working_days",
                item.due_provisional,
            )
        else:
            deadline = investigation_deadline(
                item.first_seen_on, (m.callback_due_on for m in its), cal
            )
        late = (
            item.stage == Stage.NEW
            and item.status == ProblemItem.Status.OPEN
            and distribution_due(timezone.localtime(item.created_at).date(), cal) < today
        )
        names = RULE_NAMES.get(Rule(item.rule)) if item.rule in RULES else None
        rows.append(
            ProblemItemRow(
                id=item.pk,
                rule=item.rule,
                rule_name=(names[0] if zh else names[1]) if names else item.rule,
                severity=item.severity,
                status=item.status,
                shared_value=item.shared_value,
                reason=item.reason_zh if zh else item.reason_en,
                first_seen_on=item.first_seen_on,
                last_seen_on=item.last_seen_on,
                distributed_on=deadline.distributed_on,
                deadline=deadline.deadline,
                deadline_basis=deadline.basis,
                deadline_provisional=deadline.provisional,
                due="past"
                if late
                else (_due(deadline.deadline, today, cal) if _running(item) else ""),
                members=tuple(its),
                stage=item.stage,
                assigned_channel=item.assigned_channel,
                assignee=item.assignee.get_username() if item.assignee else "",
                assignee_name=person_name(item.assignee),
                overdue_undistributed=late,
                outcome=item.outcome,
            )
        )
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.VIEW_PERSONAL_DATA,
            object_type="problem_item_list",
            purpose=principal.purpose,
            detail={
                "filters": {
                    "business_date": business_date.isoformat() if business_date else None,
                    "rule": rule,
                    "channel": channel,
                    "seller_code": seller_code,
                    "status": status,
                    "stage": stage,
                },
                "total": total,
                "items": [r.id for r in rows[:500]],
            },
        ),
    )
    return ProblemList(items=rows, total=total, business_date=business_date)
