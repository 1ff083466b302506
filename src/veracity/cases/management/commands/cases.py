"""``veracity cases overdue [--as-of YYYY-MM-DD] [--notify]``

PW-6: the problem items whose investigation is past due or due within one working day, per
channel and per agent (counts only, no personal data). ``--notify`` also sends the daily
overdue notices (what the Huey job does every morning)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.cases.selectors import overdue_summary
from veracity.cases.services import problem_items_overdue_notify
from veracity.org.principals import system


class Command(BaseCommand):
    help = "Overdue problem-item investigations (PW-6) / 逾期问题件"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        overdue = sub.add_parser("overdue", help="overdue and nearly due investigations")
        overdue.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        overdue.add_argument("--notify", action="store_true", help="send the overdue notices")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options.get("as_of"):
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be YYYY-MM-DD / 日期格式应为 YYYY-MM-DD") from exc
        summary = overdue_summary(principal=system("cases-cli"), as_of=as_of)
        self.stdout.write(
            f"{summary.as_of}: {summary.past} overdue / 逾期, {summary.near} due within one"
            " working day / 一个工作日内到期"
        )
        self.stdout.write("channel / 渠道            overdue  near")
        for channel, past, near in summary.by_channel:
            self.stdout.write(f"  {channel or '-':<22} {past:>7} {near:>5}")
        self.stdout.write("agent / 销售人员           overdue  near")
        for code, past, near in summary.by_seller:
            self.stdout.write(f"  {code:<22} {past:>7} {near:>5}")
        if options["notify"]:
            count = problem_items_overdue_notify(as_of=as_of)
            self.stdout.write(f"notices sent for {count} overdue item(s) / 已发送逾期通知")
