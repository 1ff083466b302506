"""The managers' home figure on archive inspections: this half-year's done or not."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from veracity.org.principals import Staff
from veracity.retention import figures
from veracity.retention.models import InspectionRecord

pytestmark = pytest.mark.django_db


def test_this_half_years_inspection(personas):
    ivan = Staff(personas["ivan"])
    none = figures.inspections(principal=ivan, today=date(2026, 12, 3))
    assert none is not None and (none.period, none.done, none.last_at) == ("2026-H2", False, None)
    InspectionRecord.objects.create(
        period="2026-H2", performed_label="易凡", performed_at=timezone.now(), ok=True
    )
    done = figures.inspections(principal=ivan, today=date(2026, 12, 3))
    assert done is not None and (done.done, done.last_ok) == (True, True)
    assert figures.inspections(principal=ivan, today=date(2027, 1, 4)).done is False  # type: ignore[union-attr]
    assert figures.inspections(principal=Staff(personas["sam"])) is None
