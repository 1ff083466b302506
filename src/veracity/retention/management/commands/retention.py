"""``veracity retention rules`` lists the retention periods; ``veracity retention rules --set
CLASS=YEARS [--basis TEXT]`` changes one (audited). ``veracity retention due`` lists the
records past their retention period (``--class``, ``--as-of``, ``--limit`` or ``--all``,
``--format text|json``): counts per class first, then the records, held ones marked."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from veracity.org.principals import system
from veracity.retention.models import RecordClass, RetentionRule
from veracity.retention.selectors import DueRecord, due_counts, due_iter, due_page
from veracity.retention.services import RetentionError, retention_rule_set


def record_json(record: DueRecord) -> dict[str, Any]:
    data = asdict(record)
    data["trigger_at"] = record.trigger_at.isoformat() if record.trigger_at else None
    data["due_on"] = record.due_on.isoformat() if record.due_on else None
    return data


class Command(BaseCommand):
    help = "Retention periods and the records past them (D4.25)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rules = sub.add_parser("rules", help="list or change the retention periods")
        rules.add_argument("--set", metavar="CLASS=YEARS", help="change one period")
        rules.add_argument("--basis", help="the basis of the changed period")
        due = sub.add_parser("due", help="list the records past retention")
        due.add_argument("--class", dest="record_class", choices=RecordClass.values)
        due.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        due.add_argument("--limit", type=int, default=100, help="records per class (default 100)")
        due.add_argument("--all", action="store_true", help="every record (streams)")
        due.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rules":
            self._rules(options)
        else:
            self._due(options)

    def _rules(self, options: dict[str, Any]) -> None:
        if options.get("set"):
            record_class, sep, years = str(options["set"]).partition("=")
            if not sep or not years.strip().isdigit():
                raise CommandError("--set CLASS=YEARS, e.g. customer_no_policy=5 / 格式：类别=年数")
            try:
                retention_rule_set(
                    record_class=record_class.strip(),
                    years=int(years),
                    basis=options.get("basis"),
                    principal=system("retention-cli"),
                )
            except RetentionError as exc:
                raise CommandError(f"{exc.message_en} / {exc.message_zh}") from exc
        for rule in RetentionRule.objects.all():
            self.stdout.write(
                f"{rule.record_class:<26} {rule.years:>3} years / 年   after: {rule.trigger}\n"
                f"{'':<26} basis / 依据: {rule.basis}"
            )

    def _due(self, options: dict[str, Any]) -> None:
        as_of = timezone.localdate()
        if options.get("as_of"):
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be YYYY-MM-DD / 日期格式应为 YYYY-MM-DD") from exc
        wanted = options.get("record_class")
        counts = [c for c in due_counts(as_of=as_of) if not wanted or c.record_class == wanted]
        as_json = options["format"] == "json"
        for count in counts:
            summary = {
                "record_class": count.record_class,
                "years": count.years,
                "due": count.due,
                "held": count.held,
                "blocked": count.blocked,
                "requested": count.requested,
                "destroyable": count.destroyable,
            }
            if as_json:
                self.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{count.record_class}: {count.due} due / 到期"
                    f" ({count.held} held / 保全,"
                    f" {count.blocked} on open problem items / 未结问题件,"
                    f" {count.requested} requested / 已申请)"
                )
            records = (
                due_iter(count.record_class, as_of=as_of)
                if options["all"]
                else due_page(
                    count.record_class, as_of=as_of, limit=max(0, options["limit"])
                ).records
            )
            for record in records:
                if as_json:
                    self.stdout.write(json.dumps(record_json(record), ensure_ascii=False))
                    continue
                marks = [
                    name
                    for name, on in (
                        ("HELD/保全", record.held),
                        ("OPEN-PROBLEM-ITEM/未结问题件", record.blocked),
                        ("REQUESTED/已申请", record.requested),
                    )
                    if on
                ]
                self.stdout.write(
                    f"  {record.kind} {record.object_id} {record.label}"
                    f" due since {record.due_on or '-'} {' '.join(marks)}".rstrip()
                )
