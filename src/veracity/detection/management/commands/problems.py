"""``veracity problems list [--business-date D] [--rule R] [--format json|xlsx] [--output FILE]
[--as USERNAME --request ID]``

The problem-item list for a business date (open items first seen on or before it; every item
when no date is given). JSON goes to stdout, one object per line and item (masked, for the
jobs that feed on it); it runs as a system actor with full visibility and the read is
audited.

The Excel workbook is an export of personal data (D4.23): as on the web page, it is made by
a person — ``--as`` — under that person's approved export request — ``--request`` — through
the same policy and authorisation (``veracity.access.exports.export_as``), lists what that
person may see, is recorded (``EXPORT``) and carries the approval's watermark. A refusal is
recorded (``ACCESS_REFUSED``) and exits with its code (4: forbidden, 3: invalid)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from veracity.access.exports import ExportRefused, export_as
from veracity.access.governance import export_record
from veracity.cases.listing import (
    RULES,
    ListingError,
    ProblemItemRow,
    problem_items,
)
from veracity.cli import refused
from veracity.detection.exports import problem_items_xlsx
from veracity.org.principals import system, with_purpose


def item_json(item: ProblemItemRow) -> dict[str, Any]:
    data = asdict(item)
    data["callback_due_on"] = item.callback_due_on
    return data


class Command(BaseCommand):
    help = "The problem-item list (可疑客户信息资料问题件清单) as JSON or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list the problem items")
        listing.add_argument("--business-date", help="YYYY-MM-DD (default: all items)")
        listing.add_argument("--rule", choices=RULES)
        listing.add_argument("--format", choices=("json", "xlsx"), default="json")
        listing.add_argument("--output", help="file to write (required for xlsx)")
        listing.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="xlsx: the person who exports (required; the list is what they may see)",
        )
        listing.add_argument(
            "--request",
            type=int,
            metavar="ID",
            help="xlsx: that person's approved export request of the problem-item list",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: date | None = None
        if options["business_date"]:
            try:
                day = date.fromisoformat(options["business_date"])
            except ValueError as exc:
                raise CommandError(
                    "--business-date must be YYYY-MM-DD / 日期格式应为 YYYY-MM-DD"
                ) from exc
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("--output FILE is required for xlsx / xlsx 格式须指定 --output")
        if options["format"] == "xlsx":
            self._export(day, options)
            return
        try:
            listing = problem_items(
                principal=system("problems-cli", purpose="problem_item"),
                action="problems.list",
                business_date=day,
                rule=options["rule"],
            )
        except ListingError as exc:
            raise refused(exc) from exc
        lines = [
            json.dumps(item_json(item), ensure_ascii=False, default=str) for item in listing.items
        ]
        if options["output"]:
            Path(options["output"]).write_text(
                "".join(line + "\n" for line in lines), encoding="utf-8"
            )
        else:
            for line in lines:
                self.stdout.write(line)

    def _export(self, day: date | None, options: dict[str, Any]) -> None:
        """The workbook, made by ``--as`` under ``--request`` (as on the web page)."""
        try:
            authority = export_as(
                username=options.get("as_user"),
                request_id=options.get("request"),
                export_of="problem_items",
                action="problems.export",
                system="problems-cli",
            )
        except ExportRefused as exc:
            raise refused(exc) from exc
        try:
            listing = problem_items(
                principal=with_purpose(authority.principal, "problem_item"),
                action="problems.export",
                business_date=day,
                rule=options["rule"],
            )
        except ListingError as exc:
            raise refused(exc) from exc
        watermark = export_record(
            principal=authority.principal,
            request=authority.request,
            what="problem_items",
            rows=sum(max(1, len(item.members)) for item in listing.items),
        )
        data = problem_items_xlsx(listing, generated_at=timezone.localtime(), watermark=watermark)
        Path(options["output"]).write_bytes(data)
        self.stderr.write(f"{len(listing.items)} items → {options['output']}")
