"""Figures about the archive for the managers' home pages: the latest semi-annual archive
inspection and whether this half-year's is done, for ``retention.view``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.retention.inspection import inspection_period
from veracity.retention.models import InspectionRecord

__all__ = ["Inspections", "inspections"]


@dataclass(frozen=True, slots=True)
class Inspections:
    period: str  # the current half-year
    done: bool  # an inspection of the current half-year is recorded
    last_at: datetime | None
    last_ok: bool | None


def inspections(*, principal: Principal, today: date | None = None) -> Inspections | None:
    """The latest archive inspection and this half-year's; None without ``retention.view``."""
    if not may(principal, "retention.view"):
        return None
    period = inspection_period(today or timezone.localdate())
    last = InspectionRecord.objects.order_by("-performed_at", "-id").first()
    return Inspections(
        period=period,
        done=InspectionRecord.objects.filter(period=period).exists(),
        last_at=last.performed_at if last else None,
        last_ok=last.ok if last else None,
    )
