"""``veracity import KIND FILE``: applications, sellers, training records, complaints,
penalties, policy service events.

Prints a JSON summary, then one line per row that could not be stored (line, field, reason).
Idempotent: importing the same file again changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cli import refused
from veracity.ingest.readers import Record, RowError, UnreadableFile, read_records
from veracity.policies.services import applications_import

#: kind → the service that loads its records (``service(records, actor=…)`` returning an
#: ``ImportCounts``), imported when asked for.
IMPORTERS = {
    "sellers": "veracity.sales.services:sellers_import",
    "training": "veracity.sales.training:training_import",
    "complaints": "veracity.conduct.complaints:complaints_import",
    "penalties": "veracity.conduct.penalties:penalties_import",
    # one event per line; in a .csv or .xlsx the ``data`` column holds the JSON text
    "policy-events": "veracity.policies.event_services:policy_events_import",
}

#: Importers that take ``batch_size`` and report their progress after each batch.
BATCHED = frozenset({"policy-events"})


def _importer(kind: str) -> Any:
    module, _, name = IMPORTERS[kind].partition(":")
    return getattr(import_module(module), name)


class Command(BaseCommand):
    help = (
        "Import applications, sellers, training records, complaints, penalties or policy "
        "service events from a .jsonl, .csv or .xlsx file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["applications", *IMPORTERS])
        parser.add_argument("file", type=Path)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--encoding",
            help="encoding of a .jsonl or .csv file (default UTF-8, e.g. gb18030, big5)",
        )
        parser.add_argument(
            "--show-failed",
            action="store_true",
            help="also list applications stored with a failing gate verdict",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = Actor.system(f"import:{options['kind']}")
        started = time.perf_counter()
        try:
            records = read_records(path, encoding=options["encoding"])
            if options["kind"] in BATCHED:
                report: Any = _importer(options["kind"])(
                    _data_as_json(records),
                    actor=actor,
                    batch_size=options["batch_size"],
                    progress=self._progress,
                )
            elif options["kind"] in IMPORTERS:
                report = _importer(options["kind"])(records, actor=actor)
            else:
                report = applications_import(
                    records,
                    actor=actor,
                    as_of=timezone.localdate(),
                    batch_size=options["batch_size"],
                )
        except UnreadableFile as exc:
            raise refused(exc) from exc
        elapsed = time.perf_counter() - started
        summary = {
            "file": str(path),
            "kind": options["kind"],
            **report.summary(),
            "seconds": round(elapsed, 2),
        }
        audit_record(
            actor=actor,
            event=Event(
                action=Action.IMPORT, object_type="file", object_id=path.name, detail=summary
            ),
        )
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        for error in report.errors:
            self.stdout.write(
                f"line {error.line}: {error.field or '-'}: {error.reason_en} / {error.reason_zh}"
            )
        if options["show_failed"]:
            for line, number, codes in getattr(report, "failed_rows", []):
                self.stdout.write(f"line {line}: {number}: gate fail: {', '.join(codes)}")

    def _progress(self, totals: Any) -> None:
        """After each batch: the running totals, on stderr (stdout is the report)."""
        self.stderr.write(
            f"{totals.accepted} taken, {totals.duplicates} already recorded, "
            f"{len(totals.rejected)} refused"
        )


def _data_as_json(records: Iterable[Record]) -> Iterator[Record]:
    """A ``data`` cell of a .csv or .xlsx file is JSON text: read as the object it is (a
    cell that is no JSON is a refused line); an empty ``data`` or ``application_no`` cell is
    left out. JSON lines pass as they are."""
    for line, raw in records:
        if isinstance(raw, dict):
            raw = {k: v for k, v in raw.items() if not (v is None and k in _OPTIONAL)}
            if isinstance(raw.get("data"), str):
                try:
                    raw["data"] = json.loads(raw["data"])
                except json.JSONDecodeError:
                    yield (
                        line,
                        RowError(line, "data", "数据列不是有效的 JSON", "data is not valid JSON"),
                    )
                    continue
        yield line, raw


_OPTIONAL = frozenset({"data", "application_no"})
