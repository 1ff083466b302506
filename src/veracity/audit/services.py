"""Writing to the audit trail, verifying its chain, exporting it.

Every append happens inside the caller's transaction, so an action and its audit event
commit or roll back together. The auditor's own acts — a verification, an export — are
appended like any other event (``AUDIT_VERIFY``, ``AUDIT_EXPORT``).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from veracity.audit.chain import body, canonical_detail, event_hash, link_hash, stamp
from veracity.audit.exports import trail_csv, trail_xlsx
from veracity.audit.models import GENESIS_HASH, Action, AuditEvent, ChainVerification
from veracity.audit.selectors import TrailFilter, trail_head, trail_rows
from veracity.db.bulk import insert_rows
from veracity.org.actions import may
from veracity.org.principals import Customer, Principal, Staff, System

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
    def of_principal(cls, principal: Principal) -> Actor:
        """The principal as the trail records it: a staff user by username; a system by its
        name (``api:<client>``, ``system:<job>``) with its designated person's id; a customer
        as ``customer:<id>``; each at the principal's address."""
        if isinstance(principal, Staff):
            return cls.of(principal.user, principal.address)
        if isinstance(principal, System):
            person = principal.person
            return cls(
                label=principal.client_name,
                user_id=person.pk if person is not None else None,
                ip=principal.address,
            )
        if isinstance(principal, Customer):
            return cls(label=f"customer:{principal.customer_id}", ip=principal.address)
        raise TypeError(f"not a principal: {principal!r}")

    @classmethod
    def acting(cls, principal: Principal) -> Actor:
        """The person acting for the principal, as a service records its own step: a staff
        user, or a system's designated person (the call itself is recorded under the system
        by the adapter, :meth:`of_principal`); a principal without a person as
        :meth:`of_principal`."""
        if isinstance(principal, System) and principal.person is not None:
            return cls.of(principal.person, principal.address)
        return cls.of_principal(principal)

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


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]


#: Events read per query; ``progress`` is told after each query.
VERIFY_BATCH = 250_000

# One row as verification reads it: seq, the time as hashed (``chain.stamp``; ``None`` when
# the stored value cannot be one), actor_id and customer_id as JSON number text, the text
# fields, prev_hash, hash.
_Row = Sequence[Any]


