"""Recording the policy service events the core business system sends (issue 14): premiums
due and received, claims, benefit payments, policy service changes (保全), a policy's start
and end.

``policy_events_record`` is the one write path for ``POST /api/v1/policy-events`` and for
``veracity import policy-events FILE``. Every record is read by the one schema
(``core.policy_events.parse_policy_event``); a record that does not fit, or that names a
policy or application Veracity does not know, is reported with its line, field and reason
and the good ones go in. An event is taken once per ``event_id``: a re-sent event with the
same content is a duplicate, the same id with other content is refused.

A ``policy_effective`` event turns a stored application into a policy: it gives it its
policy number, its dates and its coverage, and puts it in force, with the change kept in the
policy's history. Events of the new policy number later in the same batch find it.

Each batch is one transaction (events, policy changes, the audit event and whatever the
listeners of ``policies.events`` write): a database failure rolls back that batch only and
reports its lines; earlier batches stay. Rows are written with ``db.bulk.insert_rows`` (COPY
on PostgreSQL), and a batch reads its policies and known event ids with one query each.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from veracity.access.models import ApiClient
from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.policy_events import ChangeKind, EventKind, parse_policy_event
from veracity.core.refusals import Refusal
from veracity.core.schema import Problem, Rejected
from veracity.db.bulk import any_of, insert_rows, select
from veracity.ingest.readers import ImportCounts, RowError
from veracity.org.principals import Principal, System
from veracity.policies import events as listeners
from veracity.policies import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.policies.models import Policy, PolicyEvent, PolicyStatus

logger = logging.getLogger(__name__)

#: Records per transaction.
BATCH_SIZE = 5000

#: What an event does to the policy's status (a surrender ends the policy, a reinstatement
#: puts a lapsed one back in force).
ENDING_STATUS = {
    EventKind.POLICY_LAPSED: PolicyStatus.LAPSED,
    EventKind.POLICY_TERMINATED: PolicyStatus.TERMINATED,
}
CHANGE_STATUS = {
    ChangeKind.SURRENDER: PolicyStatus.TERMINATED,
    ChangeKind.REINSTATEMENT: PolicyStatus.IN_FORCE,
}

#: The policy's fields a ``policy_effective`` event sets.
EFFECTIVE_FIELDS = (
    "policy_no",
    "effective_on",
    "cooling_off_ends_on",
    "callback_due_on",
    "sum_assured",
    "coverage",
    "status",
)
_COVERAGE_KEYS = ("coverage_period", "premium", "payment_period", "riders")
_EVENT_COLUMNS = ("event_id", "policy_id", "kind", "occurred_on", "data", "claim_no", "source")


class EventsRefused(Refusal):
    """A caller that may not record policy events (``policy_events.*`` of
    :mod:`veracity.policies.refusals`)."""

    namespace = "policy_events"


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    """One record not taken: its line (the index in an API body), its event id when it has
    one, and every problem (field, zh, en)."""

    line: int
    event_id: str
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.line,
            "event_id": self.event_id,
            "problems": [
                {"field": p.field, "zh": p.reason_zh, "en": p.reason_en} for p in self.problems
            ],
        }


@dataclass
class EventBatchResult:
    """What a recording did: events taken, re-sent events recognised, records refused (by
    line), and the batches a database failure rolled back (their lines are among the
    refused)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[RejectedEvent] = field(default_factory=list)
    failed_batches: int = 0

    def add(self, other: EventBatchResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)
        self.failed_batches += other.failed_batches


def may_record(principal: Principal, *, system: str = "") -> bool:
    """``policy_events.record``: the core business system's API clients (``system`` is the
    calling client's ``ApiClient.system``) and the command line or a job (a ``System``
    principal not of the API); no person, no other system."""
    if not isinstance(principal, System):
        return False
    if principal.client_name.startswith("api:"):
        return system == ApiClient.System.CORE
    return True


