"""PW-6: every morning, those responsible for overdue investigations are told."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.cases.services import problem_items_overdue_notify


@db_periodic_task(crontab(hour="8", minute="5"))  # type: ignore[untyped-decorator]
@lock_task("veracity-overdue-notice")  # type: ignore[untyped-decorator]
def overdue_notify() -> int:
    return problem_items_overdue_notify()
