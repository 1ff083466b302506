"""Writing to the audit trail. Every append happens inside the caller's transaction, so an
action and its audit event commit or roll back together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from veracity.audit.chain import canonical_detail, event_hash
from veracity.audit.models import GENESIS_HASH, AuditEvent
from veracity.db.bulk import insert_rows

# Advisory-lock key serialising appends on PostgreSQL ("VERAUDIT" as digits, any constant).
_PG_LOCK_KEY = 8_372_283_848


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: a user, or a system identity (an API client, a batch job)."""

    label: str
    user_id: int | None = None
    ip: str = ""

    @classmethod
    def of(cls, user: Any, ip: str = "") -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(label="anonymous", ip=ip)
        return cls(label=user.get_username(), user_id=user.pk, ip=ip)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(label=f"system:{label}")


@dataclass(frozen=True, slots=True)
class Event:
    action: str
    object_type: str = ""
    object_id: str = ""
    customer_id: int | None = None
    purpose: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def _lock_head() -> tuple[int, str]:
    """Serialise appenders and return (last seq, last hash).

    SQLite runs every transaction with BEGIN IMMEDIATE, which already holds the write lock;
    PostgreSQL takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return head if head else (0, GENESIS_HASH)


def audit_record_many(*, actor: Actor, events: Sequence[Event]) -> list[AuditEvent]:
    """Append events in order, chained, in one transaction."""
    if not events:
        return []
    with transaction.atomic():
        rows = _append(actor, events)
    stored = []
    for row in rows:
        event = AuditEvent(**dict(zip(_COLUMNS, row, strict=True)))
        event._state.adding = False
        event._state.db = connection.alias
        stored.append(event)
    return stored


def audit_append_many(*, actor: Actor, events: Sequence[Event]) -> None:
    """``audit_record_many`` for bulk writes (a file import): the same events, chained the
    same way, without building a model instance per event. Call it inside the writing
    transaction."""
    if events:
        with transaction.atomic(savepoint=False):
            _append(actor, events)


_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor",
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


def _append(actor: Actor, events: Sequence[Event]) -> list[tuple[Any, ...]]:
    seq, prev = _lock_head()
    now = timezone.now()
    actor_id, label, ip = actor.user_id, actor.label[:150], actor.ip[:45]
    rows = []
    for event in events:
        seq += 1
        detail = canonical_detail(event.detail)
        object_id = str(event.object_id)[:64]
        purpose = event.purpose[:200]
        digest = event_hash(
            prev_hash=prev,
            seq=seq,
            occurred_at=now,
            actor_id=actor_id,
            actor=label,
            action=event.action,
            object_type=event.object_type,
            object_id=object_id,
            customer_id=event.customer_id,
            purpose=purpose,
            ip=ip,
            detail=detail,
        )
        rows.append(
            (
                seq,
                now,
                actor_id,
                label,
                event.action,
                event.object_type,
                object_id,
                event.customer_id,
                purpose,
                ip,
                detail,
                prev,
                digest,
            )
        )
        prev = digest
    insert_rows(AuditEvent, _COLUMNS, rows, history=False)
    return rows


def audit_record(*, actor: Actor, event: Event) -> AuditEvent:
    return audit_record_many(actor=actor, events=[event])[0]


def _hash_of(row: AuditEvent) -> str:
    return event_hash(
        prev_hash=row.prev_hash,
        seq=row.seq,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        customer_id=row.customer_id,
        purpose=row.purpose,
        ip=row.ip,
        detail=row.detail,
    )


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]


def audit_verify(*, batch_size: int = 20_000, max_problems: int = 50) -> ChainReport:
    """Recompute the chain from the first event: every hash, every link, no gap in ``seq``."""
    problems: list[str] = []
    expected_seq, prev = 1, GENESIS_HASH
    count = 0
    for row in _iter_events(batch_size):
        count += 1
        if row.seq != expected_seq:
            problems.append(f"seq {expected_seq}..{row.seq - 1} missing (deleted rows)")
        if row.prev_hash != prev:
            problems.append(f"seq {row.seq}: link to previous event broken")
        if _hash_of(row) != row.hash:
            problems.append(f"seq {row.seq}: content does not match its hash (altered)")
        prev, expected_seq = row.hash, row.seq + 1
        if len(problems) >= max_problems:
            break
    return ChainReport(
        ok=not problems,
        events=count,
        head_seq=expected_seq - 1,
        head_hash=prev,
        problems=tuple(problems),
    )


def _iter_events(batch_size: int) -> Iterable[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
