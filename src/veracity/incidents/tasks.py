"""The daily anomaly job: count yesterday's reads of customer files per user and raise
incident candidates for unusual volumes (and catch up the days of the past week it missed)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.audit.services import Actor
from veracity.incidents.anomaly import anomaly_catch_up


# Huey schedules in UTC: 17:30 UTC is 01:30 in Beijing, after the local day has ended.
@db_periodic_task(crontab(hour="17", minute="30"))  # type: ignore[untyped-decorator]
@lock_task("veracity-anomaly-daily")  # type: ignore[untyped-decorator]
def anomaly_daily() -> int:
    raised = anomaly_catch_up(today=timezone.localdate(), actor=Actor.system("huey:anomaly"))
    return len(raised)
