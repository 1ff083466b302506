"""``veracity import KIND FILE``: applications, sellers, training records, complaints,
penalties.

Prints a JSON summary, then one line per row that could not be stored (line, field, reason).
Idempotent: importing the same file again changes nothing.
"""

from __future__ import annotations

import json
import time
from importlib import import_module
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cli import refused
from veracity.ingest.readers import UnreadableFile, read_records
from veracity.policies.services import applications_import

#: kind → the service that loads its records (``service(records, actor=…)`` returning an
#: ``ImportCounts``), imported when asked for.
IMPORTERS = {
    "sellers": "veracity.sales.services:sellers_import",
    "training": "veracity.sales.training:training_import",
    "complaints": "veracity.conduct.complaints:complaints_import",
    "penalties": "veracity.conduct.penalties:penalties_import",
}


def _importer(kind: str) -> Any:
    module, _, name = IMPORTERS[kind].partition(":")
    return getattr(import_module(module), name)


class Command(BaseCommand):
    help = (
        "Import applications, sellers, training records, complaints or penalties from a "
        ".jsonl, .csv or .xlsx file."
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
            if options["kind"] in IMPORTERS:
                report: Any = _importer(options["kind"])(records, actor=actor)
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
