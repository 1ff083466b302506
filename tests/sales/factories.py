"""Sellers that hold sales qualification (SF-1) for the tests of other registers: 2 class
hours of form-filling training and a passed test, long before any application date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from veracity.sales import qualification
from veracity.sales.models import Seller, TrainingRecord

QUALIFIED_SINCE = date(2020, 1, 6)


def qualify(seller: Seller, *, on: date = QUALIFIED_SINCE) -> Seller:
    """Record 2 class hours and a passed form-filling test for ``seller`` on ``on``."""
    TrainingRecord.objects.get_or_create(
        seller=seller,
        kind=TrainingRecord.Kind.COURSE,
        date=on,
        course_code="FORM-101",
        defaults={"title": "投保单规范填写", "hours": Decimal(2)},
    )
    TrainingRecord.objects.get_or_create(
        seller=seller,
        kind=TrainingRecord.Kind.TEST,
        date=on,
        course_code="",
        defaults={"passed": True, "score": Decimal(90)},
    )
    qualification.invalidate()
    return seller


def qualify_all() -> None:
    """Qualify every agent and specialist of the register."""
    for seller in Seller.objects.exclude(kind="agency"):
        qualify(seller)
