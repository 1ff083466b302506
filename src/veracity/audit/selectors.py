"""Reading the audit trail: the auditor's filtered, paged view of it and the chain's head.

The trail can hold many millions of events, so pages are keyset pages on ``seq`` (newest
first) and nothing ever counts the whole table: ``seq`` has no gaps, so the head's ``seq``
is the number of events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from veracity.audit.chain import stamp
from veracity.audit.models import GENESIS_HASH, AuditEvent, ChainVerification
from veracity.org.actions import may, reach_for
from veracity.org.principals import Principal

PAGE_SIZE = 50
#: A filtered page counts its events up to this many and says "10,000+" beyond: the count
#: stays fast on a trail of millions (the unfiltered count is the head's seq, free).
COUNT_CAP = 10_000
#: People offered by the type-ahead, and matched by one name.
PEOPLE_LIMIT = 20

#: The objects about a customer, per object type: ``customer id -> ids`` (an access request
#: naming the customer, the problem items on the customer's file). The apps above register
#: theirs from ``AppConfig.ready()`` (:func:`about_customer`); the 档案号 filter then finds
#: the events about those objects too — the requests, their approvals, the case steps.
_ABOUT_CUSTOMER: dict[str, Callable[[int], Iterable[Any]]] = {
    # a refused look at a file is recorded on the file, with or without the customer id
    "customer": lambda customer_id: [customer_id],
}


def about_customer(object_type: str, ids_of: Callable[[int], Iterable[Any]]) -> None:
    """Register how to find the objects of ``object_type`` about a customer."""
    _ABOUT_CUSTOMER[object_type] = ids_of


def _about(customer_id: int) -> Q:
    condition = Q(customer_id=customer_id)
    for object_type, ids_of in _ABOUT_CUSTOMER.items():
        ids = sorted({str(i) for i in ids_of(customer_id)})
        if ids:
            condition |= Q(object_type=object_type, object_id__in=ids)
    return condition


def can_read_trail(*, principal: Principal) -> bool:
    """``audit.read``: the auditor and the administrator (requirements "Actors")."""
    return may(principal, "audit.read")


#: What the trail is read for: its page, its export, the verification of its chain. Each
#: is its own action in the table; whoever may take it reads the whole trail.
REACHES: Final = {"audit.read": "trail", "audit.export": "trail", "audit.verify": "trail"}


def visible_to(*, principal: Principal, action: str) -> QuerySet[AuditEvent]:
    """The whole trail for whoever may take ``action`` (one of :data:`REACHES`); nothing for
    anyone else."""
    reach_for(action, REACHES)
    events = AuditEvent.objects.all()
    return events if may(principal, action) else events.none()


@dataclass(frozen=True, slots=True)
class TrailFilter:
    """What the auditor asked for. ``since`` is inclusive, ``until`` exclusive."""

    actor: str = ""
    customer_id: int | None = None
    action: str = ""
    purpose: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def as_detail(self) -> dict[str, Any]:
        """The filter as recorded in the audit trail (only what was set)."""
        values = {
            "actor": self.actor,
            "customer_id": self.customer_id,
            "action": self.action,
            "purpose": self.purpose,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class Person:
    """A staff member as the type-ahead offers them."""

    login: str
    name: str


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def people_matching(text: str, *, limit: int = PEOPLE_LIMIT) -> list[Person]:
    """Staff whose login or name contains ``text`` (case ignored), logins first."""
    text = (text or "").strip()[:150]
    if not text:
        return []
    users = get_user_model().objects.filter(
        Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    )
    rows = users.order_by("username").values_list("username", "first_name", "last_name")[:limit]
    return [Person(login=u, name=_full_name(f, la) or u) for u, f, la in rows]


def people_by_id(ids: Iterable[int]) -> dict[int, Person]:
    """Staff per user id (one query for a page of events)."""
    wanted = {int(i) for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (
        get_user_model()
        .objects.filter(pk__in=wanted)
        .values_list("pk", "username", "first_name", "last_name")
    )
    return {pk: Person(login=u, name=_full_name(f, la) or u) for pk, u, f, la in rows}


def _actor_condition(text: str) -> Q:
    """The person filter: the exact login (or system name) as recorded, or the logins of the
    staff whose name contains ``text``."""
    named = get_user_model().objects.filter(
        Q(username__iexact=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    )
    logins = list(named.order_by("username").values_list("username", flat=True)[:PEOPLE_LIMIT])
    return Q(actor__in=sorted({text, *logins}))


def trail(flt: TrailFilter, *, principal: Principal, action: str) -> QuerySet[AuditEvent]:
    """The events ``flt`` asks for, of those ``principal`` may read for ``action``. A
    customer's filter also finds the events about the objects about that customer (its
    access requests and their approvals, its problem items' steps: :func:`about_customer`)."""
    events = visible_to(principal=principal, action=action)
    if flt.actor:
        events = events.filter(_actor_condition(flt.actor))
    if flt.customer_id is not None:
        events = events.filter(_about(flt.customer_id))
    if flt.action:
        events = events.filter(action=flt.action)
    if flt.purpose:
        events = events.filter(purpose=flt.purpose)
    if flt.since is not None:
        events = events.filter(occurred_at__gte=flt.since)
    if flt.until is not None:
        events = events.filter(occurred_at__lt=flt.until)
    return events


