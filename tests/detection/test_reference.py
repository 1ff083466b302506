"""The set-based run finds exactly what the pure rules find when every value of the book is
handed to them one by one (a naive reference, on random books): what the database drops
before the rules see it could never have been a clue."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import islice

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY
from veracity.audit.services import Actor
from veracity.cases.models import ProblemItem
from veracity.core.detection import Person, Rule, shared_value_clue, third_party_payer_clue
from veracity.customers.models import BankAccount, Customer, IdentityDocument, Phone
from veracity.demo.generator import DemoConfig, applications, sellers
from veracity.detection.services import FAMILY_EXEMPT, detection_run
from veracity.policies.models import Policy, PolicyRole
from veracity.policies.services import applications_store
from veracity.sales.services import sellers_import

ACTOR = Actor.system("test")
DAY = date(2026, 11, 24)


def naive() -> set[tuple[str, str, frozenset[int]]]:
    policies: dict[int, set[int]] = defaultdict(set)
    for cid, pid in PolicyRole.objects.exclude(customer=None).values_list(
        "customer_id", "policy_id"
    ):
        policies[cid].add(pid)
    persons = {
        c.pk: Person(
            c.pk,
            f"{c.name.strip()}|{c.birth_date}" if c.name.strip() else f"#{c.pk}",
            frozenset(policies[c.pk]),
        )
        for c in Customer.objects.all()
    }
    found = set()
    for rule, model in ((Rule.SHARED_PHONE, Phone), (Rule.SHARED_ACCOUNT, BankAccount)):
        groups: dict[str, list[Person]] = defaultdict(list)
        for key, cid in model.objects.values_list("number_bidx", "customer_id"):
            groups[key].append(persons[cid])
        for key, members in groups.items():
            clue = shared_value_clue(rule, key, members, family_exempt=FAMILY_EXEMPT)
            if clue:
                found.add((rule.value, key, frozenset(clue.customers)))
    docs: dict[int, set[str]] = defaultdict(set)
    for cid, bidx in IdentityDocument.objects.values_list("customer_id", "number_bidx"):
        docs[cid].add(bidx)
    for policy in Policy.objects.exclude(payer_account=None).select_related("payer_account"):
        role = PolicyRole.objects.get(policy=policy, role="policyholder")
        holder = policy.payer_account.holder_id_bidx
        clue = third_party_payer_clue(
            policy.pk,
            Person(role.customer_id, "doc"),
            holder_identity=None
            if holder is None
            else ("doc" if holder in docs[role.customer_id] else holder),
            holder_name=policy.payer_account.holder_name,
            policyholder_name=role.customer.name,
            exception_approved=False,
        )
        if clue:
            found.add((clue.rule.value, clue.key, frozenset(clue.customers)))
    return found


def stored(rules: set[str]) -> set[tuple[str, str, frozenset[int]]]:
    return {
        (item.rule, item.key, frozenset(item.members.values_list("customer_id", flat=True)))
        for item in ProblemItem.objects.filter(status="open", rule__in=rules)
    }


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=1, max_value=10_000))
def test_full_run_equals_the_rules_applied_to_every_value(seed: int) -> None:
    cfg = DemoConfig(customers=150, seed=seed, shared_phone_groups=4, shared_account_groups=3)
    with transaction.atomic():
        sellers_import(enumerate(sellers(cfg), start=1), actor=ACTOR)
        applications_store(
            list(islice(applications(cfg), 110)), source="t", actor=ACTOR, as_of=TODAY
        )
        detection_run(business_date=DAY, full=True, actor=ACTOR)
        expected = naive()
        got = stored({"SHARED_PHONE", "SHARED_ACCOUNT", "THIRD_PARTY_PAYER"})
        transaction.set_rollback(True)
    assert got == expected
    assert {r for r, _k, _c in expected} >= {"SHARED_PHONE", "THIRD_PARTY_PAYER"}
