"""The demo's policy service events: each in-force application becomes a policy with its
coverage, and the book tells every story the screens show (overdue premium, a claim from
report to payment, a major beneficiary change, a lapse), through the recording service."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from veracity.core.policy_events import parse_policy_event
from veracity.demo.generator import DemoConfig, DemoPolicy, policy_events
from veracity.policies.models import Policy, PolicyEvent, PolicyStatus
from veracity.policies.service_facts import policy_service_facts

CFG = DemoConfig(customers=100)
POLICIES = [
    DemoPolicy(f"A2026{i:08d}", "WL-20" if i % 4 else "ACC-1", date(2026, 6, 1)) for i in range(120)
]


def test_the_events_fit_the_schema_and_are_deterministic():
    events = list(policy_events(CFG, POLICIES))
    assert events == list(policy_events(CFG, POLICIES))
    for raw in events:
        parse_policy_event(raw)
    assert len({e["event_id"] for e in events}) == len(events)
    kinds = {e["kind"] for e in events}
    assert {
        "policy_effective",
        "premium_due",
        "premium_received",
        "claim_reported",
        "claim_reviewed",
        "benefit_paid",
        "policy_changed",
        "policy_lapsed",
    } <= kinds
    assert all(e["occurred_on"] <= CFG.as_of.isoformat() for e in events)


@pytest.mark.django_db
def test_demo_data_loads_the_events():
    out = StringIO()
    call_command("demo_data", customers=120, stdout=out, stderr=StringIO())
    summary = json.loads(out.getvalue())
    assert summary["policy_events"]["rejected"] == 0, summary
    assert summary["policy_events"]["created"] == PolicyEvent.objects.count() > 0
    waiting = Policy.objects.filter(policy_no__isnull=True).exclude(status=PolicyStatus.BLOCKED)
    assert not waiting.exists()
    assert Policy.objects.filter(status=PolicyStatus.IN_FORCE, coverage__isnull=False).exists()
    assert Policy.objects.filter(status=PolicyStatus.LAPSED).exists()
    statuses = set()
    for policy in Policy.objects.exclude(policy_no__isnull=True):
        facts = policy_service_facts(policy, role="policyholder", as_of=date(2026, 11, 26))
        statuses.add(facts.premium_status)
        if facts.claims:
            claim = facts.claims[0]
            assert [r[1] for r in claim.reviews] == ["more_documents", "approved"]
            assert claim.payments
    assert {"paid", "overdue", "due"} <= statuses
    assert PolicyEvent.objects.filter(kind="policy_changed", data__change="beneficiary").exists()
