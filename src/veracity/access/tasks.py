"""Borrowing expiry (D4.19): a loan of customer files lasts at most three days. A grant stops
working at its end whether or not this job has run; the job stamps and audits the loans that
ran out without being returned, so the register lists them as not returned."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from veracity.access.governance import access_grants_expire, access_grants_warn


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
@lock_task("veracity-grant-expiry")  # type: ignore[untyped-decorator]
def grants_expire() -> int:
    return access_grants_expire()


@db_periodic_task(crontab(hour="8", minute="0"))  # type: ignore[untyped-decorator]
@lock_task("veracity-grant-warning")  # type: ignore[untyped-decorator]
def grants_warn() -> int:
    """Each morning, the borrowers whose access ends within a day are told when."""
    return access_grants_warn()
