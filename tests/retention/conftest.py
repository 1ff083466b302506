"""A small book for retention: customers stored through the normal application service, their
policies ended long ago (or not), and the default retention rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import TODAY
from tests.web.factories import other_application
from veracity.audit.services import Actor
from veracity.customers.models import Customer
from veracity.policies.models import Policy, PolicyStatus
from veracity.policies.services import applications_store
from veracity.retention.models import RecordClass, RetentionRule

AS_OF = TODAY
LONG_AGO = timezone.now() - timedelta(days=11 * 366)  # more than 10 years before AS_OF
DEFAULT_YEARS = {
    RecordClass.CUSTOMER_POLICIES_ENDED: 10,
    RecordClass.CUSTOMER_NO_POLICY: 5,
    RecordClass.PROBLEM_ITEM_CLOSED: 5,
}


def store(*apps: dict[str, Any]) -> list[Policy]:
    results = applications_store(list(apps), source="test", actor=Actor.system("t"), as_of=TODAY)
    return [r.policy for r in results]  # type: ignore[misc]


def end(policy: Policy, *, when: Any = None, status: str = PolicyStatus.TERMINATED) -> None:
    """The policy ended (its last change) at ``when``; no history row, like a batch update."""
    Policy.objects.filter(pk=policy.pk).update(status=status, updated_at=when or LONG_AGO)


@pytest.fixture
def rules(db) -> dict[str, RetentionRule]:
    """The seeded rules (a transactional test elsewhere may have emptied the table)."""
    out = {}
    for record_class, years in DEFAULT_YEARS.items():
        out[record_class], _ = RetentionRule.objects.get_or_create(
            record_class=record_class, defaults={"years": years, "basis": "test"}
        )
    return out


@dataclass
class Book:
    ended: Policy  # 王芳 insures her son 李小明; terminated 11 years ago
    live: Policy  # 张伟, in force
    wang: Customer
    son: Customer
    zhang: Customer
    application: dict[str, Any]


@pytest.fixture
def book(rules, make_application) -> Book:
    app = make_application("A1", policyholder__email="wang.fang@example.com")
    ended, live = store(app, other_application("A2"))
    end(ended)
    Policy.objects.filter(pk=live.pk).update(status=PolicyStatus.IN_FORCE)
    roles = {r.role: r.customer for r in ended.roles.all()}
    return Book(
        ended=ended,
        live=live,
        wang=roles["policyholder"],
        son=roles["insured"],
        zhang=live.roles.get(role="policyholder").customer,
        application=app,
    )
