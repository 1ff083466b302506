"""The daily T+1 run: after the business day closes, produce the list (and any missed day's),
so customer service has it on the next working day."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.audit.services import Actor
from veracity.detection.services import detection_catch_up


@db_periodic_task(crontab(hour="21", minute="0"))  # type: ignore[untyped-decorator]
@lock_task("veracity-detection-daily")  # type: ignore[untyped-decorator]
def detect_daily() -> int:
    runs = detection_catch_up(today=timezone.localdate(), actor=Actor.system("huey:detect"))
    return len(runs)
