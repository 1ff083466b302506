"""Figures about leak incidents for the home pages: counts only.

Who handles incidents (``incidents.view``) counts them by status; the auditor, who reads the
trail (``audit.read``) and watches for unusual reading, counts the anomaly candidates too;
the month's count is for ``reports.view``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from veracity.incidents.models import LeakIncident
from veracity.org.actions import may
from veracity.org.principals import Principal

__all__ = ["Incidents", "anomaly_candidates", "incidents_month", "incidents_open"]

_S = LeakIncident.Status
OPEN = (_S.CANDIDATE, _S.REPORTED, _S.INVESTIGATING, _S.REMEDIATED)


@dataclass(frozen=True, slots=True)
class Incidents:
    by_status: list[tuple[str, str, int]]  # (status, label, count), open statuses in order
    overdue_notice: int  # confirmed but the authority not yet told

    @property
    def total(self) -> int:
        return sum(n for _s, _l, n in self.by_status)


def incidents_open(*, principal: Principal) -> Incidents | None:
    """Open incidents by status for who may see incidents; None for anyone else."""
    if not may(principal, "incidents.view"):
        return None
    counts = dict(
        LeakIncident.objects.filter(status__in=OPEN)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(_S.choices)
    unnotified = LeakIncident.objects.filter(
        status__in=OPEN,
        certainty=LeakIncident.Certainty.CONFIRMED,
        regulator_notified_on__isnull=True,
    ).count()
    return Incidents(
        by_status=[(s, str(labels[s]), counts.get(s, 0)) for s in OPEN],
        overdue_notice=unnotified,
    )


def anomaly_candidates(*, principal: Principal, since: datetime) -> int | None:
    """Anomaly candidates (unusual reading of customer files) raised since ``since`` and not
    yet dismissed, for who sees incidents or reads the trail; None for anyone else."""
    if not (may(principal, "incidents.view") or may(principal, "audit.read")):
        return None
    return (
        LeakIncident.objects.filter(reported_at__gte=since, anomaly_user__isnull=False)
        .exclude(status=_S.DISMISSED)
        .count()
    )


def incidents_month(*, principal: Principal, since: datetime, until: datetime) -> int | None:
    """Incidents reported in [since, until) (candidates included), for ``reports.view``."""
    if not may(principal, "reports.view"):
        return None
    return LeakIncident.objects.filter(Q(reported_at__gte=since) & Q(reported_at__lt=until)).count()
