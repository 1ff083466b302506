"""``veracity gate FILE``: check every application in a file, store nothing, print one JSON
verdict per line (TG-5 bulk path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from veracity.cli import refused
from veracity.core import gate
from veracity.core.schema import Rejected, parse_application
from veracity.ingest.readers import RowError, UnreadableFile, read_records
from veracity.sales import qualification


class Command(BaseCommand):
    help = "Check applications (.jsonl, .csv, .xlsx) with the truthfulness gate; store nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--encoding",
            help="encoding of a .jsonl or .csv file (default UTF-8, e.g. gb18030, big5)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        counts = {"pass": 0, "fail": 0, "unreadable": 0, "rejected": 0}
        # the seller register, once for the whole file (SF-1)
        sellers = qualification.snapshot()
        try:
            for line, record in read_records(options["file"], encoding=options["encoding"]):
                if isinstance(record, RowError):
                    counts["unreadable"] += 1
                    out: dict[str, Any] = {
                        "line": line,
                        "verdict": "unreadable",
                        "error": record.to_dict(),
                    }
                else:
                    try:
                        application = parse_application(record)
                    except Rejected as rejected:
                        # Does not fit the schema: an import would store nothing of it.
                        counts["rejected"] += 1
                        out = {
                            "line": line,
                            "verdict": "rejected",
                            "errors": [
                                {
                                    "line": line,
                                    "field": p.field,
                                    "reason_zh": p.reason_zh,
                                    "reason_en": p.reason_en,
                                }
                                for p in rejected.problems
                            ],
                        }
                    else:
                        verdict = gate.evaluate(application, as_of=today, sellers=sellers)
                        counts[verdict.verdict] += 1
                        out = {"line": line, **verdict.to_dict()}
                self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
        except UnreadableFile as exc:
            raise refused(exc) from exc
        self.stderr.write(json.dumps(counts))