def audit_verify(
    *,
    batch_size: int = VERIFY_BATCH,
    max_problems: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> ChainReport:
    """Recompute the chain from the first event: every hash, every link, no gap in ``seq``.

    The rows are streamed (``COPY … TO STDOUT`` on PostgreSQL, which formats the time while
    Python hashes; plain keyset queries on SQLite) and hashed by ``chain.body`` — the bytes
    the append hashed. ``progress(events checked, last seq)`` is called between queries
    (never while a query streams, so it may write to the database).
    """
    fetch = _pg_rows if connection.vendor == "postgresql" else _sqlite_rows
    problems: list[str] = []
    expected_seq, prev = 1, GENESIS_HASH
    count = 0
    hash_of, body_of = link_hash, body
    stop = False
    while not stop:
        before = count
        with contextlib.closing(fetch(expected_seq - 1, batch_size)) as batches:
            for rows in batches:
                for seq, st, aid, who, act, otype, oid, cid, why, ip, det, ph, h in rows:
                    count += 1
                    if seq != expected_seq:
                        problems.append(f"seq {expected_seq}..{seq - 1} missing (deleted rows)")
                    if ph != prev:
                        problems.append(f"seq {seq}: link to previous event broken")
                    if st is None or h != hash_of(
                        ph, body_of(seq, st, aid, who, act, otype, oid, cid, why, ip, det)
                    ):
                        problems.append(f"seq {seq}: content does not match its hash (altered)")
                    prev, expected_seq = h, seq + 1
                    if len(problems) >= max_problems:
                        stop = True
                        break
                if stop:
                    break
        read = count - before
        if progress is not None and read:
            progress(count, expected_seq - 1)
        if read < batch_size:
            break
    return ChainReport(
        ok=not problems,
        events=count,
        head_seq=expected_seq - 1,
        head_hash=prev,
        problems=tuple(problems),
    )


_PG_SELECT = (
    "SELECT seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "coalesce(actor_id::text, 'null'), actor, action, object_type, object_id, "
    "coalesce(customer_id::text, 'null'), purpose, ip, detail, prev_hash, hash "
    "FROM audit_auditevent WHERE seq > %d ORDER BY seq LIMIT %d"
)
_SQLITE_SELECT = (
    "SELECT seq, CAST(occurred_at AS TEXT), coalesce(CAST(actor_id AS TEXT), 'null'), "
    "actor, action, object_type, object_id, coalesce(CAST(customer_id AS TEXT), 'null'), "
    "purpose, ip, detail, prev_hash, hash "
    "FROM audit_auditevent WHERE seq > %s ORDER BY seq LIMIT %s"
)
_SUB_BATCH = 5_000

# COPY's text format escapes backslash, the delimiter (tab) and these control characters.
_COPY_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_COPY_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _copy_field(text: str) -> str | None:
    if text == "\\N":
        return None
    return _COPY_ESCAPE.sub(lambda m: _COPY_CHARS.get(m.group(1), m.group(1)), text)


def _pg_rows(after: int, limit: int) -> Generator[list[_Row]]:
    """Rows after ``after`` (at most ``limit``), in lists, from one ``COPY TO STDOUT``.

    The rows are read straight from libpq (``PQgetCopyData`` through psycopg's ``pgconn``):
    psycopg's ``Copy`` costs about 2 µs of Python per row, a third of the whole
    verification. PostgreSQL sends one row per message; anything else is reassembled.
    """
    from psycopg import pq

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    sql = f"COPY ({_PG_SELECT % (int(after), int(limit))}) TO STDOUT"
    pgconn.send_query(sql.encode())
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        message = result.get_error_message() if result is not None else "no result"
        _pg_finish(pgconn)
        raise DatabaseError(f"audit verification: COPY failed: {message}")
    get = pgconn.get_copy_data
    width = 13
    rows: list[_Row] = []
    pending = b""
    size = 1
    try:
        while True:
            size, data = get(0)
            if size <= 0:
                break
            if not pending:
                try:
                    line = str(data, "utf-8")
                except UnicodeDecodeError:
                    line = ""
                if line.endswith("\n"):
                    fields = line[:-1].split("\t")
                    if len(fields) == width:
                        rows.append(_pg_row(fields, line))
                        if len(rows) >= _SUB_BATCH:
                            yield rows
                            rows = []
                        continue
            pending += bytes(data)
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                text = str(raw, "utf-8")
                rows.append(_pg_row(text.split("\t"), text))
        if rows:
            yield rows
    finally:
        while size > 0:  # a COPY is read to its end before the next statement
            size, data = get(0)
        _pg_finish(pgconn)
    if size == -2:
        raise DatabaseError(f"audit verification: {pgconn.get_error_message()!r}")


def _pg_row(fields: list[Any], line: str) -> list[Any]:
    if "\\" in line:
        fields = [_copy_field(f) for f in fields]
        if None in fields:  # NULL where the schema forbids it: tampering
            fields[1] = None
    fields[0] = int(fields[0])
    return fields


def _pg_finish(pgconn: Any) -> None:
    """Collect the statement's remaining results; an error among them is raised."""
    from psycopg import pq

    error = ""
    while (result := pgconn.get_result()) is not None:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            error = result.get_error_message()
    if error:
        raise DatabaseError(f"audit verification: {error}")


def _sqlite_rows(after: int, limit: int) -> Generator[list[_Row]]:
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_SELECT, [after, limit])
        while rows := cursor.fetchmany(_SUB_BATCH):
            yield [(r[0], _sqlite_stamp(r[1]), *r[2:]) for r in rows]


def _sqlite_stamp(text: str | None) -> str | None:
    """Django keeps a time in SQLite as UTC ``YYYY-MM-DD HH:MM:SS[.ffffff]``."""
    if text is None:
        return None
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        return f"{text[:10]}T{text[11:]}Z"
    if len(text) == 19 and text[10] == " ":
        return f"{text[:10]}T{text[11:]}.000000Z"
    try:
        parsed = parse_datetime(text)
    except ValueError:
        return None
    if parsed is None:
        return None
    return stamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def audit_verify_record(
    *,
    actor: Actor,
    report: ChainReport,
    via: str,
    run_id: int | None = None,
    anchor_problems: Sequence[str] = (),
    anchors: int = 0,
) -> AuditEvent:
    """Write one verification's result to the trail (``AUDIT_VERIFY``)."""
    problems = [*report.problems, *anchor_problems]
    return audit_record(
        actor=actor,
        event=Event(
            action=Action.AUDIT_VERIFY,
            object_type="audit_chain",
            object_id=str(run_id) if run_id is not None else "",
            purpose=AUDIT_PURPOSE,
            detail={
                "ok": not problems,
                "events": report.events,
                "head_seq": report.head_seq,
                "head_hash": report.head_hash,
                "problem_count": len(problems),
                "problems": problems[:20],
                "anchors": anchors,
                "via": via,
            },
        ),
    )


#: The purpose stated on the auditor's own events (verifications and exports).
AUDIT_PURPOSE = "audit"

