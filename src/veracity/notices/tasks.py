"""The outbox's sender: every minute, what is due is sent and the notices without a result
after some hours are polled (one consumer at a time: ``lock_task``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.notices.sending import notices_run


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
@lock_task("veracity-notices-send")  # type: ignore[untyped-decorator]
def notices_send() -> dict[str, int]:
    return notices_run().as_dict()
