"""The training register (SF-1, D1.9, D1.10), kept by the training department: courses of
form-filling training (投保单规范填写) with their class hours and attendance, qualification
tests with their results, and qualifications recorded by an earlier system (``legacy``, with
their source).

One path for every entry: ``veracity import training FILE`` (:func:`training_import`), the
sales-management system's batches through the API (:func:`training_batch_record`, the same
import for a list of records) and the training page (:func:`training_record`) all go through
:func:`_upsert`. A record is the same
record when the seller, the kind, the date and the course or test code are the same: running an
import again changes nothing, and a changed value (hours, score, result) updates the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.core.completeness import parse_date
from veracity.core.refusals import Refusal
from veracity.core.schema import YES_WORDS, Rejected, parse_training
from veracity.ingest.readers import ImportCounts, RowError
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user, is_signed_in
from veracity.sales import qualification
from veracity.sales import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.sales.models import Seller, SellerKind, TrainingRecord

__all__ = [
    "TrainingError",
    "TrainingImportReport",
    "training_batch_record",
    "training_import",
    "training_record",
]


class TrainingError(Refusal):
    """A training record refused (the ``training.*`` entries of :mod:`veracity.sales.refusals`)."""

    namespace = "training"


class TrainingImportReport(ImportCounts):
    """Counts of a training import."""


#: At most this many records in one batch from the sales-management system.
MAX_BATCH = 1000


@dataclass(frozen=True, slots=True)
class _Record:
    kind: str
    date: date
    course_code: str
    title: str
    hours: Decimal | None
    passed: bool | None
    score: Decimal | None
    source: str


def _parse(raw: Mapping[str, Any]) -> tuple[str, _Record]:
    """The seller code and the record of one training line, or ``TrainingError``."""
    try:
        row = parse_training(raw)
    except Rejected as rejected:
        raise TrainingError(
            "schema", rejected.field, message_zh=rejected.reason_zh, message_en=rejected.reason_en
        ) from None
    on = parse_date(row["date"])
    if on is None:
        raise TrainingError(
            "schema", "date", message_zh="应为日期，如2026-03-02", message_en="expected a date"
        )
    kind = row["kind"]
    hours = row.get("hours")
    passed = row.get("passed")
    score = row.get("score")
    if kind == TrainingRecord.Kind.COURSE:
        if hours is None:
            raise TrainingError("hours", "hours")
        if not row.get("course_code"):
            raise TrainingError("course_code", "course_code")
        for name in ("passed", "score"):
            if row.get(name) is not None:
                raise TrainingError("not_for_kind", name)
    elif kind == TrainingRecord.Kind.TEST:
        if passed is None:
            raise TrainingError("passed", "passed")
        if hours is not None:
            raise TrainingError("not_for_kind", "hours")
    else:
        if not (row.get("source") or "").strip():
            raise TrainingError("source", "source")
        for name in ("hours", "passed", "score"):
            if row.get(name) is not None:
                raise TrainingError("not_for_kind", name)
    if isinstance(passed, str):
        passed = passed.strip().lower() in YES_WORDS
    return row["seller_code"], _Record(
        kind=kind,
        date=on,
        course_code=row.get("course_code") or "",
        title=(row.get("title") or "").strip(),
        hours=None if hours is None else Decimal(str(hours)).quantize(Decimal("0.1")),
        passed=passed,
        score=None if score is None else Decimal(str(score)).quantize(Decimal("0.1")),
        source=(row.get("source") or "").strip(),
    )


def _seller(code: str) -> Seller:
    seller = Seller.objects.filter(code=code).first()
    if seller is None:
        raise TrainingError("seller", "seller_code", seller_code=code)
    if seller.kind == SellerKind.AGENCY:
        raise TrainingError("agency", "seller_code")
    return seller


def _upsert(
    seller: Seller, record: _Record, *, actor: Actor, recorded_by: Any = None
) -> tuple[str, TrainingRecord]:
    """Create or update one record; audited when it changed. Returns the outcome."""
    values = {
        "title": record.title,
        "hours": record.hours,
        "passed": record.passed,
        "score": record.score,
        "source": record.source,
    }
    existing = (
        TrainingRecord.objects.select_for_update()
        .filter(seller=seller, kind=record.kind, date=record.date, course_code=record.course_code)
        .first()
    )
    if existing is None:
        row = TrainingRecord.objects.create(
            seller=seller,
            kind=record.kind,
            date=record.date,
            course_code=record.course_code,
            recorded_by=recorded_by,
            **values,
        )
        outcome = "created"
    elif any(getattr(existing, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(existing, k, v)
        existing.save(update_fields=list(values))
        row, outcome = existing, "updated"
    else:
        return "unchanged", existing
    audit_record_many(
        actor=actor,
        events=[
            Event(
                action=Action.CREATE if outcome == "created" else Action.CHANGE,
                object_type="training_record",
                object_id=str(row.pk),
                detail={
                    "seller": seller.code,
                    "kind": record.kind,
                    "date": record.date.isoformat(),
                    "course_code": record.course_code,
                },
            )
        ],
    )
    transaction.on_commit(qualification.invalidate)
    return outcome, row


def training_import(
    records: Iterable[tuple[int, dict[str, Any] | RowError]],
    *,
    actor: Actor,
    recorded_by: Any = None,
) -> TrainingImportReport:
    """``veracity import training FILE``: every good line goes in (one transaction per line);
    every bad one is reported with its line, field and reason. ``recorded_by``: the person
    the new records are kept under (none for a file)."""
    report = TrainingImportReport()
    for line, raw in records:
        report.rows += 1
        if isinstance(raw, RowError):
            report.errors.append(raw)
            continue
        try:
            code, record = _parse(raw)
            with transaction.atomic():
                outcome, _ = _upsert(_seller(code), record, actor=actor, recorded_by=recorded_by)
        except TrainingError as refused:
            report.errors.append(
                RowError(line, refused.field, refused.message_zh, refused.message_en)
            )
            continue
        report.count(outcome)
    report.errors.sort(key=lambda e: e.line)
    return report


def training_batch_record(*, principal: Principal, records: Sequence[Any]) -> TrainingImportReport:
    """A batch of training records from the insurer's sales-management system (at most
    :data:`MAX_BATCH`), each read by the import's schema and stored as the import stores it:
    idempotent, every good record goes in, every bad one is reported with its index in the
    batch (from 0, as ``RowError.line``), field and reason. Taken as the system's designated
    person, who needs ``training.record``; refused (audited, nothing stored) otherwise, or for
    a batch over the limit."""
    if not may(principal, "training.record"):
        record_refusal(
            actor=Actor.of_principal(principal),
            action="training.record",
            object_type="training_record",
            object_id="",
            detail={"code": "training.forbidden", "records": len(records)},
        )
        raise TrainingError("forbidden", "")
    if len(records) > MAX_BATCH:
        raise TrainingError("too_many", "records", limit=MAX_BATCH)
    return training_import(
        enumerate(records),
        actor=Actor.acting(principal),
        recorded_by=acting_user(principal),
    )


def training_record(
    *,
    principal: Principal,
    kind: str,
    seller_codes: Sequence[str],
    date: str,
    course_code: str = "",
    title: str = "",
    hours: float | None = None,
    passed: bool | None = None,
    score: float | None = None,
) -> list[tuple[str, TrainingRecord]]:
    """Record a course attended by ``seller_codes`` (several at once) or a test taken, as the
    training department does on its page (``training.record``). All or nothing: a bad seller
    code refuses the whole entry (``TrainingError`` naming the field) and stores nothing. A
    refused attempt (no ``training.record``) is audited and changes nothing."""
    if not may(principal, "training.record"):
        if is_signed_in(principal):
            record_refusal(
                actor=Actor.of_principal(principal),
                action="training.record",
                object_type="training_record",
                object_id="",
            )
        raise TrainingError("forbidden", "")
    codes = [c.strip() for c in seller_codes if c and c.strip()]
    if not codes:
        raise TrainingError("sellers", "seller_codes")
    raw: dict[str, Any] = {"seller_code": codes[0], "kind": kind, "date": date}
    optional = {
        "course_code": course_code or None,
        "title": title or None,
        "hours": hours,
        "passed": passed,
        "score": score,
    }
    raw.update({k: v for k, v in optional.items() if v is not None})
    out: list[tuple[str, TrainingRecord]] = []
    actor = Actor.acting(principal)
    with transaction.atomic():
        for code in dict.fromkeys(codes):
            _, record = _parse({**raw, "seller_code": code})
            try:
                seller = _seller(code)
            except TrainingError as refused:
                raise TrainingError(refused.code, "seller_codes", **refused.params) from None
            out.append(_upsert(seller, record, actor=actor, recorded_by=acting_user(principal)))
    return out
