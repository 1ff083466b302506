"""``veracity inspection run [--period 2026-H2]``: the half-yearly full inspection of the
customer archive (D4.14): audit chain, encryption coverage, files, borrowing. Recorded and
audited; prints the results as JSON and fails when there are findings."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.org.principals import system
from veracity.retention.services import RetentionError, inspection_run


class Command(BaseCommand):
    help = "Run and record the half-yearly archive inspection (D4.14)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--period", help="e.g. 2026-H2 (default: the current half-year)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            record = inspection_run(
                period=options.get("period"), principal=system("inspection-cli")
            )
        except RetentionError as exc:
            raise CommandError(f"{exc.message_en} / {exc.message_zh}") from exc
        self.stdout.write(
            json.dumps(
                {
                    "inspection": record.pk,
                    "period": record.period,
                    "ok": record.ok,
                    **record.results,
                },
                ensure_ascii=False,
            )
        )
        if not record.ok:
            codes = ", ".join(f["code"] for f in record.results["findings"])
            raise CommandError(f"inspection found problems / 检查发现问题: {codes}")
