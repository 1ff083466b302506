"""The managers' home figures on the register: classified files, new customers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from veracity.customers import figures
from veracity.customers.models import Confidentiality, Customer
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def test_classified_files_for_those_who_mark_them(personas):
    Customer.objects.create(
        name="甲",
        archive_no="KH1",
        confidentiality=Confidentiality.CONFIDENTIAL,
        custodian=personas["ivan"],
    )
    Customer.objects.create(name="乙", archive_no="KH2", confidentiality=Confidentiality.TOP_SECRET)
    Customer.objects.create(name="丙", archive_no="KH3")
    got = figures.classified_files(principal=Staff(personas["mona"]))
    assert got is not None
    assert (got.confidential, got.top_secret, got.without_custodian, got.total) == (1, 1, 1, 2)
    for nobody in ("sam", "george", "audrey"):
        assert figures.classified_files(principal=Staff(personas[nobody])) is None


def test_new_customers_this_month(personas):
    Customer.objects.create(name="甲", archive_no="KH1")
    now = timezone.now()
    window = {"since": now - timedelta(days=1), "until": now + timedelta(days=1)}
    assert figures.new_customers(principal=Staff(personas["george"]), **window) == 1
    assert figures.new_customers(principal=Staff(personas["alice"]), **window) is None
