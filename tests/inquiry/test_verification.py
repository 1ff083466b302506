"""The one verification of an inquirer (IQ-1, IQ-4): right party and role, wrong data of
every kind answered alike, the lockout and its expiry, the audit trail, third parties."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.inquiry.book import CHILD_ID, HOLDER_ID, STRANGER_ID, Book
from veracity.audit.models import AuditEvent
from veracity.core.refusals import Refusal
from veracity.inquiry.models import ChannelEvent, Disclosure, Inquiry, InquiryLock
from veracity.inquiry.verification import inquirer_verify, inquiry_answer
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def sam(personas) -> Staff:
    return Staff(personas["sam"], address="10.0.0.7")


def verify(principal, **stated):
    values = {
        "channel": "phone",
        "policy_no": "P2026000001",
        "name": "王芳",
        "id_type": "resident_id",
        "id_number": HOLDER_ID,
        "role": None,
        **stated,
    }
    return inquirer_verify(principal=principal, **values)


@pytest.mark.parametrize(
    ("stated", "role"),
    [
        ({}, "policyholder"),
        ({"role": "policyholder"}, "policyholder"),
        ({"name": "李小明", "id_number": CHILD_ID}, "insured"),
        ({"name": " 王 芳 "}, "policyholder"),  # spaces are not part of a name
        (
            {"policy_no": "P2026000002", "name": "李小明", "id_number": CHILD_ID},
            "beneficiary",
        ),
    ],
)
def test_right_party(book: Book, personas, stated, role) -> None:
    result = verify(sam(personas), **stated)
    assert result.verified and result.role == role and result.reason_code == "verified"
    row = Inquiry.objects.get(inquiry_id=result.inquiry_id)
    assert row.outcome == "verified" and row.role == role and row.staff == personas["sam"]
    assert row.address == "10.0.0.7" and row.customer_id is not None


WRONG = [
    pytest.param({"role": "insured"}, id="right person, wrong role"),
    pytest.param({"role": "beneficiary"}, id="right person, not a beneficiary"),
    pytest.param({"name": "王芬"}, id="wrong name"),
    pytest.param({"id_number": STRANGER_ID}, id="wrong ID"),
    pytest.param({"id_number": CHILD_ID}, id="another party's ID"),
    pytest.param({"policy_no": "P2099999999"}, id="unknown policy"),
    pytest.param({"policy_no": "P2026000002"}, id="not a party of that policy"),
    pytest.param({"id_type": "passport"}, id="wrong ID type"),
]


@pytest.mark.parametrize("stated", WRONG)
def test_wrong_data_is_not_verified_alike(book: Book, personas, stated) -> None:
    result = verify(sam(personas), **stated)
    assert result.to_dict().keys() == {"verified", "role", "inquiry_id", "reason_code"}
    assert (result.verified, result.role, result.reason_code) == (False, None, "not_verified")
    row = Inquiry.objects.get(inquiry_id=result.inquiry_id)
    assert row.outcome == "not_verified" and row.policy is None and row.customer is None


def test_unknown_policy_costs_the_same_queries_as_wrong_data(
    book: Book, personas, django_assert_num_queries
) -> None:
    principal = sam(personas)
    verify(principal)  # warm the caches (the user's roles)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for stated in ({"policy_no": "P2099999999"}, {"name": "王芬"}, {"id_number": STRANGER_ID}):
        with CaptureQueriesContext(connection) as ctx:
            verify(principal, **stated)
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1, counts


def test_the_id_number_is_never_stored(book: Book, personas) -> None:
    result = verify(sam(personas))
    row = Inquiry.objects.filter(inquiry_id=result.inquiry_id).values()[0]
    assert HOLDER_ID not in str(row)
    assert row["id_bidx"]
    event = AuditEvent.objects.filter(object_id=result.inquiry_id).get()
    assert HOLDER_ID not in str(event.detail)


def test_every_attempt_is_audited_with_channel_outcome_and_address(book: Book, personas) -> None:
    good = verify(sam(personas), channel="phone")
    bad = verify(sam(personas), channel="phone", name="王芬")
    for result, outcome in ((good, "verified"), (bad, "not_verified")):
        event = AuditEvent.objects.get(action="inquiry.verify", object_id=result.inquiry_id)
        detail = json.loads(event.detail)
        assert detail["channel"] == "phone"
        assert detail["outcome"] == outcome
        assert detail["address"] == "10.0.0.7"
        assert event.ip == "10.0.0.7"


NOW = timezone.make_aware(dt.datetime(2026, 11, 26, 10, 0))


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # five failures on one policy number (different people) lock the policy number
        (
            [{"name": f"某人{i}", "id_number": STRANGER_ID} for i in range(5)],
            {},
        ),
        # five failures with one ID number (different policies) lock the ID number
        (
            [{"policy_no": f"P20990000{i:02d}"} for i in range(5)],
            {"policy_no": "P2026000001"},
        ),
    ],
    ids=["per policy number", "per ID number"],
)
def test_lockout_after_five_failures_and_its_expiry(book: Book, personas, first, then) -> None:
    principal = sam(personas)
    for i, stated in enumerate(first[:4]):
        result = verify(principal, now=NOW + dt.timedelta(minutes=i), **stated)
        assert result.reason_code == "not_verified"
    assert not InquiryLock.objects.exists()
    verify(principal, now=NOW + dt.timedelta(minutes=4), **first[4])
    assert InquiryLock.objects.count() >= 1
    assert ChannelEvent.objects.filter(kind="lockout", channel="phone").count() == 1
    # even the right person with the right data is now refused
    locked = verify(principal, now=NOW + dt.timedelta(minutes=10), **then)
    assert (locked.verified, locked.reason_code, locked.role) == (False, "locked", None)
    assert locked.locked_until == NOW + dt.timedelta(minutes=34)
    assert Inquiry.objects.get(inquiry_id=locked.inquiry_id).outcome == "locked"
    # 30 minutes after the lock, the right data verifies again
    after = verify(principal, now=NOW + dt.timedelta(minutes=35), **then)
    assert after.verified and after.reason_code == "verified"


def test_four_failures_do_not_lock(book: Book, personas) -> None:
    principal = sam(personas)
    for i in range(4):
        verify(principal, name="王芬", now=NOW + dt.timedelta(minutes=i))
    assert verify(principal, now=NOW + dt.timedelta(minutes=5)).verified


def test_failures_older_than_the_window_do_not_count(book: Book, personas) -> None:
    principal = sam(personas)
    for i in range(4):
        verify(principal, name="王芬", now=NOW - dt.timedelta(hours=25, minutes=i))
    verify(principal, name="王芬", now=NOW)
    assert not InquiryLock.objects.exists()
    assert verify(principal, now=NOW + dt.timedelta(minutes=1)).verified


def test_the_limits_come_from_settings(book: Book, personas, settings) -> None:
    settings.VERACITY_INQUIRY_LIMITS = {"failures": 2, "window_hours": 1, "lock_minutes": 5}
    principal = sam(personas)
    verify(principal, name="王芬", now=NOW)
    verify(principal, name="王芬", now=NOW + dt.timedelta(minutes=1))
    assert verify(principal, now=NOW + dt.timedelta(minutes=2)).reason_code == "locked"
    assert verify(principal, now=NOW + dt.timedelta(minutes=7)).verified


def test_the_clock_is_django_s(book: Book, personas, monkeypatch) -> None:
    principal = sam(personas)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    for _ in range(5):
        verify(principal, name="王芬")
    assert verify(principal).reason_code == "locked"
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(minutes=31))
    assert verify(principal).verified


def counts() -> tuple[int, int, int, int]:
    return (
        Inquiry.objects.count(),
        InquiryLock.objects.count(),
        Disclosure.objects.count(),
        AuditEvent.objects.filter(action="inquiry.verify").count(),
    )


@pytest.mark.parametrize(
    ("who", "stated", "code"),
    [
        ("sam", {"channel": "fax"}, "inquiry.channel"),
        ("sam", {"role": "payer"}, "inquiry.role"),
        ("sam", {"name": ""}, "inquiry.required"),
        ("sam", {"policy_no": "P" * 41}, "inquiry.too_long"),
        ("sam", {"channel": "counter"}, "inquiry.counter_documents"),
        ("alice", {}, "inquiry.role_forbidden"),
        ("dave", {}, "inquiry.role_forbidden"),
    ],
)
def test_refusals_change_nothing(book: Book, personas, who, stated, code) -> None:
    before = counts()
    with pytest.raises(Refusal) as refused:
        verify(Staff(personas[who]), **stated)
    assert refused.value.code == code
    assert counts() == before


def test_counter_with_both_documents(book: Book, personas) -> None:
    result = verify(
        sam(personas), channel="counter", id_card_presented=True, contract_presented=True
    )
    row = Inquiry.objects.get(inquiry_id=result.inquiry_id)
    assert result.verified and row.id_card_presented and row.contract_presented
    with pytest.raises(Refusal):
        verify(sam(personas), channel="counter", id_card_presented=True)


def test_answer_scoped_to_the_role_and_recorded(book: Book, personas) -> None:
    holder = verify(sam(personas))
    _inquiry, facts = inquiry_answer(principal=sam(personas), inquiry_id=holder.inquiry_id)
    assert "premiums" in facts.sections and "payer" in facts.sections
    assert facts.payer_account and "1234 567" not in facts.payer_account
    beneficiary = verify(sam(personas), policy_no="P2026000002", name="李小明", id_number=CHILD_ID)
    _inquiry, facts = inquiry_answer(principal=sam(personas), inquiry_id=beneficiary.inquiry_id)
    assert facts.sections == {"policy", "coverage", "claims"}
    assert facts.payer_account == "" and facts.premiums == []
    shown = Disclosure.objects.get(inquiry_ref=beneficiary.inquiry_id)
    assert shown.role == "beneficiary" and shown.sections == ["claims", "coverage", "policy"]
    assert shown.channel == "phone" and shown.staff == personas["sam"]


@pytest.mark.parametrize(
    ("who", "stated", "later", "code"),
    [
        ("mona", {}, 0, "inquiry.not_found"),  # another member of staff
        ("sam", {"name": "王芬"}, 0, "inquiry.not_verified"),
        ("sam", {}, 31, "inquiry.expired"),
    ],
)
def test_answer_refused(book: Book, personas, who, stated, later, code) -> None:
    result = verify(sam(personas), now=NOW, **stated)
    before = counts()
    with pytest.raises(Refusal) as refused:
        inquiry_answer(
            principal=Staff(personas[who]),
            inquiry_id=result.inquiry_id,
            now=NOW + dt.timedelta(minutes=later),
        )
    assert refused.value.code == code
    assert counts() == before
