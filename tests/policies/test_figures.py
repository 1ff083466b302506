"""The home pages' gate figures: per channel and agent, within each reader's reach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.factories import failing_application, other_application, seller_for, store
from veracity.org.principals import Staff
from veracity.policies import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    return store(application, other_application(), failing_application())


def since():
    return timezone.now() - timedelta(days=30)


def test_gate_rates_by_channel_for_the_whole_book(personas, book):
    [agency] = figures.gate_rates_by_channel(principal=Staff(personas["dave"]), since=since())
    assert (agency.key, agency.applications, agency.failures, agency.per_100) == (
        "agency",
        3,
        1,
        33.3,
    )
    assert agency.name != "agency"  # the channel in words


def test_an_agent_counts_her_own_book_only(personas, book):
    [agency] = figures.gate_rates_by_channel(principal=Staff(personas["alice"]), since=since())
    assert (agency.applications, agency.failures) == (2, 1)


def test_the_auditor_counts_nothing(personas, book):
    audrey = Staff(personas["audrey"])
    assert figures.gate_rates_by_channel(principal=audrey, since=since()) == []
    assert figures.gate_rates_by_seller(principal=audrey, since=since()) == []
    assert figures.supplement_requests_open_count(principal=audrey) == 0


def test_gate_rates_by_seller_name_the_agent(personas, book):
    rows = figures.gate_rates_by_seller(principal=Staff(personas["dave"]), since=since())
    assert [(r.name, r.failures) for r in rows] == [("李爱丽", 1)]


def test_gate_month_and_open_supplements(personas, book):
    now = timezone.now()
    month = figures.gate_month(
        principal=Staff(personas["george"]),
        since=now - timedelta(days=1),
        until=now + timedelta(days=1),
    )
    assert (month.applications, month.checks, month.passed, month.pass_percent) == (3, 3, 2, 66.7)
    assert figures.supplement_requests_open_count(principal=Staff(personas["george"])) == 1
