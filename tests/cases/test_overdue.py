"""PW-6: the daily notice of investigations past their deadline."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

import pytest

from veracity.cases.models import CaseStep, ProblemItem, ProblemItemMember
from veracity.cases.services import problem_items_overdue_notify
from veracity.notify.models import Notification
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 12)
_keys = count(1)


def _item(stage: str, *, due: date | None, policy: str, **fields: Any) -> ProblemItem:
    """An item at ``stage`` (written directly: the stage's history does not matter here)
    whose one member holds ``policy`` (L1: agency, AG1 of terry's team; L2: BK7)."""
    held = Policy.objects.get(application_no=policy)
    customer_id = held.roles.values_list("customer_id", flat=True).first()
    item = ProblemItem.objects.create(
        rule="MANUAL",
        key=f"overdue-{next(_keys)}",
        severity="medium",
        reason_zh="测试",
        reason_en="test",
        first_seen_on=date(2026, 9, 29),
        last_seen_on=date(2026, 9, 29),
        stage=stage,
        due_on=due,
        distributed_on=date(2026, 9, 30) if due else None,
        **fields,
    )
    ProblemItemMember.objects.create(
        item=item, customer_id=customer_id, policy=held, added_on=date(2026, 9, 29)
    )
    return item


@pytest.fixture
def book(item, staff) -> dict[str, ProblemItem]:
    """Three overdue items, and others the notice must leave alone."""
    past, today = date(2026, 10, 9), TODAY
    ProblemItem.objects.filter(pk=item.pk).update(stage="closed", status="closed")
    return {
        # claimed by carol, an AG1 policy: carol, terry, compliance
        "claimed": _item(
            "investigating",
            due=past,
            policy="L1",
            assignee=staff["carol"],
            assigned_channel="agency",
        ),
        # sent to agency, not yet claimed: the agency back-office (carol, henry), compliance
        "unclaimed": _item("distributed", due=past, policy="L2", assigned_channel="agency"),
        # returned to sam, who investigates it himself; an AG1 policy: sam, terry, compliance
        "returned": _item("returned", due=date(2026, 10, 8), policy="L1", assignee=staff["sam"]),
        # not overdue
        "due_today": _item(
            "investigating",
            due=today,
            policy="L1",
            assignee=staff["carol"],
            assigned_channel="agency",
        ),
        "new": _item("new", due=None, policy="L1"),
        "submitted": _item("submitted", due=past, policy="L1", assignee=staff["carol"]),
        "verified": _item("verified", due=past, policy="L1", assignee=staff["carol"]),
        "closed": _item("closed", due=past, policy="L1", assignee=staff["carol"], status="closed"),
    }


def _notices() -> dict[str, list[Notification]]:
    out: dict[str, list[Notification]] = {}
    for note in Notification.objects.filter(kind="problem_item_overdue").select_related(
        "recipient"
    ):
        out.setdefault(note.recipient.username, []).append(note)
    return out


def _listed(note: Notification) -> set[int]:
    return {int(part.strip("#")) for part in note.params["items"]}


def test_each_responsible_user_gets_one_notice_of_their_items(book):
    assert problem_items_overdue_notify(as_of=TODAY) == 3
    notices = _notices()
    ids = {name: item.pk for name, item in book.items()}
    want = {
        "carol": {ids["claimed"], ids["unclaimed"]},
        "henry": {ids["unclaimed"]},
        "sam": {ids["returned"]},
        "terry": {ids["claimed"], ids["returned"]},
        "dave": {ids["claimed"], ids["unclaimed"], ids["returned"]},
    }
    assert set(notices) == set(want)
    for username, items in want.items():
        [note] = notices[username]
        assert _listed(note) == items, username
        assert note.title.startswith(f"{len(items)}件")
        assert note.link == "/problems/overdue/"


def test_one_step_per_overdue_item_per_day(book):
    problem_items_overdue_notify(as_of=TODAY)
    overdue = {book["claimed"].pk, book["unclaimed"].pk, book["returned"].pk}
    steps = CaseStep.objects.filter(action="overdue")
    assert sorted(steps.values_list("item_id", flat=True)) == sorted(overdue)
    assert all(s.actor is None and s.detail["due_on"] for s in steps)


def test_a_second_call_the_same_day_changes_nothing(book):
    problem_items_overdue_notify(as_of=TODAY)
    before = (CaseStep.objects.count(), Notification.objects.count())
    assert problem_items_overdue_notify(as_of=TODAY) == 3
    assert (CaseStep.objects.count(), Notification.objects.count()) == before


def test_the_next_day_notices_again(book):
    problem_items_overdue_notify(as_of=TODAY)
    problem_items_overdue_notify(as_of=date(2026, 10, 13))
    steps = CaseStep.objects.filter(action="overdue", item=book["claimed"])
    assert steps.count() == 2
    assert len(_notices()["dave"]) == 2
    # due on the 12th: overdue from the 13th
    assert CaseStep.objects.filter(action="overdue", item=book["due_today"]).count() == 1


def test_inactive_users_are_not_told(book, staff):
    staff["henry"].is_active = False
    staff["henry"].save()
    problem_items_overdue_notify(as_of=TODAY)
    assert "henry" not in _notices()


def test_when_the_investigator_has_left_the_channel_is_told(book, staff):
    staff["carol"].is_active = False
    staff["carol"].save()
    problem_items_overdue_notify(as_of=TODAY)
    notices = _notices()
    assert "carol" not in notices
    [note] = notices["henry"]
    assert _listed(note) == {book["claimed"].pk, book["unclaimed"].pk}


def test_nothing_overdue_nothing_sent(item, staff):
    assert problem_items_overdue_notify(as_of=TODAY) == 0
    assert not Notification.objects.exists()
    assert not CaseStep.objects.filter(action="overdue").exists()
