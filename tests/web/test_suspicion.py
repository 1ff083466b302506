"""SD-6: customer service adds a suspicion from the customer page; the agent may not."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY, base_application
from veracity.audit.services import Actor
from veracity.cases.models import ProblemItem
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_id():
    [result] = applications_store(
        [base_application("S1")], source="test", actor=Actor.system("t"), as_of=TODAY
    )
    return result.policy.roles.get(role="policyholder").customer_id


def test_customer_service_adds_a_suspicion(login, personas, customer_id):
    client = login(personas["sam"])
    response = client.post(
        f"/customers/{customer_id}/suspicion/", {"reason": "回访时客户称电话号码不是本人的"}
    )
    assert response.status_code == 302 and "rule=MANUAL" in response["Location"]
    item = ProblemItem.objects.get(rule="MANUAL")
    assert item.reason_zh == "回访时客户称电话号码不是本人的"
    assert item.created_by == personas["sam"]
    assert set(item.members.values_list("customer_id", flat=True)) == {customer_id}


def test_empty_reason_is_refused_and_nothing_added(login, personas, customer_id):
    client = login(personas["sam"])
    response = client.post(f"/customers/{customer_id}/suspicion/", {"reason": "  "})
    assert response.status_code == 302
    assert not ProblemItem.objects.exists()


def test_agent_may_not_add_and_nothing_changes(login, personas, customer_id):
    response = login(personas["alice"]).post(
        f"/customers/{customer_id}/suspicion/", {"reason": "x"}
    )
    assert response.status_code == 403
    assert not ProblemItem.objects.exists()


def test_unknown_customer_is_404(login, personas):
    response = login(personas["sam"]).post("/customers/999999/suspicion/", {"reason": "x"})
    assert response.status_code == 404
    assert not ProblemItem.objects.exists()
