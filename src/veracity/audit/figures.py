"""Figures about the audit trail for the auditor's home page: the chain's state and the
refused attempts per day — counts only, for whoever may read the trail (``audit.read``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from veracity.audit.models import Action, ChainVerification
from veracity.audit.selectors import trail_head, visible_to
from veracity.org.actions import may
from veracity.org.principals import Principal

__all__ = ["ChainStatus", "chain_status", "refused_by_day"]


@dataclass(frozen=True, slots=True)
class ChainStatus:
    events: int  # the head's seq: events in the trail
    verified_at: datetime | None  # when the latest finished verification ended
    ok: bool | None  # its result; None when never verified
    checked: int  # events it checked
    running: bool  # a verification is queued or running now

    @property
    def unverified(self) -> int:
        """Events written since the latest verification checked the chain."""
        return max(self.events - self.checked, 0)


def chain_status(*, principal: Principal) -> ChainStatus | None:
    """The trail's size and its latest verification; None for who may not read the trail."""
    if not may(principal, "audit.read"):
        return None
    head = trail_head()
    done = (
        ChainVerification.objects.filter(status=ChainVerification.Status.DONE)
        .order_by("-pk")
        .first()
    )
    running = ChainVerification.objects.filter(
        status__in=[ChainVerification.Status.QUEUED, ChainVerification.Status.RUNNING]
    ).exists()
    return ChainStatus(
        events=head.seq,
        verified_at=done.finished_at if done else None,
        ok=done.ok if done else None,
        checked=(done.head_seq or done.checked) if done else 0,
        running=running,
    )


def refused_by_day(
    *, principal: Principal, today: date | None = None, days: int = 7
) -> list[tuple[date, int]]:
    """Refused attempts (``ACCESS_REFUSED`` events) per local day, the last ``days`` days up to
    ``today``, oldest first; empty for who may not read the trail. One range of the
    ``occurred_at`` index."""
    if not may(principal, "audit.read"):
        return []
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        visible_to(principal=principal, action="audit.read")
        .filter(occurred_at__gte=start, occurred_at__lt=end, action=Action.ACCESS_REFUSED)
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("seq"))
        .order_by()
    )
    counts = {d: n for d, n in rows}
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)
    ]
