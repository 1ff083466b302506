"""The demo's team leader and its walk of problem items through the stages."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cases.test_listing import ACTOR, _apply, _person
from tests.sales.factories import qualify_all
from veracity.cases.models import CaseStep, ProblemItem
from veracity.demo.accounts import DEMO_LEADER_CODE, demo_team_ensure
from veracity.demo.cases import demo_cases_walk
from veracity.detection.services import detection_run
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db


def test_terry_leads_every_agent(personas):
    agents = [
        Seller.objects.create(code=f"AG{i}", kind=SellerKind.AGENT, name=f"代理人{i}")
        for i in range(3)
    ]
    Seller.objects.create(code="BS1", kind=SellerKind.BANCA_SPECIALIST, name="银保专员")
    demo_team_ensure()
    demo_team_ensure()  # again: nothing changes
    leader = Seller.objects.get(code=DEMO_LEADER_CODE)
    assert leader.user == personas["terry"]
    assert all(Seller.objects.get(pk=a.pk).leader == leader for a in agents)
    assert Seller.objects.get(code="BS1").leader is None
    assert leader.leader is None


def test_walk_takes_items_through_the_stages_once(personas):
    for i in range(4):
        Seller.objects.create(code=f"AG{i}", kind=SellerKind.AGENT, name=f"代理人{i}")
    qualify_all()
    for i in range(4):  # four shared phones, each between two customers of agent AG{i}
        phone = f"1380013{i:04d}"
        _apply(f"D{i}a", _person(f"甲{i}", "1980-01-01", phone), seller=f"AG{i}")
        _apply(f"D{i}b", _person(f"乙{i}", "1981-01-01", phone), seller=f"AG{i}")
    detection_run(business_date=date(2026, 11, 25), full=True, actor=ACTOR)
    demo_team_ensure()
    done = demo_cases_walk(today=date(2026, 11, 26))
    assert list(done) == [
        "distributed",
        "distributed (overdue)",
        "investigating",
        "investigating (overdue)",
    ]
    stages = sorted(ProblemItem.objects.values_list("stage", flat=True))
    assert stages == ["distributed", "distributed", "investigating", "investigating"]
    steps = CaseStep.objects.count()
    assert CaseStep.objects.filter(action="overdue").count() == 2
    assert demo_cases_walk(today=date(2026, 11, 26)) == {}
    assert CaseStep.objects.count() == steps