def policy_events_record(
    *,
    principal: Principal,
    records: Iterable[tuple[int, object]],
    source: str,
    system: str = "",
    batch_size: int = BATCH_SIZE,
    progress: Callable[[EventBatchResult], None] | None = None,
) -> EventBatchResult:
    """Record ``records`` (line number, raw event — a ``RowError`` of the file reader is a
    refused line) in batches of ``batch_size``, one transaction each; ``progress`` is told
    the running totals after each batch. ``EventsRefused`` (forbidden, audited, nothing
    written) unless the principal may record (:func:`may_record`)."""
    if not may_record(principal, system=system):
        record_refusal(
            actor=Actor.of_principal(principal),
            action="policy_events.record",
            object_type="policy_events",
            object_id=source,
            detail={"system": system},
        )
        raise EventsRefused("forbidden")
    total = EventBatchResult()
    for batch in _chunks(records, max(1, batch_size)):
        total.add(_record_guarded(batch, principal=principal, source=source))
        if progress is not None:
            progress(total)
    total.rejected.sort(key=lambda r: r.line)
    return total


def _chunks(records: Iterable[tuple[int, object]], size: int) -> Iterator[list[tuple[int, object]]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


_DB_FAILED = Problem(
    "",
    "数据库写入失败，本批记录均未写入，请重新发送",
    "the database failed; nothing of this batch was written: send it again",
)


def _record_guarded(
    batch: list[tuple[int, object]], *, principal: Principal, source: str
) -> EventBatchResult:
    try:
        with transaction.atomic():
            return _record_batch(batch, principal=principal, source=source)
    except DatabaseError:
        logger.exception(
            "policy events: batch of lines %s–%s rolled back", batch[0][0], batch[-1][0]
        )
        result = EventBatchResult(failed_batches=1)
        for line, raw in batch:
            result.rejected.append(RejectedEvent(line, _event_id_of(raw), (_DB_FAILED,)))
        return result


def _event_id_of(raw: object) -> str:
    value = raw.get("event_id") if isinstance(raw, dict) else None
    return value[:40] if isinstance(value, str) else ""


def _fingerprint(policy_no: str, application_no: str, record: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two records the same event: policy, application (of an effective event),
    kind, day and data (compared as values: 1200 and 1200.0 are one amount)."""
    return (policy_no, application_no, record["kind"], str(record["occurred_on"]), record["data"])


def _problem(field_: str, zh: str, en: str) -> tuple[Problem, ...]:
    return (Problem(field_, zh, en),)


@dataclass(slots=True)
class _App:
    """A policy as a batch knows it (from one query, changed in memory by its events)."""

    pk: int
    application_no: str
    policy_no: str | None
    status: str
    changes: dict[str, Any] = field(default_factory=dict)


def _record_batch(
    batch: list[tuple[int, object]], *, principal: Principal, source: str
) -> EventBatchResult:
    result = EventBatchResult()
    parsed: list[tuple[int, dict[str, Any]]] = []
    for line, raw in batch:
        if isinstance(raw, RowError):
            result.rejected.append(
                RejectedEvent(line, "", (Problem(raw.field, raw.reason_zh, raw.reason_en),))
            )
            continue
        try:
            parsed.append((line, parse_policy_event(raw)))
        except Rejected as rejected:
            result.rejected.append(RejectedEvent(line, _event_id_of(raw), rejected.problems))
    if not parsed:
        return result

    known = _known_events([r["event_id"] for _, r in parsed])
    by_policy_no, by_application_no = _policies(parsed)

    # event id → the record taken in this batch (fingerprinted only if its id comes again)
    taken: dict[str, dict[str, Any]] = {}
    rows: list[tuple[Any, ...]] = []
    for line, record in parsed:
        event_id = record["event_id"]
        policy_no = record["policy_no"]
        seen = known.get(event_id)
        if seen is None and event_id in taken:
            earlier = taken[event_id]
            seen = _fingerprint(earlier["policy_no"], earlier.get("application_no") or "", earlier)
        if seen is not None:
            if seen == _fingerprint(policy_no, record.get("application_no") or "", record):
                result.duplicates += 1
            else:
                result.rejected.append(
                    RejectedEvent(
                        line,
                        event_id,
                        _problem(
                            "event_id",
                            "事件编号已用于另一事件",
                            "this event id was already used for another event",
                        ),
                    )
                )
            continue
        kind = record["kind"]
        if kind == EventKind.POLICY_EFFECTIVE:
            problems = _take_effective(record, by_policy_no, by_application_no)
        else:
            problems = _take_event(record, by_policy_no)
        if problems:
            result.rejected.append(RejectedEvent(line, event_id, problems))
            continue
        taken[event_id] = record
        data = record["data"]
        rows.append(
            (
                event_id,
                by_policy_no[policy_no].pk,
                kind,
                date.fromisoformat(record["occurred_on"]),
                data,
                str(data.get("claim_no") or ""),
                source[:40],
            )
        )
    if not rows:
        return result

    changed = {a.pk: a for a in by_policy_no.values() if a.changes}
    if changed:
        _write_policies(changed)
    keys = insert_rows(PolicyEvent, _EVENT_COLUMNS, rows)
    result.accepted = len(rows)
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.IMPORT,
            object_type="policy_events",
            object_id=source[:64],
            detail={
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "rejected": len(result.rejected),
                "policies_changed": len(changed),
                "lines": [batch[0][0], batch[-1][0]],
            },
        ),
    )
    if listeners.listening():
        now = timezone.now()
        events = []
        for key, row in zip(keys, rows, strict=True):
            event = PolicyEvent(
                pk=key,
                event_id=row[0],
                policy_id=row[1],
                kind=row[2],
                occurred_on=row[3],
                data=row[4],
                claim_no=row[5],
                source=row[6],
                received_at=now,
            )
            event._state.adding = False
            event._state.db = connection.alias
            events.append(event)
        listeners.announce(events, principal)
    return result


def _known_events(event_ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """Fingerprints of the events already recorded among ``event_ids`` (one query)."""
    ids = list(dict.fromkeys(event_ids))
    out: dict[str, tuple[Any, ...]] = {}
    if not ids:
        return out
    event_table = PolicyEvent._meta.db_table
    policy_table = Policy._meta.db_table
    for event_id, kind, occurred_on, data, policy_no, application_no in select(
        f"SELECT e.event_id, e.kind, e.occurred_on, e.data, p.policy_no, p.application_no "  # noqa: S608
        f"FROM {event_table} e JOIN {policy_table} p ON p.id = e.policy_id",
        [any_of("e.event_id", ids)],
    ):
        if isinstance(data, str):
            data = json.loads(data)
        record = {"kind": kind, "occurred_on": str(occurred_on), "data": data}
        app_no = application_no if kind == EventKind.POLICY_EFFECTIVE else ""
        out[event_id] = _fingerprint(policy_no or "", app_no, record)
    return out


def _policies(
    parsed: Sequence[tuple[int, dict[str, Any]]],
) -> tuple[dict[str, _App], dict[str, _App]]:
    """The batch's policies by policy number and (for effective events) by application
    number, one query."""
    policy_nos = {r["policy_no"] for _, r in parsed}
    application_nos = {r["application_no"] for _, r in parsed if r.get("application_no")}
    conditions = [any_of("policy_no", policy_nos)]
    if application_nos:
        cond_a, params_a = any_of("application_no", application_nos)
        cond_p, params_p = conditions[0]
        conditions = [(f"({cond_p} OR {cond_a})", params_p + params_a)]
    by_policy_no: dict[str, _App] = {}
    by_application_no: dict[str, _App] = {}
    for pk, application_no, policy_no, status in select(
        f"SELECT id, application_no, policy_no, status FROM {Policy._meta.db_table}",  # noqa: S608
        conditions,
    ):
        app = _App(pk, application_no, policy_no, status)
        if policy_no:
            by_policy_no[policy_no] = app
        by_application_no[application_no] = app
    return by_policy_no, by_application_no


def _take_effective(
    record: dict[str, Any], by_policy_no: dict[str, _App], by_application_no: dict[str, _App]
) -> tuple[Problem, ...]:
    """An application becomes a policy: checks, then its changes noted (in memory)."""
    policy_no = record["policy_no"]
    application_no = record["application_no"]
    app = by_application_no.get(application_no)
    if app is None:
        return _problem(
            "application_no",
            "没有这个投保单号的投保单",
            "no application has this application number",
        )
    holder = by_policy_no.get(policy_no)
    if holder is not None and holder.pk != app.pk:
        return _problem(
            "policy_no",
            "该保单号已属于另一份保单",
            "this policy number already belongs to another policy",
        )
    if app.policy_no and app.policy_no != policy_no:
        return _problem(
            "application_no",
            "该投保单已有另一个保单号",
            "this application already has another policy number",
        )
    if app.status == PolicyStatus.BLOCKED:
        return _problem(
            "application_no",
            "该投保单未通过真实性校验，不能生效",
            "this application is blocked by the truthfulness gate and cannot take effect",
        )
    data = record["data"]
    changes: dict[str, Any] = {
        "policy_no": policy_no,
        "effective_on": date.fromisoformat(data["effective_on"]),
        "status": PolicyStatus.IN_FORCE,
    }
    for name in ("cooling_off_ends_on", "callback_due_on"):
        if data.get(name):
            changes[name] = date.fromisoformat(data[name])
    if data.get("sum_assured") is not None:
        changes["sum_assured"] = Decimal(str(data["sum_assured"])).quantize(Decimal("0.01"))
    coverage = {k: data[k] for k in _COVERAGE_KEYS if k in data}
    if coverage:
        changes["coverage"] = coverage
    app.changes.update(changes)
    app.policy_no = policy_no
    app.status = PolicyStatus.IN_FORCE
    by_policy_no[policy_no] = app
    return ()


def _take_event(record: dict[str, Any], by_policy_no: dict[str, _App]) -> tuple[Problem, ...]:
    app = by_policy_no.get(record["policy_no"])
    if app is None:
        return _problem("policy_no", "没有这个保单号的保单", "no policy has this policy number")
    kind = record["kind"]
    status = ENDING_STATUS.get(kind)
    if kind == EventKind.POLICY_CHANGED:
        status = CHANGE_STATUS.get(record["data"].get("change", ""))
    if status is not None and status != app.status:
        app.status = status
        app.changes["status"] = status
    return ()


def _write_policies(changed: dict[int, _App]) -> None:
    """The policies' new values, with one history row each (``simple_history``)."""
    policies = list(Policy.objects.filter(pk__in=list(changed)))
    fields: set[str] = set()
    now = timezone.now()
    for policy in policies:
        for name, value in changed[policy.pk].changes.items():
            setattr(policy, name, value)
            fields.add(name)
        policy.updated_at = now
    bulk_update_with_history(
        policies,
        Policy,
        [*sorted(fields), "updated_at"],
        batch_size=1000,
        default_change_reason="policy event",
    )


# --- the file import (``veracity import policy-events FILE``) ---------------------------


@dataclass
class EventImportReport(ImportCounts):
    """``ImportCounts`` of a policy-event file: ``created`` events taken, ``unchanged``
    duplicates, ``errors`` every refused line."""

    failed_batches: int = 0

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "failed_batches": self.failed_batches}


def policy_events_import(
    records: Iterable[tuple[int, dict[str, Any] | RowError]],
    *,
    actor: Actor,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[EventBatchResult], None] | None = None,
) -> EventImportReport:
    """The import command's entry (``IMPORTERS``): the file's records through
    :func:`policy_events_record` as the command line's ``System`` principal."""
    report = EventImportReport()

    def counted() -> Iterator[tuple[int, object]]:
        for line, raw in records:
            report.rows += 1
            yield line, raw

    result = policy_events_record(
        principal=System(actor.label, address=actor.ip),
        records=counted(),
        source="import",
        batch_size=batch_size,
        progress=progress,
    )
    report.created = result.accepted
    report.unchanged = result.duplicates
    report.failed_batches = result.failed_batches
    for rejected in result.rejected:
        for problem in rejected.problems:
            report.errors.append(
                RowError(rejected.line, problem.field, problem.reason_zh, problem.reason_en)
            )
    return report
