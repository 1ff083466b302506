"""What a verified role may be told of a policy: sections per role (a beneficiary sees no
premiums and no payer account), premiums matched to receipts by policy year then oldest
first, the premium status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import TODAY
from tests.policies.test_event_services import CORE, effective, event
from veracity.audit.services import Actor
from veracity.policies.event_services import policy_events_record
from veracity.policies.service_facts import (
    PremiumLine,
    policy_service_facts,
    premium_status,
)
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 12, 15)


def due(event_id: str, due_on: str, period: int | None = None, amount: float = 100) -> dict:
    data = {"due_on": due_on, "amount": amount, **({"period": period} if period else {})}
    return {**event(event_id, "premium_due", **data), "occurred_on": due_on}


def received(event_id: str, on: str, period: int | None = None, amount: float = 100) -> dict:
    data = {"amount": amount, **({"period": period} if period else {})}
    return {**event(event_id, "premium_received", **data), "occurred_on": on}


@pytest.fixture
def policy(make_application):
    [result] = applications_store(
        [make_application("A1")], source="test", actor=Actor.system("test"), as_of=TODAY
    )
    return result.policy


def record(*raws) -> None:
    result = policy_events_record(
        principal=CORE, records=list(enumerate(raws, start=1)), source="test"
    )
    assert not result.rejected, result.rejected


@pytest.fixture
def history(policy):
    record(
        effective(),
        due("E2", "2026-01-10", period=1),
        received("E3", "2026-01-05", period=1),
        event("E4", "claim_reported", claim_no="C1"),
        event("E5", "benefit_paid", claim_no="C1", amount=50),
        event("E6", "policy_changed", change="account", note="新账户"),
    )
    policy.refresh_from_db()
    return policy


@pytest.mark.parametrize(
    ("role", "sees_premiums", "sees_changes", "sees_payer"),
    [
        ("policyholder", True, True, True),
        ("insured", True, True, True),
        ("beneficiary", False, False, False),
    ],
)
def test_sections_per_role(history, role, sees_premiums, sees_changes, sees_payer):
    facts = policy_service_facts(history, role=role, as_of=AS_OF)
    assert facts.policy_no == "P1"
    assert facts.sum_assured == Decimal("500000.00")
    assert facts.coverage["coverage_period"] == "终身"
    assert [c.claim_no for c in facts.claims] == ["C1"]
    assert facts.claims[0].payments == [(date(2026, 12, 1), Decimal("50.00"))]
    assert bool(facts.premiums) is sees_premiums
    assert (facts.premium_status == "paid") is sees_premiums
    assert bool(facts.changes) is sees_changes
    assert bool(facts.payer_account) is sees_payer
    if sees_payer:
        assert "1234567" not in facts.payer_account  # masked
        assert facts.payer_account.endswith("4567")


def test_an_unknown_role_is_told_nothing(history):
    facts = policy_service_facts(history, role="friend", as_of=AS_OF)
    assert not facts.sections and not facts.claims and facts.sum_assured is None


def test_premiums_are_matched_by_period_then_oldest_first(policy):
    record(
        effective(),
        due("D1", "2026-01-10", period=1),
        due("D2", "2026-02-10", period=2),
        due("D3", "2026-03-10"),
        received("R2", "2026-02-08", period=2),  # by its year
        received("R-any", "2026-03-01"),  # no year: the oldest open one (year 1)
    )
    facts = policy_service_facts(policy, role="policyholder", as_of=AS_OF)
    assert [(p.period, p.received_on) for p in facts.premiums] == [
        (1, date(2026, 3, 1)),
        (2, date(2026, 2, 8)),
        (None, None),
    ]
    assert facts.premium_status == "overdue"


def line(due_on: str, received_on: str | None = None) -> PremiumLine:
    return PremiumLine(
        due_on=date.fromisoformat(due_on),
        amount=Decimal(100),
        period=None,
        received_on=date.fromisoformat(received_on) if received_on else None,
    )


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([], ""),
        ([line("2026-12-01", "2026-11-30")], "paid"),
        ([line("2026-12-20")], "due"),
        ([line("2026-12-15")], "due"),  # due today is not yet overdue
        ([line("2026-12-14")], "overdue"),
        ([line("2026-11-01", "2026-11-01"), line("2026-12-20")], "due"),
        ([line("2026-10-01"), line("2026-12-20")], "overdue"),
    ],
)
def test_premium_status(lines, status):
    assert premium_status(lines, as_of=AS_OF) == status


def test_a_lapse_is_the_end_of_the_policy(history):
    record({**event("E9", "policy_lapsed"), "occurred_on": "2026-12-05"})
    history.refresh_from_db()
    facts = policy_service_facts(history, role="beneficiary", as_of=AS_OF)
    assert facts.ended_on == date(2026, 12, 5) and facts.status == "lapsed"
