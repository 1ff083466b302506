"""The home pages' figures about problem items: counted within each reader's reach, the
whole organisation only with ``reports.view``."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from veracity.cases import figures
from veracity.cases.models import Escalation, ProblemItem, ProblemItemMember
from veracity.org.principals import Staff
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db

_keys = count(1)


def _item(stage: str, *, policy: str, due: date | None = None, **fields: Any) -> ProblemItem:
    held = Policy.objects.get(application_no=policy)
    customer_id = held.roles.values_list("customer_id", flat=True).first()
    today = timezone.localdate()
    item = ProblemItem.objects.create(
        rule="MANUAL",
        key=f"figures-{next(_keys)}",
        severity="medium",
        reason_zh="测试",
        reason_en="test",
        first_seen_on=fields.pop("first_seen_on", today),
        last_seen_on=today,
        stage=stage,
        due_on=due,
        **fields,
    )
    ProblemItemMember.objects.create(
        item=item, customer_id=customer_id, policy=held, added_on=today
    )
    return item


def who(staff: dict[str, Any], name: str) -> Staff:
    return Staff(staff[name])


@pytest.mark.parametrize(
    ("username", "new"),
    # the SHARED_PHONE item (new) has an agency member (L1) and a bancassurance one (L2)
    [("sam", 1), ("dave", 1), ("george", 1), ("carol", 1), ("bella", 1), ("dora", 0), ("alice", 0)],
)
def test_items_by_stage_counts_within_reach(item, staff, username, new):
    stages = figures.items_by_stage(principal=who(staff, username))
    assert [s for s, _l, _n in stages][:2] == ["new", "distributed"]
    assert dict((s, n) for s, _l, n in stages)["new"] == new
    assert all(label and label != stage for stage, label, _n in stages)


def test_the_general_manager_counts_only_through_reports_view(item, staff):
    # george has no case pages: without reports.view he would count nothing
    assert figures.items_in_scope(principal=who(staff, "george")).count() == 1
    assert figures.items_in_scope(principal=who(staff, "audrey")).count() == 0


def test_new_clues_per_day_end_today(item, staff):
    today = timezone.localdate()
    _item("new", policy="L1", first_seen_on=today)
    _item("new", policy="L1", first_seen_on=today - timedelta(days=3))
    days = figures.new_clues_by_day(principal=who(staff, "sam"), today=today)
    assert len(days) == 14 and days[-1][0] == today
    assert days[-1][1] >= 1 and days[-4][1] >= 1
    assert figures.new_clues_by_day(principal=who(staff, "alice"), today=today)[-1][1] == 0


def test_my_items_by_deadline(item, staff):
    today = timezone.localdate()
    week_end = today + timedelta(days=6 - today.weekday())
    carol = staff["carol"]
    mine = {"assignee": carol, "assigned_channel": "agency"}
    _item("investigating", policy="L1", due=today - timedelta(days=2), **mine)
    _item("investigating", policy="L1", due=today, **mine)
    _item("returned", policy="L1", due=week_end + timedelta(days=1), **mine)
    _item("distributed", policy="L1", due=today, assigned_channel="agency")
    # someone else's investigation and another channel's item are not carol's
    _item(
        "investigating", policy="L1", due=today, assignee=staff["henry"], assigned_channel="agency"
    )
    _item("distributed", policy="L2", due=today, assigned_channel="bancassurance")
    got = figures.my_items_by_deadline(principal=who(staff, "carol"), today=today)
    assert (got.past, got.today, got.later, got.undated) == (1, 2, 1, 0)
    assert got.total == 4 + got.week
    assert figures.my_items_by_deadline(principal=who(staff, "alice"), today=today).total == 0


def test_quality_by_channel_rates_and_reach(item, staff, team):
    today = timezone.localdate()
    overdue = _item(
        "investigating", policy="L1", due=today - timedelta(days=1), assigned_channel="agency"
    )
    _item(
        "closed",
        policy="L1",
        status="closed",
        outcome="corrected",
        closed_on=today,
        assigned_channel="agency",
    )
    Escalation.objects.create(
        item=overdue,
        seller=team["AG1"],
        reason="误导",
        escalated_by=staff["dave"],
        escalated_at=timezone.now(),
    )
    since = timezone.now() - timedelta(days=30)
    rows = {
        r.channel: r for r in figures.quality_by_channel(principal=who(staff, "dave"), since=since)
    }
    agency = rows["agency"]
    # one agency policy (L1) with two open items: the phone clue and the overdue one
    assert (agency.policies, agency.items, agency.items_per_100) == (1, 2, 200.0)
    assert (agency.overdue, agency.corrections, agency.escalations) == (1, 1, 1)
    assert (rows["bancassurance"].items, rows["bancassurance"].items_per_100) == (1, 100.0)
    assert agency.name and agency.name != "agency"
    # an agent counts nothing; the direct back-office sees neither channel's items
    assert figures.quality_by_channel(principal=who(staff, "alice"), since=since) == []
    dora = figures.quality_by_channel(principal=who(staff, "dora"), since=since)
    assert all(r.items == 0 for r in dora)


def test_quality_by_seller_names_the_agents(item, staff, team):
    since = timezone.now() - timedelta(days=30)
    rows = figures.quality_by_seller(principal=who(staff, "dave"), since=since)
    assert {r.name for r in rows} == {"李爱丽", "白可"}
    assert all(r.items_per_100 == 100.0 for r in rows)
    assert figures.quality_by_seller(principal=who(staff, "alice"), since=since) == []


def test_items_month(item, staff):
    today = timezone.localdate()
    _item("closed", policy="L1", status="closed", closed_on=today, first_seen_on=today)
    got = figures.items_month(
        principal=who(staff, "george"), first=today.replace(day=1), last=today
    )
    # the phone clue was first seen in September: not this month's
    assert (got.opened, got.closed) == (1, 1)
    assert figures.items_month(principal=who(staff, "alice"), first=today, last=today).opened == 0


def test_the_daily_snapshot_serves_the_organisation_wide_counts(item, staff, team):
    since = timezone.now() - timedelta(days=30)
    dave, sam = who(staff, "dave"), who(staff, "sam")
    assert figures.quality_as_of(principal=dave) is None  # counted live until the first run
    taken = timezone.now() - timedelta(hours=3)
    rows = figures.quality_snapshot_take(business_date=timezone.localdate(), now=taken)
    assert rows == 4  # agency, bancassurance; AG1, BK7
    # an item opened after the snapshot shows tomorrow on the organisation's figures
    _item("new", policy="L1")
    assert figures.quality_as_of(principal=dave) == taken
    agency = {r.channel: r for r in figures.quality_by_channel(principal=dave, since=since)}
    assert agency["agency"].items == 1
    assert {r.name: r.items for r in figures.quality_by_seller(principal=dave, since=since)} == {
        "李爱丽": 1,
        "白可": 1,
    }
    # who counts within a reach counts live (and sees no "as of")
    assert figures.quality_as_of(principal=sam) is None
    live = {r.channel: r for r in figures.quality_by_channel(principal=sam, since=since)}
    assert live["agency"].items == 2
    # taken again the same day, the snapshot is replaced, not doubled
    assert figures.quality_snapshot_take(business_date=timezone.localdate()) == 4
    agency = {r.channel: r for r in figures.quality_by_channel(principal=dave, since=since)}
    assert agency["agency"].items == 2
