"""Writes to the working-day calendar: seed from chinese-calendar, import a file of days.

An import reports each bad row with its line and reason and stores the good rows, all in one
transaction with its audit event. Staff rows are ``source = manual``, which a later seed never
overwrites.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.ingest.readers import ImportCounts, RowError, UnreadableFile
from veracity.workcal import selectors
from veracity.workcal.models import CalendarDay, CalendarYear, Source
from veracity.workcal.seeding import SeedReport, seed_from_chinese_calendar

# What a file may say in the kind column.
KIND_WORDS = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "假日": CalendarDay.Kind.HOLIDAY,
    "节假日": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "adjusted_workday": CalendarDay.Kind.ADJUSTED_WORKDAY,
    "workday": CalendarDay.Kind.ADJUSTED_WORKDAY,
    "调休": CalendarDay.Kind.ADJUSTED_WORKDAY,
    "补班": CalendarDay.Kind.ADJUSTED_WORKDAY,
    "班": CalendarDay.Kind.ADJUSTED_WORKDAY,
}
COLUMNS = ("date", "kind", "name")

Row = tuple[int, dict[str, str] | RowError]


@dataclass(frozen=True, slots=True)
class DayRow:
    line: int
    date: date
    kind: str
    name: str


@dataclass
class ImportReport(ImportCounts):
    """A calendar import: the common counts, plus the years marked complete."""

    completed_years: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "completed_years": self.completed_years}


@transaction.atomic
def workdays_seed(*, actor: Actor) -> SeedReport:
    """Bring the table in line with the installed chinese-calendar (idempotent)."""
    report = seed_from_chinese_calendar(CalendarDay, CalendarYear)
    audit_record(
        actor=actor,
        event=Event(
            action=Action.CHANGE,
            object_type="workcal.calendar",
            object_id="chinese_calendar",
            detail=report.summary(),
        ),
    )
    transaction.on_commit(selectors.invalidate)
    return report


def read_day_rows(path: Path) -> Iterator[Row]:
    """Rows of a ``.csv`` (header ``date,kind,name`` optional) or ``.jsonl`` file."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".jsonl", ".ndjson"}:
        raise UnreadableFile(
            "file_type",
            suffix_zh=suffix or "(无扩展名)",
            suffix_en=suffix or "(none)",
            allowed_zh=".csv 或 .jsonl",
            allowed_en=".csv or .jsonl",
        )
    if not path.is_file():
        raise UnreadableFile("not_found", path=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("undecodable") from exc
    yield from (_csv_rows(text) if suffix == ".csv" else _jsonl_rows(text))


def _csv_rows(text: str) -> Iterator[Row]:
    header: tuple[str, ...] | None = None
    for line, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        values = [c.strip() for c in cells]
        if not any(values):
            continue
        if header is None:
            if values[0].lower() in COLUMNS:
                header = tuple(v.lower() for v in values)
                continue
            header = COLUMNS
        if len(values) > len(header):
            yield line, RowError(line, "", "该行的列数多于表头", "more columns than the header")
            continue
        yield line, dict(zip(header, values, strict=False))


def _jsonl_rows(text: str) -> Iterator[Row]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield line, RowError(line, "", "JSON 格式错误", f"invalid JSON ({exc.msg})")
            continue
        if not isinstance(value, dict):
            yield line, RowError(line, "", "每行应为一个 JSON 对象", "each line must be an object")
            continue
        yield line, {k: "" if v is None else str(v).strip() for k, v in value.items()}


def parse_day_row(line: int, row: dict[str, str]) -> DayRow | RowError:
    """One row → a day, or the reason it is not one."""
    text = row.get("date", "")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return RowError(
            line,
            "date",
            f"日期无效：{text!r}（应为 YYYY-MM-DD）",
            f"bad date {text!r} (YYYY-MM-DD)",
        )
    word = row.get("kind", "")
    kind = KIND_WORDS.get(word.lower())
    if kind is None:
        return RowError(
            line,
            "kind",
            f"类型无效：{word!r}（应为 holiday 或 adjusted_workday）",
            f"bad kind {word!r} (holiday or adjusted_workday)",
        )
    if kind == CalendarDay.Kind.ADJUSTED_WORKDAY and day.weekday() < 5:
        return RowError(
            line,
            "kind",
            f"{day} 是工作日，调休上班日应为周六或周日",
            f"{day} is a weekday; an adjusted working day must be a Saturday or Sunday",
        )
    name = row.get("name", "")
    if len(name) > 100:
        return RowError(line, "name", "名称过长（最多 100 字）", "name too long (100 at most)")
    return DayRow(line, day, str(kind), name)


@transaction.atomic
def workdays_import(
    rows: Iterable[Row], *, actor: Actor, file_name: str = "", complete_years: Iterable[int] = ()
) -> ImportReport:
    """Store the good rows (as staff entries), report the bad ones; then mark each of
    ``complete_years`` complete — unless a bad row fell in it (it is not completely entered)."""
    report = ImportReport()
    seen: dict[date, int] = {}
    # Years a bad row was about; None when a bad row's date could not be read at all.
    bad_years: set[int | None] = set()
    good: list[DayRow] = []
    for line, row in rows:
        report.rows += 1
        parsed = row if isinstance(row, RowError) else parse_day_row(line, row)
        if isinstance(parsed, DayRow) and parsed.date in seen:
            parsed = RowError(
                line,
                "date",
                f"{parsed.date} 与第 {seen[parsed.date]} 行重复",
                f"{parsed.date} repeats line {seen[parsed.date]}",
            )
        if isinstance(parsed, RowError):
            report.errors.append(parsed)
            bad_years.add(_year_of(row))
            continue
        seen[parsed.date] = line
        good.append(parsed)
    existing = {d.date: d for d in CalendarDay.objects.filter(date__in=seen)}
    for item in good:
        current = existing.get(item.date)
        if current is None:
            CalendarDay.objects.create(
                date=item.date, kind=item.kind, name=item.name, source=Source.MANUAL
            )
            report.created += 1
        elif (current.kind, current.name, current.source) == (item.kind, item.name, Source.MANUAL):
            report.unchanged += 1
        else:
            current.kind, current.name, current.source = item.kind, item.name, Source.MANUAL
            current.save()
            report.updated += 1
    for year in sorted(set(complete_years)):
        if year in bad_years or None in bad_years:
            report.errors.append(
                RowError(
                    0,
                    "complete_year",
                    f"{year} 年可能有错误行，未标记为完整",
                    f"{year} not marked complete: the file has bad rows that may belong to it",
                )
            )
            continue
        row_year, _ = CalendarYear.objects.get_or_create(year=year)
        row_year.complete, row_year.source = True, Source.MANUAL
        row_year.note = (f"imported from {file_name}" if file_name else "imported")[:200]
        row_year.save()
        report.completed_years.append(year)
    audit_record(
        actor=actor,
        event=Event(
            action=Action.IMPORT,
            object_type="workcal.calendar",
            object_id=file_name[:64],
            detail=report.summary(),
        ),
    )
    transaction.on_commit(selectors.invalidate)
    return report


def _year_of(row: dict[str, str] | RowError) -> int | None:
    """The year a bad row was about, if its date column can be read (else unknown)."""
    if isinstance(row, RowError):
        return None
    try:
        return date.fromisoformat(row.get("date", "")).year
    except ValueError:
        return None
