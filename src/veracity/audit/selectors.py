"""Reading the audit trail: the auditor's filtered, paged view of it and the chain's head.

The trail can hold many millions of events, so pages are keyset pages on ``seq`` (newest
first) and nothing ever counts the whole table: ``seq`` has no gaps, so the head's ``seq``
is the number of events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db.models import QuerySet

from veracity.audit.chain import stamp
from veracity.audit.models import GENESIS_HASH, AuditEvent, ChainVerification
from veracity.org.actions import may, reach_for
from veracity.org.principals import Principal

PAGE_SIZE = 50


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


def trail(flt: TrailFilter, *, principal: Principal, action: str) -> QuerySet[AuditEvent]:
    """The events ``flt`` asks for, of those ``principal`` may read for ``action``."""
    events = visible_to(principal=principal, action=action)
    if flt.actor:
        events = events.filter(actor=flt.actor)
    if flt.customer_id is not None:
        events = events.filter(customer_id=flt.customer_id)
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
        return TrailPage(events=rows, newer=newer, older=older)
    page = events.order_by("-seq")
    if before is not None:
        page = page.filter(seq__lt=before)
    rows = list(page[: size + 1])
    older = rows[size - 1].seq if len(rows) > size else None
    rows = rows[:size]
    newer = None
    if before is not None and rows and events.filter(seq__gt=rows[0].seq).exists():
        newer = rows[0].seq
    return TrailPage(events=rows, newer=newer, older=older)


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
