"""SF-6, D1.24: every morning, the owners of rectification demands past their due date, and
compliance, are told (once per person and day: a rerun tells nobody again)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.conduct.actions import compliance_overdue_notify


# Huey schedules in UTC: 00:10 UTC is 08:10 in Beijing, after the problem items' notice.
@db_periodic_task(crontab(hour="0", minute="10"))  # type: ignore[untyped-decorator]
@lock_task("veracity-rectification-overdue")  # type: ignore[untyped-decorator]
def rectification_overdue_notify() -> int:
    return compliance_overdue_notify()
