"""Jobs of the audit trail: a verification asked for in the auditor's pages, and the daily
anchoring of the chain's head outside the database."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from veracity.audit.anchors import audit_anchor_write
from veracity.audit.services import audit_verification_run


@db_task()  # type: ignore[untyped-decorator]
def verify_chain(run_id: int) -> bool | None:
    """Verify the whole chain for ``ChainVerification`` ``run_id``; its result."""
    run = audit_verification_run(run_id=run_id)
    return run.ok if run is not None else None


# Hourly, and only the first run of each (local) day writes: a day missed while the worker
# was down is anchored by its next hour, and a day's file is never rewritten.
@db_periodic_task(crontab(minute="50"))  # type: ignore[untyped-decorator]
@lock_task("veracity-audit-anchor")  # type: ignore[untyped-decorator]
def anchor_daily() -> str:
    path, anchor, written = audit_anchor_write(now=timezone.now())
    return f"{path} seq {anchor.seq} {'written' if written else 'kept'}"
