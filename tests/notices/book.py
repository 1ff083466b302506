"""A small book for the notice tests: policy P1 of 王芳 (mobile and e-mail on file) insuring
her son 李小明 (his own mobile), and the helper that records events as the recording service
does (the rows, then ``announce`` in the same transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import TODAY
from veracity.audit.services import Actor
from veracity.org.principals import system
from veracity.policies.events import announce
from veracity.policies.models import Policy, PolicyEvent, PolicyRole
from veracity.policies.services import applications_store

ACTOR = Actor(label="test")
CORE = system("api:core-system")


def store_policy(make_application: Any, no: str, policy_no: str, **changes: Any) -> Policy:
    app = make_application(no, **changes)
    [result] = applications_store([app], source="test", actor=ACTOR, as_of=TODAY)
    policy = result.policy
    assert policy is not None
    Policy.objects.filter(pk=policy.pk).update(policy_no=policy_no)
    policy.refresh_from_db()
    return policy


@pytest.fixture
def policy(db, make_application) -> Policy:
    return store_policy(
        make_application,
        "A1",
        "P2026000001",
        policyholder__email="wangfang@example.com",
        insured__phones=["139 0013 9000"],
    )


@pytest.fixture
def holder(policy: Policy) -> int:
    return PolicyRole.objects.get(policy=policy, role="policyholder").customer_id


@pytest.fixture
def insured(policy: Policy) -> int:
    return PolicyRole.objects.get(policy=policy, role="insured").customer_id


_seq = {"n": 0}


@pytest.fixture
def record():
    """``record(policy, kind, data, occurred_on=…)`` → the new PolicyEvent, announced."""

    def make(
        policy: Policy,
        kind: str,
        data: dict[str, Any] | None = None,
        *,
        occurred_on: date = TODAY,
        event_id: str | None = None,
    ) -> PolicyEvent:
        _seq["n"] += 1
        with transaction.atomic():
            event = PolicyEvent.objects.create(
                event_id=event_id or f"E-T-{_seq['n']:06d}",
                policy=policy,
                kind=kind,
                occurred_on=occurred_on,
                data=data or {},
                claim_no=str((data or {}).get("claim_no", "")),
                source="test",
            )
            announce([event], CORE)
        return event

    return make
