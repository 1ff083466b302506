"""Scheduled retention jobs: the half-yearly archive inspection (D4.14) on the first days of
January and July for the half-year just ended (skipped when staff already inspected it), and
a monthly count of the records past retention for the log."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.org.principals import system
from veracity.retention.inspection import previous_period
from veracity.retention.models import InspectionRecord
from veracity.retention.selectors import due_counts
from veracity.retention.services import inspection_run

log = logging.getLogger(__name__)


@db_periodic_task(crontab(month="1,7", day="2", hour="2", minute="0"))  # type: ignore[untyped-decorator]
@lock_task("veracity-archive-inspection")  # type: ignore[untyped-decorator]
def inspect_half_year() -> int | None:
    period = previous_period(timezone.localdate())
    if InspectionRecord.objects.filter(period=period).exists():
        return None
    record = inspection_run(period=period, principal=system("huey:inspection"))
    return record.pk


@db_periodic_task(crontab(day="1", hour="3", minute="0"))  # type: ignore[untyped-decorator]
@lock_task("veracity-retention-due")  # type: ignore[untyped-decorator]
def retention_due_count() -> dict[str, int]:
    counts = {c.record_class: c.due for c in due_counts(as_of=timezone.localdate())}
    if any(counts.values()):
        log.warning("records past retention, to be reviewed for destruction: %s", counts)
    return counts