#: A queued or running verification that has shown no progress for this long is dead (its
#: worker stopped): a new one may be started.
VERIFY_STALE = timedelta(minutes=10)


def audit_verification_request(*, actor: Actor) -> tuple[ChainVerification, bool]:
    """Ask for a verification of the whole chain, run as a job (``tasks.verify_chain``).

    Returns the run and whether it is new: while one is queued or running (and alive), it is
    returned instead of starting a second.
    """
    now = timezone.now()
    with transaction.atomic():
        active = ChainVerification.objects.filter(
            status__in=[ChainVerification.Status.QUEUED, ChainVerification.Status.RUNNING]
        ).order_by("-pk")
        for run in active:
            if now - run.updated_at < VERIFY_STALE:
                return run, False
        active.update(
            status=ChainVerification.Status.FAILED,
            error="abandoned: no progress for 10 minutes (job worker stopped?)",
            finished_at=now,
            updated_at=now,
        )
        head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        run = ChainVerification.objects.create(
            requested_by_id=actor.user_id,
            requested_by=actor.label[:150],
            requested_ip=actor.ip[:45],
            requested_at=now,
            updated_at=now,
            target_seq=head or 0,
        )
        transaction.on_commit(lambda: _enqueue_verification(run.pk))
    return run, True


def _enqueue_verification(run_id: int) -> None:
    # lazily: the task module imports these services (the queue's entry point)
    from veracity.audit.tasks import verify_chain

    verify_chain(run_id)


def audit_verification_run(*, run_id: int) -> ChainVerification | None:
    """The job: claim the queued run (a conditional UPDATE, so it runs once), verify with
    progress written as it goes, then store the result on the run and write it to the
    trail in the asker's name, in one transaction. ``None`` when the run was not queued."""
    runs = ChainVerification.objects.filter(pk=run_id)
    now = timezone.now()
    claimed = runs.filter(status=ChainVerification.Status.QUEUED).update(
        status=ChainVerification.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    run = runs.get()
    actor = Actor(label=run.requested_by, user_id=run.requested_by_id, ip=run.requested_ip)

    def progress(checked: int, last_seq: int) -> None:
        runs.update(checked=checked, updated_at=timezone.now())

    try:
        report = audit_verify(progress=progress)
    except Exception as exc:
        now = timezone.now()
        runs.update(
            status=ChainVerification.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=now,
            updated_at=now,
        )
        raise
    with transaction.atomic():
        event = audit_verify_record(actor=actor, report=report, via="web", run_id=run_id)
        now = timezone.now()
        runs.update(
            status=ChainVerification.Status.DONE,
            finished_at=now,
            updated_at=now,
            checked=report.events,
            ok=report.ok,
            events=report.events,
            head_seq=report.head_seq,
            head_hash=report.head_hash,
            problems=list(report.problems),
            audit_seq=event.seq,
        )
    return runs.get()


# --- Export ---------------------------------------------------------------------------------

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class TrailExport:
    file: IO[bytes]  # at its start; the caller closes it (a response does)
    filename: str
    content_type: str
    rows: int
    truncated: bool
    event: AuditEvent


def audit_export(
    *, principal: Principal, flt: TrailFilter, fmt: str, now: datetime | None = None
) -> TrailExport:
    """The filtered trail as a file (``xlsx`` or ``csv``) and the ``AUDIT_EXPORT`` event that
    records it, with the filter. The event is written after the file is complete and before
    it is handed over: if it cannot be written, there is no file."""
    if not may(principal, "audit.export"):
        raise PermissionDenied
    if fmt not in EXPORT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    now = timezone.localtime(now)
    head = trail_head()
    rows = trail_rows(flt, principal=principal)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        if fmt == "xlsx":
            filters = canonical_detail(flt.as_detail()) or "全部 / all"
            title = (
                f"审计轨迹导出 / Audit trail export — 筛选 filter: {filters} — "
                f"链头 head: seq {head.seq} — 生成时间 generated: {now:%Y-%m-%d %H:%M:%S}"
            )
            written, truncated = trail_xlsx(rows, out, title=title)
        else:
            written, truncated = trail_csv(rows, out), False
        out.seek(0)
        event = audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.AUDIT_EXPORT,
                object_type="audit_trail",
                purpose=AUDIT_PURPOSE,
                detail={
                    "format": fmt,
                    "filters": flt.as_detail(),
                    "rows": written,
                    "truncated": truncated,
                    "head_seq": head.seq,
                },
            ),
        )
    except BaseException:
        out.close()
        raise
    return TrailExport(
        file=out,
        filename=f"audit-trail-{now:%Y%m%d-%H%M%S}.{fmt}",
        content_type=EXPORT_TYPES[fmt],
        rows=written,
        truncated=truncated,
        event=event,
    )
