"""The pure detection rules: who is a clue and why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from veracity.core.detection import (
    Person,
    Rule,
    SellerRef,
    agent_contact_clue,
    misselling_window,
    repeat_misselling_clue,
    shared_value_clue,
    third_party_payer_clue,
)


def p(cid: int, identity: str | None = None, policies: tuple[int, ...] = ()) -> Person:
    return Person(
        customer_id=cid, identity=identity or f"person{cid}", policies=frozenset(policies)
    )


@pytest.mark.parametrize(
    ("people", "exempt", "expected"),
    [
        ([p(1)], True, None),  # one customer alone
        ([p(1, "same"), p(2, "same")], True, None),  # two records of one person
        ([p(1, policies=(10,)), p(2, policies=(10,))], True, None),  # mother and child
        ([p(1, policies=(10,)), p(2, policies=(10,))], False, (1, 2)),  # exemption off
        ([p(1, policies=(10,)), p(2, policies=(10,)), p(3, policies=(11,))], True, (1, 2, 3)),
        ([p(1, policies=(10, 11)), p(2, policies=(10,)), p(3, policies=(10, 12))], True, None),
        ([p(1), p(2)], True, (1, 2)),  # two strangers
    ],
)
def test_shared_value(people, exempt, expected):
    clue = shared_value_clue(
        Rule.SHARED_PHONE, "k", people, family_exempt=exempt, masked_value="138****8000"
    )
    assert (clue.customers if clue else None) == expected
    if clue:
        assert clue.rule == Rule.SHARED_PHONE and clue.key == "k"
        assert "138****8000" in clue.reason_zh and "138****8000" in clue.reason_en


def test_shared_value_severity_grows_with_persons():
    two = shared_value_clue(Rule.SHARED_ACCOUNT, "k", [p(1), p(2)])
    three = shared_value_clue(Rule.SHARED_ACCOUNT, "k", [p(1), p(2), p(3)])
    assert two.severity == "medium" and three.severity == "high"
    assert "银行账户" in two.reason_zh


AGENCY_REF = SellerRef(seller_id=9, code="AY9", kind="agency")
AGENT = SellerRef(seller_id=7, code="AG7", kind="agent")


@pytest.mark.parametrize(
    ("sold_by", "members", "severity", "own"),
    [
        ({1: frozenset({7})}, [p(1)], "high", True),  # the customer's own agent
        ({1: frozenset({8})}, [p(1)], "medium", False),  # another agent's phone
        ({}, [p(1), p(2), p(3)], "high", False),  # on three customers
    ],
)
def test_agent_contact(sold_by, members, severity, own):
    clue = agent_contact_clue("k", "phone", members, [AGENT], sold_by=sold_by)
    assert clue is not None and clue.severity == severity
    assert clue.evidence["own_seller"] is own and "AG7" in clue.reason_en


def test_agent_contact_needs_a_seller_and_a_customer():
    assert agent_contact_clue("k", "phone", [p(1)], [], sold_by={}) is None
    assert agent_contact_clue("k", "address", [], [AGENT], sold_by={}) is None


@pytest.mark.parametrize(
    ("holder_identity", "holder_name", "exception", "flagged"),
    [
        ("holder", "王芳", False, False),  # the policyholder's own account
        ("someone", "王芳", False, True),  # same name, another person's document
        ("someone", "李四", True, False),  # approved exception
        (None, "李四", False, True),  # no document: compared by name
        (None, " 王芳 ", False, False),
        (None, "", False, False),  # holder unknown: nothing to compare
    ],
)
def test_third_party_payer(holder_identity, holder_name, exception, flagged):
    clue = third_party_payer_clue(
        5,
        p(1, "holder"),
        holder_identity=holder_identity,
        holder_name=holder_name,
        policyholder_name="王芳",
        exception_approved=exception,
    )
    assert (clue is not None) is flagged


D = date(2026, 1, 10)


def _days(*offsets: int) -> list[date]:
    return [D + timedelta(days=o) for o in offsets]


@pytest.mark.parametrize(
    ("seller", "dates", "flagged"),
    [
        pytest.param(AGENT, _days(0), False, id="one verified complaint"),
        pytest.param(AGENT, _days(0, 364), True, id="364 days apart"),
        pytest.param(AGENT, _days(0, 365), True, id="365 days apart: within 365 days"),
        pytest.param(AGENT, _days(0, 366), False, id="366 days apart"),
        pytest.param(AGENT, _days(0, 0), True, id="same day"),
        # the window runs over the whole history, not the last 12 months before a date
        pytest.param(AGENT, _days(-2000, -1900), True, id="long ago, still a repeat"),
        pytest.param(AGENT, _days(0, 366, 732), False, id="yearly, never two in a window"),
        pytest.param(AGENT, _days(0, 366, 700), True, id="the later two within a window"),
        pytest.param(AGENCY_REF, _days(0, 100), True, id="an agency"),
        pytest.param(AGENCY_REF, _days(0, 400), False, id="an agency, too far apart"),
    ],
)
def test_repeat_misselling_window(seller, dates, flagged):
    clue = repeat_misselling_clue(seller, dates, parties=[(10, 1), (10, 3), (11, 2), (11, 2)])
    assert (clue is not None) is flagged
    if clue:
        assert clue.policies == (10, 11) and clue.customers == (1, 2, 3)
        assert clue.key == str(seller.seller_id)
        assert seller.code in clue.reason_zh


def test_only_verified_dates_are_given_one_verified_one_not():
    """The adapter hands in verified dates only: one verified and one unverified complaint
    is one date, no clue."""
    verified_only = [d for d, verified in zip(_days(0, 10), [True, False], strict=True) if verified]
    assert repeat_misselling_clue(AGENT, verified_only, parties=[(1, 1)]) is None
    assert misselling_window(_days(0, 10)) == tuple(_days(0, 10))
