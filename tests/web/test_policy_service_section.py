"""The application/policy page's "保单服务记录" section: coverage, premium status, premiums,
claims with their reviews and payments, policy service changes, in Chinese words."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TODAY
from tests.policies.test_event_services import CORE, effective, event
from veracity.audit.services import Actor
from veracity.policies.event_services import policy_events_record
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def policy(make_application):
    [result] = applications_store(
        [make_application("A1")], source="test", actor=Actor.system("test"), as_of=TODAY
    )
    raws = [
        effective(),
        {**event("E2", "premium_due", due_on="2025-11-28", amount=12000, period=1)},
        {**event("E3", "premium_received", amount=12000, period=1)},
        {**event("E4", "premium_due", due_on="2026-01-28", amount=12000, period=2)},
        event("E5", "claim_reported", claim_no="C-88"),
        event("E6", "claim_reviewed", claim_no="C-88", result="more_documents", reason="缺病历"),
        event("E7", "claim_reviewed", claim_no="C-88", result="approved"),
        event("E8", "benefit_paid", claim_no="C-88", amount=3500),
        event("E9", "policy_changed", change="beneficiary", major=True, note="受益人改为配偶"),
    ]
    result_ = policy_events_record(
        principal=CORE, records=list(enumerate(raws, start=1)), source="import"
    )
    assert result_.accepted == len(raws)
    return result.policy


def test_customer_service_reads_the_service_record(login, personas, policy):
    client = login(personas["sam"])
    page = html(client.get(f"/applications/{policy.pk}/"))
    section = page[page.index("保单服务记录") :]
    for words in (
        "保额",
        "500000",
        "终身",
        "20年交",
        "附加意外",
        "逾期",  # the second year's premium is not received
        "12000.00",
        "C-88",
        "需补充材料",
        "缺病历",
        "审核通过",
        "3500.00",
        "变更受益人",
        "重大变更",
        "受益人改为配偶",
        "理赔报案",
        "保单生效",
    ):
        assert words in section, words
    # no codes on a Chinese screen
    assert not re.search(r"\b(approved|more_documents|beneficiary|premium_due|overdue)\b", section)


def test_the_english_page(login, personas, policy):
    client = login(personas["sam"])
    client.cookies["django_language"] = "en"
    page = html(client.get(f"/applications/{policy.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Policy service record" in page
    assert "Overdue" in page and "more documents needed" in page


def test_an_application_not_yet_a_policy_has_no_section(login, personas, make_application):
    [result] = applications_store(
        [make_application("A2")], source="test", actor=Actor.system("test"), as_of=TODAY
    )
    page = html(login(personas["sam"]).get(f"/applications/{result.policy.pk}/"))
    assert "保单服务记录" not in page


def test_the_auditor_sees_no_service_record(login, personas, policy):
    response = login(personas["audrey"]).get(f"/applications/{policy.pk}/")
    assert response.status_code == 403
    assert "C-88" not in html(response)
