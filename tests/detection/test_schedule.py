"""The daily job: missed working days are caught up, holidays skipped, first run full."""

from __future__ import annotations

from datetime import date

import pytest

from veracity.audit.services import Actor
from veracity.detection.models import DetectionRun
from veracity.detection.services import business_dates_due, detection_catch_up
from veracity.detection.tasks import detect_daily
from veracity.workcal.services import workdays_seed

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def seeded_calendar():
    workdays_seed(actor=ACTOR)


def test_first_run_is_a_full_back_check_of_the_latest_working_day():
    runs = detection_catch_up(today=date(2026, 10, 4), actor=ACTOR)  # a National Day holiday
    assert [(r.business_date, r.mode) for r in runs] == [(date(2026, 9, 30), "full")]


def test_missed_days_are_caught_up_skipping_holidays():
    detection_catch_up(today=date(2026, 9, 29), actor=ACTOR)
    # 1–7 October are the National Day holiday; Saturday 10 October is a make-up working day
    assert business_dates_due(today=date(2026, 10, 12)) == [
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
    ]
    runs = detection_catch_up(today=date(2026, 10, 12), actor=ACTOR)
    assert [r.mode for r in runs] == ["incremental"] * 5
    assert detection_catch_up(today=date(2026, 10, 12), actor=ACTOR) == []


def test_the_huey_task_runs_the_catch_up(settings):
    # HUEY is immediate in the test settings: calling the task runs it.
    detect_daily()
    assert DetectionRun.objects.filter(status="done").count() == 1
