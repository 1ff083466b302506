"""``veracity workdays add|next|between|import|seed`` — working days from the holiday table.

``add 2026-09-30 3`` prints ``2026-10-10``; a result that touched a year without a complete
holiday table prints the word ``provisional`` after it (and says why on stderr), so a script
reading stdout cannot miss it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.audit.services import Actor
from veracity.cli import refused
from veracity.core.workdays import WorkdayCount, WorkdayResult
from veracity.ingest.readers import UnreadableFile
from veracity.workcal.selectors import calendar
from veracity.workcal.services import read_day_rows, workdays_import, workdays_seed


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期无效 / bad date: {text!r} (YYYY-MM-DD)") from exc


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise CommandError(f"不是整数 / not a whole number: {text!r}") from exc
    if value < 0:
        raise CommandError(f"天数不能为负 / N must be 0 or more: {value}")
    return value


class Command(BaseCommand):
    help = "Working-day arithmetic over the holiday table; import or seed the table."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="the N-th working day after DATE")
        add.add_argument("date")
        add.add_argument("n")
        nxt = sub.add_parser("next", help="the first working day after DATE")
        nxt.add_argument("date")
        between = sub.add_parser("between", help="working days in (A, B]")
        between.add_argument("a")
        between.add_argument("b")
        imp = sub.add_parser(
            "import", help="import holidays / adjusted working days (.csv, .jsonl)"
        )
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--complete-year",
            type=int,
            action="append",
            default=[],
            metavar="YYYY",
            help="mark this year's table complete (repeatable)",
        )
        sub.add_parser("seed", help="load every year chinese-calendar knows (idempotent)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seed":
            report = workdays_seed(actor=Actor.system("workdays:seed"))
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
        elif action == "import":
            self._import(options["file"], options["complete_year"])
        elif action == "add":
            self._show(calendar().add_working_days(_date(options["date"]), _count(options["n"])))
        elif action == "next":
            self._show(calendar().next_working_day(_date(options["date"])))
        else:
            self._show(calendar().working_days_between(_date(options["a"]), _date(options["b"])))

    def _show(self, result: WorkdayResult | WorkdayCount) -> None:
        value = result.date.isoformat() if isinstance(result, WorkdayResult) else str(result.days)
        self.stdout.write(f"{value} provisional" if result.provisional else value)
        if result.provisional:
            years = ", ".join(str(y) for y in result.unknown_years)
            self.stderr.write(
                f"暂定：{years} 年的节假日安排尚未录入，按周一至周五推算 / "
                f"provisional: no complete "
                f"holiday table for {years}; weekends assumed. Import one with "
                f"`veracity workdays import FILE --complete-year YYYY`."
            )

    def _import(self, path: Path, complete_years: list[int]) -> None:
        try:
            report = workdays_import(
                read_day_rows(path),
                actor=Actor.system("workdays:import"),
                file_name=path.name,
                complete_years=complete_years,
            )
        except UnreadableFile as exc:
            raise refused(exc) from exc
        self.stdout.write(json.dumps({"file": str(path), **report.summary()}, ensure_ascii=False))
        for error in report.errors:
            where = f"line {error.line}" if error.line else "file"
            self.stdout.write(
                f"{where}: {error.field or '-'}: {error.reason_en} / {error.reason_zh}"
            )
