"""The complaint schema and the separation rule of 查实 (D1.14), without Django."""

from __future__ import annotations

from datetime import date

import pytest

from veracity.core.complaints import (
    ComplaintParties,
    Conflict,
    parse_complaint,
    verifier_conflict,
)
from veracity.core.schema import Rejected

PARTIES = ComplaintParties.of(seller_user=1, leader_user=2, agency_users=[3, 4, None])


@pytest.mark.parametrize(
    ("person", "conflict"),
    [
        pytest.param(1, Conflict.SELF, id="the seller complained about"),
        pytest.param(2, Conflict.TEAM_LEADER, id="their team leader"),
        pytest.param(3, Conflict.AGENCY_STAFF, id="the agency's staff"),
        pytest.param(4, Conflict.AGENCY_STAFF, id="the agency itself"),
        pytest.param(5, None, id="customer service"),
        pytest.param(None, None, id="a system without a person"),
    ],
)
def test_verifier_conflict(person, conflict):
    assert verifier_conflict(person, PARTIES) is conflict


def test_sellers_without_users_conflict_with_nobody():
    assert verifier_conflict(1, ComplaintParties()) is None


RECORD = {
    "complaint_no": "TS2026-0001",
    "received_on": "2026-05-10",
    "policy_no": None,
    "seller_code": "AG00017",
    "agency_code": None,
    "category": "misselling",
    "summary": "  夸大收益 ",
    "verified": True,
    "verified_on": "2026-05-20",
}


def test_parse_complaint():
    record = parse_complaint(RECORD)
    assert record["received_on"] == date(2026, 5, 10)
    assert record["verified_on"] == date(2026, 5, 20)
    assert record["summary"] == "夸大收益"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"verified_on": None}, "verified_on"),  # verified needs its date
        ({"verified": None}, "verified"),  # a date needs a decision
        ({"verified_on": "2026-05-01"}, "verified_on"),  # before received
        ({"category": "rudeness"}, "category"),
        ({"received_on": "10/05/2026"}, "received_on"),
        ({"seller_code": "AG 17"}, "seller_code"),
        ({"complaint_no": "../x"}, "complaint_no"),
        ({"verified": "yes"}, "verified"),
        ({"extra": 1}, "extra"),
    ],
)
def test_parse_complaint_rejects(change, field):
    with pytest.raises(Rejected) as caught:
        parse_complaint({**RECORD, **change})
    assert caught.value.field == field
