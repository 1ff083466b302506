"""``POST /api/v1/inquiries/verify`` for the call centre's and counters' systems: the same
answer shape for every wrong statement, the lockout and its expiry, the audit trail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.inquiry.book import CHILD_ID, HOLDER_ID, STRANGER_ID, Book, make_book
from veracity.audit.models import AuditEvent
from veracity.inquiry.models import Inquiry, InquiryLock

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(db) -> Book:
    return make_book()


BODY = {
    "channel": "phone",
    "policy_no": "P2026000001",
    "name": "王芳",
    "id_type": "resident_id",
    "id_number": HOLDER_ID,
    "role": None,
}


def post(api, **changes):
    return api.post("/inquiries/verify", {**BODY, **changes})


@pytest.mark.parametrize(
    ("changes", "role"),
    [
        ({}, "policyholder"),
        ({"role": "policyholder"}, "policyholder"),
        ({"name": "李小明", "id_number": CHILD_ID, "role": "insured"}, "insured"),
        ({"policy_no": "P2026000002", "name": "李小明", "id_number": CHILD_ID}, "beneficiary"),
        ({"channel": "counter"}, "policyholder"),  # the counter system checked the documents
    ],
)
def test_right_party_and_role(book: Book, api, changes, role) -> None:
    answer = post(api, **changes)
    assert answer.status_code == 200
    body = answer.json()
    assert body["verified"] is True and body["role"] == role
    assert body["reason_code"] == "verified" and len(body["inquiry_id"]) >= 20
    row = Inquiry.objects.get(inquiry_id=body["inquiry_id"])
    assert row.asked_by == "api:core-system" and row.staff is None


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"role": "insured"}, id="right person, wrong role"),
        pytest.param({"name": "王芬"}, id="wrong name"),
        pytest.param({"id_number": STRANGER_ID}, id="wrong ID"),
        pytest.param({"policy_no": "P2099999999"}, id="unknown policy"),
    ],
)
def test_wrong_data_answers_alike(book: Book, api, changes) -> None:
    answer = post(api, **changes)
    assert answer.status_code == 200
    body = answer.json()
    inquiry_id = body.pop("inquiry_id")
    assert body == {"verified": False, "role": None, "reason_code": "not_verified"}
    assert Inquiry.objects.get(inquiry_id=inquiry_id).outcome == "not_verified"


def test_unknown_policy_and_wrong_name_are_indistinguishable(book: Book, api) -> None:
    unknown = post(api, policy_no="P2099999999").json()
    wrong = post(api, name="王芬").json()
    assert unknown.keys() == wrong.keys()
    assert {k: v for k, v in unknown.items() if k != "inquiry_id"} == {
        k: v for k, v in wrong.items() if k != "inquiry_id"
    }


NOW = timezone.make_aware(dt.datetime(2026, 11, 26, 9, 0))


@pytest.mark.parametrize(
    "failures",
    [
        [{"name": f"某{i}"} for i in range(5)],  # one policy number
        [{"policy_no": f"P209900{i}"} for i in range(5)],  # one ID number
    ],
    ids=["per policy", "per ID number"],
)
def test_lockout_and_its_expiry(book: Book, api, monkeypatch, failures) -> None:
    clock = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    for changes in failures:
        assert post(api, **changes).json()["reason_code"] == "not_verified"
        clock["now"] += dt.timedelta(minutes=1)
    locked = post(api).json()
    assert (locked["verified"], locked["reason_code"], locked["role"]) == (False, "locked", None)
    assert InquiryLock.objects.exists()
    clock["now"] += dt.timedelta(minutes=28)  # the lock was set a minute ago
    assert post(api).json()["reason_code"] == "locked"
    clock["now"] += dt.timedelta(minutes=2)
    assert post(api).json()["reason_code"] == "verified"


def test_every_attempt_is_audited_with_the_address(book: Book, client, api_token) -> None:
    answer = client.post(
        "/api/v1/inquiries/verify",
        {**BODY, "name": "王芬"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token}"},
        REMOTE_ADDR="192.0.2.9",
    )
    event = AuditEvent.objects.get(action="inquiry.verify", object_id=answer.json()["inquiry_id"])
    detail = json.loads(event.detail)
    assert detail["channel"] == "phone" and detail["outcome"] == "not_verified"
    assert event.ip == "192.0.2.9" and detail["address"] == "192.0.2.9"
    assert event.actor == "api:core-system"
    assert HOLDER_ID not in event.detail


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"channel": "fax"}, 422),
        ({"role": "payer"}, 422),
        ({"name": ""}, 422),
        ({"policy_no": "P" * 41}, 422),
        ({"id_number": "1101\x00"}, 422),
        ({"extra": 1}, 422),
    ],
)
def test_bad_bodies_change_nothing(book: Book, api, changes, status) -> None:
    before = Inquiry.objects.count(), AuditEvent.objects.filter(action="inquiry.verify").count()
    assert post(api, **changes).status_code == status
    after = Inquiry.objects.count(), AuditEvent.objects.filter(action="inquiry.verify").count()
    assert after == before


def test_without_a_token_nothing_is_told(book: Book, api) -> None:
    answer = api.post("/inquiries/verify", BODY, token=None)
    assert answer.status_code == 401
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize("system", ["sms_gateway", "bancassurance", "other"])
def test_a_system_that_does_not_verify_inquirers_is_refused(book: Book, client, system) -> None:
    """Only the core system and the call-centre and counter systems verify inquirers; any
    other API client is refused and nothing is recorded as an inquiry."""
    from veracity.access.models import ApiClient

    _client, token = ApiClient.issue(name=f"{system}-client", system=system)
    before = Inquiry.objects.count()
    answer = client.post(
        "/api/v1/inquiries/verify",
        BODY,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert Inquiry.objects.count() == before


@pytest.mark.parametrize("system", ["call_centre", "counter"])
def test_the_call_centre_and_counter_systems_verify(book: Book, client, system) -> None:
    from veracity.access.models import ApiClient

    _client, token = ApiClient.issue(name=f"{system}-client", system=system)
    answer = client.post(
        "/api/v1/inquiries/verify",
        BODY,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and answer.json()["verified"] is True
