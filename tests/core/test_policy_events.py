"""The policy-event schema (issue 14): each kind's data, and every bad field named."""

from __future__ import annotations

import pytest

from veracity.core.policy_events import DATA, EventKind, parse_policy_event
from veracity.core.schema import Rejected


def event(kind: str, data: dict, **extra: object) -> dict:
    return {
        "event_id": "E2026-000001",
        "policy_no": "P2026110001",
        "kind": kind,
        "occurred_on": "2026-11-20",
        "data": data,
        **extra,
    }


GOOD = [
    event(
        "policy_effective",
        {"effective_on": "2026-11-21", "sum_assured": 500000, "riders": [{"code": "R1"}]},
        application_no="A2026110001",
    ),
    event("premium_due", {"due_on": "2026-12-20", "amount": 1200, "period": 2}),
    event("premium_received", {"amount": 1200.5}),
    event("claim_reported", {"claim_no": "C1"}),
    event("claim_reviewed", {"claim_no": "C1", "result": "more_documents", "reason": "缺病历"}),
    event("benefit_paid", {"claim_no": "C1", "amount": 3000}),
    event("benefit_paid", {"benefit": "生存金", "amount": 3000}),
    event("policy_changed", {"change": "beneficiary", "major": True}),
    event("policy_lapsed", {}),
    event("policy_terminated", {"reason": "退保"}),
]


def test_every_kind_has_a_data_schema() -> None:
    assert set(DATA) == set(EventKind)


@pytest.mark.parametrize("raw", GOOD, ids=lambda r: r["kind"])
def test_good_events_parse(raw: dict) -> None:
    record = parse_policy_event(raw)
    assert record["kind"] == raw["kind"]
    assert set(record["data"]) == set(raw["data"])


BAD = [
    (event("premium_due", {"amount": 1}), "data.due_on"),
    (event("premium_due", {"due_on": "2026-02-30", "amount": 1}), "data.due_on"),
    (event("premium_due", {"due_on": "2026-12-20", "amount": -1}), "data.amount"),
    (event("premium_due", {"due_on": "2026-12-20", "amount": "100"}), "data.amount"),
    (event("premium_received", {"amount": 1, "colour": "red"}), "data.colour"),
    (event("claim_reviewed", {"claim_no": "C1", "result": "maybe"}), "data.result"),
    (event("benefit_paid", {"amount": 1}), "data.claim_no"),
    (event("policy_changed", {"change": "hair"}), "data.change"),
    (event("policy_effective", {"effective_on": "2026-11-21"}), "application_no"),
    (event("premium_received", {"amount": 1}, application_no="A1"), "application_no"),
    ({**event("policy_lapsed", {}), "occurred_on": "20261120"}, "occurred_on"),
    ({**event("policy_lapsed", {}), "event_id": "=HYPERLINK(1)"}, "event_id"),
    ({**event("policy_lapsed", {}), "kind": "party"}, "kind"),
]


@pytest.mark.parametrize(("raw", "field"), BAD, ids=lambda v: v if isinstance(v, str) else "")
def test_bad_events_name_the_field(raw: dict, field: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_policy_event(raw)
    assert field in [p.field for p in caught.value.problems]


def test_not_an_object() -> None:
    with pytest.raises(Rejected):
        parse_policy_event(["E1"])
