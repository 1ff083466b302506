"""An incremental run finds exactly what a full run finds on the same data (property test
on random books)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import islice

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY
from veracity.audit.services import Actor
from veracity.cases.models import ProblemItem, ProblemItemMember
from veracity.conduct.models import Complaint, RecheckCallback
from veracity.demo.generator import DemoConfig, applications, sellers
from veracity.detection.models import DetectionRun
from veracity.detection.services import detection_run
from veracity.policies.services import applications_store
from veracity.sales.models import Seller
from veracity.sales.services import sellers_import

ACTOR = Actor.system("test")
DAY1, DAY2 = date(2026, 11, 24), date(2026, 11, 25)


def findings() -> set[tuple[str, str, frozenset[int]]]:
    return {
        (item.rule, item.key, frozenset(item.members.values_list("customer_id", flat=True)))
        for item in ProblemItem.objects.filter(status="open")
    }


def callbacks() -> set[tuple[str, int]]:
    return set(RecheckCallback.objects.values_list("item__key", "policy_id"))


def complain(seed: int, *, late: bool) -> None:
    """Verified misselling complaints against a random few sellers and agencies, some of
    them within 365 days of each other (SD-4); ``late`` ones are recorded after the first
    run."""
    rng = random.Random(seed * 2 + late)
    sellers_ = list(Seller.objects.order_by("pk"))
    for n, seller in enumerate(rng.sample(sellers_, min(4, len(sellers_)))):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
        for k in range(rng.choice([1, 2])):
            against = {"agency": seller} if seller.kind == "agency" else {"seller": seller}
            Complaint.objects.create(
                complaint_no=f"TS{seed}-{int(late)}-{n}-{k}",
                received_on=day,
                category="misselling",
                verified=rng.random() < 0.8,
                verified_on=day + timedelta(days=rng.choice([0, 200, 364, 365, 366])),
                **against,
            )


def store(apps: list[dict]) -> None:
    if apps:
        applications_store(apps, source="test", actor=ACTOR, as_of=TODAY)


@pytest.mark.django_db
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=1, max_value=10_000), split=st.floats(0.2, 0.9))
def test_incremental_equals_full(seed: int, split: float) -> None:
    cfg = DemoConfig(customers=160, seed=seed, shared_phone_groups=4, shared_account_groups=3)
    book = list(islice(applications(cfg), 120))
    cut = int(len(book) * split)
    with transaction.atomic():
        sellers_import(enumerate(sellers(cfg), start=1), actor=ACTOR)
        store(book[:cut])
        complain(seed, late=False)
        detection_run(business_date=DAY1, full=True, actor=ACTOR)
        store(book[cut:])
        complain(seed, late=True)
        detection_run(business_date=DAY2, full=False, actor=ACTOR)
        incremental, incremental_callbacks = findings(), callbacks()
        RecheckCallback.objects.all().delete()
        ProblemItemMember.objects.all().delete()
        ProblemItem.objects.all().delete()
        DetectionRun.objects.all().delete()
        detection_run(business_date=DAY2, full=True, actor=ACTOR)
        full, full_callbacks = findings(), callbacks()
        transaction.set_rollback(True)
    assert incremental == full
    assert incremental_callbacks == full_callbacks
    assert full, "the generated book plants shared phones and accounts"