@dataclass(frozen=True, slots=True)
class TrailPage:
    events: list[AuditEvent]
    #: ``after`` for the page of newer events, ``before`` for the page of older ones;
    #: ``None`` when there is none.
    newer: int | None
    older: int | None
    #: How many events match (at most :data:`COUNT_CAP` counted for a filtered page:
    #: ``capped`` then says there are more), and this page's number among them.
    total: int = 0
    capped: bool = False
    number: int = 1
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _capped_count(events: QuerySet[AuditEvent]) -> tuple[int, bool]:
    """``(count, capped)``: the events counted up to :data:`COUNT_CAP` (a LIMITed subquery,
    never the whole trail)."""
    counted = events.order_by().values("seq")[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def _counted(
    page: TrailPage, flt: TrailFilter, events: QuerySet[AuditEvent], size: int
) -> TrailPage:
    """The page with its total and its number. Unfiltered, ``seq`` has no gaps: the head's
    seq is the total and the first row's seq its position, without counting anything."""
    if not flt.as_detail():
        head = trail_head().seq if events.exists() else 0
        total, capped = head, False
        newer = head - page.events[0].seq if page.events else 0
    else:
        total, capped = _capped_count(events)
        newer = _capped_count(events.filter(seq__gt=page.events[0].seq))[0] if page.events else 0
    return TrailPage(
        events=page.events,
        newer=page.newer,
        older=page.older,
        total=total,
        capped=capped,
        number=newer // size + 1,
        size=size,
    )


def trail_page(
    flt: TrailFilter,
    *,
    principal: Principal,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> TrailPage:
    """One page of the filtered trail, newest first: the newest events, or those just
    older than seq ``before``, or those just newer than seq ``after``."""
    events = trail(flt, principal=principal, action="audit.read")
    if after is not None:
        rows = list(events.filter(seq__gt=after).order_by("seq")[: size + 1])
        if not rows:  # nothing newer than that: the newest page
            return trail_page(flt, principal=principal, size=size)
        newer = rows[size - 1].seq if len(rows) > size else None
        rows = rows[:size][::-1]
        older = rows[-1].seq if events.filter(seq__lt=rows[-1].seq).exists() else None
        return _counted(TrailPage(events=rows, newer=newer, older=older), flt, events, size)
    page = events.order_by("-seq")
    if before is not None:
        page = page.filter(seq__lt=before)
    rows = list(page[: size + 1])
    older = rows[size - 1].seq if len(rows) > size else None
    rows = rows[:size]
    newer = None
    if before is not None and rows and events.filter(seq__gt=rows[0].seq).exists():
        newer = rows[0].seq
    return _counted(TrailPage(events=rows, newer=newer, older=older), flt, events, size)


#: What an export holds per event: enough to recompute every hash from the file.
EXPORT_FIELDS = (
    "seq",
    "occurred_at",
    "actor",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "customer_id",
    "purpose",
    "ip",
    "detail",
    "prev_hash",
    "hash",
)


def trail_rows(
    flt: TrailFilter, *, principal: Principal, chunk: int = 5_000
) -> Iterator[tuple[Any, ...]]:
    """The filtered trail oldest first, as tuples of ``EXPORT_FIELDS``, read in keyset
    chunks (an export of millions of events never holds them all)."""
    events = trail(flt, principal=principal, action="audit.export").order_by("seq")
    last = 0
    while True:
        rows = list(events.filter(seq__gt=last).values_list(*EXPORT_FIELDS)[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1][0]


@dataclass(frozen=True, slots=True)
class Head:
    """The newest event: with gap-free ``seq``, ``seq`` is the number of events."""

    seq: int
    hash: str
    occurred_at: datetime | None

    @property
    def stamp(self) -> str:
        return stamp(self.occurred_at) if self.occurred_at else ""


def trail_head() -> Head:
    row = AuditEvent.objects.order_by("-seq").values_list("seq", "hash", "occurred_at").first()
    if row is None:
        return Head(seq=0, hash=GENESIS_HASH, occurred_at=None)
    return Head(seq=row[0], hash=row[1], occurred_at=row[2])


def verification_latest() -> ChainVerification | None:
    """The latest verification asked for in the auditor's pages."""
    return ChainVerification.objects.order_by("-pk").first()


def verification_latest_finished() -> ChainVerification | None:
    return (
        ChainVerification.objects.filter(status=ChainVerification.Status.DONE)
        .order_by("-pk")
        .first()
    )


@dataclass(frozen=True, slots=True)
class ChainState:
    """The chain's state in plain words: ``intact`` (verified up to ``seq``), ``broken``, or
    ``unverified`` (no verification recorded yet — not a failure). ``newer`` events came
    after the last verification and are checked by the next one."""

    state: str
    seq: int = 0
    events: int = 0
    when: datetime | None = None
    who: str = ""
    problems: tuple[str, ...] = ()
    problem_count: int = 0
    newer: int = 0


def chain_state() -> ChainState:
    """The last verification recorded in the trail (``AUDIT_VERIFY``, from this page, the
    command or the job), compared with the head."""
    head = trail_head().seq
    event = (
        AuditEvent.objects.filter(action="audit_verify")
        .order_by("-seq")
        .values_list("occurred_at", "actor", "actor_id", "detail")
        .first()
    )
    if event is None:
        return ChainState(state="unverified", newer=head)
    when, who, who_id, text = event
    person = people_by_id([who_id]).get(who_id) if who_id is not None else None
    try:
        detail = json.loads(text or "{}")
    except ValueError:
        detail = {}
    seq = int(detail.get("head_seq") or 0)
    problems = tuple(str(p) for p in detail.get("problems") or ())
    return ChainState(
        state="intact" if detail.get("ok") else "broken",
        seq=seq,
        events=int(detail.get("events") or 0),
        when=when,
        who=person.name if person is not None and person.login == who else "",
        problems=problems,
        problem_count=int(detail.get("problem_count") or len(problems)),
        # the verification's own event and what followed
        newer=max(0, head - seq - 1),
    )
