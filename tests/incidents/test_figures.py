"""The home pages' incident figures: open incidents by status, anomaly candidates, the
month's count — each for those who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from veracity.incidents import figures
from veracity.incidents.models import LeakIncident
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db
S = LeakIncident.Status


def incident(status: str, **fields) -> LeakIncident:
    return LeakIncident.objects.create(
        status=status,
        reported_at=fields.pop("reported_at", timezone.now()),
        description="测试",
        **fields,
    )


def test_open_incidents_by_status(personas):
    incident(S.REPORTED)
    incident(S.INVESTIGATING, certainty=LeakIncident.Certainty.CONFIRMED)
    incident(S.CLOSED)
    got = figures.incidents_open(principal=Staff(personas["ivan"]))
    assert got is not None and got.total == 2 and got.overdue_notice == 1
    assert [s for s, _l, _n in got.by_status] == [
        S.CANDIDATE,
        S.REPORTED,
        S.INVESTIGATING,
        S.REMEDIATED,
    ]
    assert all(label != s for s, label, _n in got.by_status)
    for nobody in ("alice", "audrey", "george"):
        assert figures.incidents_open(principal=Staff(personas[nobody])) is None


def test_anomaly_candidates_for_the_auditor(personas):
    since = timezone.now() - timedelta(days=30)
    incident(S.CANDIDATE, anomaly_user=personas["carol"])
    incident(S.DISMISSED, anomaly_user=personas["carol"])
    incident(S.CANDIDATE, anomaly_user=personas["sam"], reported_at=since - timedelta(days=1))
    incident(S.REPORTED)  # reported by staff, not an anomaly
    assert figures.anomaly_candidates(principal=Staff(personas["audrey"]), since=since) == 1
    assert figures.anomaly_candidates(principal=Staff(personas["ivan"]), since=since) == 1
    assert figures.anomaly_candidates(principal=Staff(personas["alice"]), since=since) is None


def test_incidents_this_month_for_reports_view(personas):
    incident(S.REPORTED)
    now = timezone.now()
    window = {"since": now - timedelta(days=1), "until": now + timedelta(days=1)}
    assert figures.incidents_month(principal=Staff(personas["george"]), **window) == 1
    assert figures.incidents_month(principal=Staff(personas["sam"]), **window) is None
