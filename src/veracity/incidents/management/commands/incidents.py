"""``veracity incidents list [--status S]`` prints the leak incidents;
``veracity incidents scan [--day YYYY-MM-DD]`` runs the anomaly signal for a day (default:
yesterday and the missed days of the past week, as the daily job does)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from veracity.audit.services import Actor
from veracity.incidents.anomaly import anomaly_catch_up, anomaly_scan
from veracity.incidents.models import LeakIncident


class Command(BaseCommand):
    help = "List leak incidents (D4.27), or run the anomaly signal for a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "scan"])
        parser.add_argument(
            "--status", choices=LeakIncident.Status.values, help="only incidents in this status"
        )
        parser.add_argument("--day", help="scan: the day to evaluate, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="list: one JSON object a line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "scan":
            self._scan(options.get("day"))
        else:
            self._list(options.get("status"), as_json=options["json"])

    def _list(self, status: str | None, *, as_json: bool) -> None:
        incidents = LeakIncident.objects.select_related("reported_by", "anomaly_user")
        if status:
            incidents = incidents.filter(status=status)
        incidents = incidents.annotate(customer_count=Count("customers")).order_by("-reported_at")
        for incident in incidents:
            types = [str(t) for t in incident.data_types]
            row: dict[str, Any] = {
                "id": incident.pk,
                "status": incident.status,
                "certainty": incident.certainty,
                "source": incident.source,
                "reported_at": timezone.localtime(incident.reported_at).isoformat(
                    timespec="minutes"
                ),
                "reported_by": (
                    incident.reported_by.get_username() if incident.reported_by else "system"
                ),
                "customers": incident.customer_count,
                "data_types": types,
            }
            if as_json:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            else:
                self.stdout.write(
                    "#{id}\t{status}\t{certainty}\t{reported_at}\t{reported_by}\t"
                    "{customers} customers\t{types}".format(**row, types=",".join(types) or "-")
                )
        if not as_json:
            self.stdout.write(f"{incidents.count()} incident(s)")

    def _scan(self, day_text: str | None) -> None:
        actor = Actor.system("command:incidents-scan")
        if day_text:
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                raise CommandError(f"--day: expected YYYY-MM-DD, got {day_text!r}") from None
            if day >= timezone.localdate():
                raise CommandError("--day: only a day that is over can be scanned")
            raised = anomaly_scan(day=day, actor=actor)
        else:
            raised = anomaly_catch_up(today=timezone.localdate(), actor=actor)
        self.stdout.write(json.dumps({"candidates": [i.pk for i in raised]}, ensure_ascii=False))
