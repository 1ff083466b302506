"""``veracity detect --business-date YYYY-MM-DD`` (incremental, T+1) or ``--full`` (SD-5
back-check of all data). Idempotent for a business date; resumes an interrupted run."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from veracity.audit.services import Actor
from veracity.detection.services import detection_catch_up, detection_run


class Command(BaseCommand):
    help = "Run the suspicious-information rules for a business date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business-date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--full", action="store_true", help="back-check all data (SD-5)")
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="run every business date whose list is missing, up to today (catch-up)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_due"]:
            runs = detection_catch_up(today=timezone.localdate(), actor=Actor.system("detect"))
            for run in runs:
                self.stdout.write(f"{run.business_date} {run.mode}: {run.status}")
            return
        try:
            day = (
                date.fromisoformat(options["business_date"])
                if options["business_date"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(
                "--business-date must be YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"
            ) from exc
        run = detection_run(
            business_date=day,
            full=options["full"],
            actor=Actor.system("detect"),
            progress=lambda line: self.stderr.write(f"  {line}"),
        )
        self.stdout.write(
            json.dumps(
                {
                    "business_date": day.isoformat(),
                    "mode": run.mode,
                    "status": run.status,
                    "counts": run.counts,
                    "timings": run.timings,
                },
                ensure_ascii=False,
            )
        )
