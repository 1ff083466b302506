"""``veracity problems list --as USERNAME --export-request ID [--business-date D] [--rule R]
[--format json|xlsx|csv|table] [--output FILE]``

The problem-item list for a business date (open items first seen on or before it; every item
when no date is given). It holds personal data (masked names, shared values, policy numbers),
so every format is an export (D4.23): as on the web page it is made by a person — ``--as`` —
under that person's approved export request — ``--export-request`` (``--request`` is the old
spelling) — through the same service (``veracity.detection.exports.problem_items_export``): it
lists what that person may see, is recorded (``EXPORT``) and carries the approval's watermark
(the workbook's header and properties, the first CSV and table line, a ``watermark`` key in
every JSON line). A refusal is recorded (``ACCESS_REFUSED``) and exits with its code (4:
forbidden, 3: invalid). JSON, CSV and the table go to stdout unless ``--output`` names a file;
the workbook needs ``--output``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.access.exports import ExportRefused, export_as
from veracity.cases.listing import RULES, ListingError
from veracity.cli import refused
from veracity.detection.exports import EXPORT_FORMATS, problem_items_export


class Command(BaseCommand):
    help = "The problem-item list (可疑客户信息资料问题件清单), exported under an approved request."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list the problem items")
        listing.add_argument("--business-date", help="YYYY-MM-DD (default: all items)")
        listing.add_argument("--rule", choices=RULES)
        listing.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="json")
        listing.add_argument("--output", help="file to write (required for xlsx)")
        listing.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="the person who exports (required; the list is what they may see)",
        )
        listing.add_argument(
            "--export-request",
            "--request",
            dest="export_request",
            type=int,
            metavar="ID",
            help="that person's approved export request of the problem-item list (required)",
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
        fmt = options["format"]
        if fmt == "xlsx" and not options["output"]:
            raise CommandError("--output FILE is required for xlsx / xlsx 格式须指定 --output")
        try:
            # the person and their action first (a refusal before a person is known is the
            # command's own), then the one export service the web page uses
            authority = export_as(
                username=options.get("as_user"),
                request_id=options.get("export_request"),
                export_of="problem_items",
                action="problems.export",
                system="problems-cli",
            )
            made = problem_items_export(
                principal=authority.principal,
                fmt=fmt,
                request_id=authority.request.pk,
                via="cli",
                filters={"business_date": day, "rule": options["rule"]},
            )
        except (ExportRefused, ListingError) as exc:
            raise refused(exc) from exc
        if options["output"]:
            Path(options["output"]).write_bytes(made.data)
            self.stderr.write(f"{made.items} items → {options['output']}")
        else:
            self.stdout.write(made.data.decode("utf-8"), ending="")
