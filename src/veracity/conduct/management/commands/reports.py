"""``veracity reports regulator --quarter 2026Q4 --as USERNAME [--format json|xlsx|pdf]
[--edition N] [--output FILE]``

The quarterly regulator report (D1.22, D1.23) through the same service as the page
(``veracity.conduct.regulator.regulator_report_export``), taken as the person ``--as`` names,
who must be allowed to see it (``regulator_report.view``): the released edition of the
quarter as frozen (its file checked against the hash recorded at release), a given
``--edition``, or — none released yet — the report built now from the data as of now, marked
unreleased. A refusal is recorded and exits with its code (3: invalid, 4: forbidden, 5: not
found, 6: conflict). JSON goes to stdout unless ``--output`` names a file; xlsx and pdf need
``--output``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.access.policy import record_refusal
from veracity.audit.services import Actor
from veracity.cli import refused
from veracity.conduct.regulator import FORMATS, OWNER, regulator_report_export
from veracity.core.refusals import Refusal
from veracity.org import principals
from veracity.org.principals import Principal, Staff


class Command(BaseCommand):
    help = "Reports: the quarterly regulator report (监管季度报告)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        regulator = sub.add_parser("regulator", help="the quarterly regulator report")
        regulator.add_argument("--quarter", required=True, help="e.g. 2026Q4")
        regulator.add_argument("--format", choices=FORMATS, default="json")
        regulator.add_argument("--edition", type=int, help="a released edition (default: in force)")
        regulator.add_argument("--output", help="file to write (required for xlsx and pdf)")
        regulator.add_argument(
            "--as", dest="as_user", metavar="USERNAME", help="the person asking (required)"
        )

    def _person(self, username: str | None) -> Principal:
        command = principals.system("reports-cli")

        def refuse(code: str, **params: Any) -> CommandError:
            record_refusal(
                actor=Actor.of_principal(command),
                action="regulator_report.view",
                object_type=OWNER,
                object_id="-",
                detail={"code": code, "via": "cli"},
            )
            error = Refusal(code, "as", **params)
            return refused(error)

        if not username:
            raise refuse("regulator.person_required")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise refuse("regulator.unknown_person", username=username[:150])
        return Staff(user)

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt != "json" and not options["output"]:
            raise CommandError(f"--output FILE is required for {fmt} / {fmt} 格式须指定 --output")
        principal = self._person(options.get("as_user"))
        try:
            made = regulator_report_export(
                principal=principal,
                quarter=options["quarter"],
                fmt=fmt,
                edition=options.get("edition"),
                via="cli",
            )
        except Refusal as exc:
            raise refused(exc) from exc
        if options["output"]:
            Path(options["output"]).write_bytes(made.data)
            edition = f"edition {made.edition}" if made.edition else "unreleased"
            self.stderr.write(f"{edition} sha256 {made.sha256} → {options['output']}")
        else:
            self.stdout.write(made.data.decode("utf-8"), ending="")
