"""The penalty rules, table-driven (no Django): reasons and measures per kind of seller, the
amount of a deduction, the step plan and the import key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from veracity.core.assessment import per_100, period_parse
from veracity.core.penalties import (
    PenaltyFacts,
    amount_parse,
    import_key,
    penalty_plan,
    penalty_refusal,
)
from veracity.core.refusals import Refusal

D = Decimal


@pytest.mark.parametrize(
    ("agency", "reason", "measure", "amount", "refused"),
    [
        (False, "false_data", "warning", None, None),
        (False, "false_data", "commission_deduction", D("500"), None),
        (False, "incomplete_data", "demotion", None, None),
        (False, "substituted_contact", "contract_termination", None, None),
        (False, "misselling", "warning", None, None),
        (False, "other", "warning", None, None),
        (True, "refused_true_data", "cooperation_suspension", None, None),
        (True, "false_data", "cooperation_termination", None, None),
        (True, "false_data", "commission_deduction", D("0.01"), None),
        # an agency's offence on an agent
        (False, "refused_true_data", "warning", None, "penalty.agency_reason"),
        (False, "nonsense", "warning", None, "penalty.reason"),
        (False, "false_data", "nonsense", None, "penalty.measure"),
        # an agency's measure on an agent, an agent's on an agency
        (False, "false_data", "cooperation_suspension", None, "penalty.measure_kind"),
        (True, "false_data", "demotion", None, "penalty.measure_kind"),
        (True, "false_data", "contract_termination", None, "penalty.measure_kind"),
        # a deduction names its amount, nothing else has one
        (False, "false_data", "commission_deduction", None, "penalty.amount_required"),
        (False, "false_data", "commission_deduction", D("0"), "penalty.amount_required"),
        (False, "false_data", "commission_deduction", D("-5"), "penalty.amount_required"),
        (False, "false_data", "warning", D("100"), "penalty.amount_not_allowed"),
    ],
)
def test_penalty_rules(agency, reason, measure, amount, refused):
    refusal = penalty_refusal(PenaltyFacts(agency, reason, measure, amount))
    assert (refusal.code if refusal else None) == refused


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (500, D("500")), ("12.50", D("12.50")), (1.5, D("1.5"))],
)
def test_amounts(value, expected):
    assert amount_parse(value) == expected


@pytest.mark.parametrize("value", ["abc", "1.234", "NaN", "Infinity", True, [1], "1e20"])
def test_bad_amounts(value):
    with pytest.raises(Refusal) as refused:
        amount_parse(value)
    assert refused.value.code == "penalty.amount_invalid"


@pytest.mark.parametrize(
    ("measure", "steps"),
    [
        ("warning", ["department_head"]),
        ("commission_deduction", ["department_head"]),
        ("demotion", ["department_head"]),
        ("cooperation_suspension", ["department_head"]),
        ("contract_termination", ["department_head", "general_manager"]),
        ("cooperation_termination", ["department_head", "general_manager"]),
    ],
)
def test_plans(measure, steps):
    plan = penalty_plan(measure)
    assert [s.name for s in plan.steps] == steps
    assert all(len(stage) == 1 for stage in plan.stages)  # in order


def test_import_key_is_the_same_for_the_same_penalty():
    one = import_key("AG1", date(2026, 10, 15), "false_data", "warning")
    assert one == import_key("AG1", date(2026, 10, 15), "false_data", "warning")
    assert one != import_key("AG1", date(2026, 10, 16), "false_data", "warning")
    assert one != import_key("AG2", date(2026, 10, 15), "false_data", "warning")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 11, 1)),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("2026Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026q1", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_periods(text, start, end):
    period = period_parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["", "2026-13", "2026Q5", "26", "1999", "2026-1", "x"])
def test_bad_periods(text):
    with pytest.raises(Refusal) as refused:
        period_parse(text)
    assert refused.value.code == "assessment.period"


def test_per_100():
    assert per_100(1, 3) == D("33.3")
    assert per_100(2, 3) == D("66.7")
    assert per_100(0, 5) == D("0.0")
    assert per_100(1, 0) is None
