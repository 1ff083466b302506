"""The daily T+1 run: after the business day closes, produce the list (and any missed day's),
so customer service has it on the next working day."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.audit.services import Actor
from veracity.cases.figures import quality_snapshot_take
from veracity.detection.services import detection_catch_up


@db_periodic_task(crontab(hour="21", minute="0"))  # type: ignore[untyped-decorator]
@lock_task("veracity-detection-daily")  # type: ignore[untyped-decorator]
def detect_daily() -> int:
    today = timezone.localdate()
    runs = detection_catch_up(today=today, actor=Actor.system("huey:detect"))
    # the homes' per-channel and per-seller figures, counted once over the new list
    quality_snapshot_take(business_date=today)
    return len(runs)
