"""Compliance actions (SF-6, D1.24): record, follow up, report done, close, overdue notices;
who may, and that a refused attempt changes nothing but the trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from veracity.audit.models import AuditEvent
from veracity.conduct import tasks
from veracity.conduct.action_selectors import ActionFilters, actions_list, visible_to
from veracity.conduct.actions import (
    ComplianceActionError,
    compliance_action_close,
    compliance_action_record,
    compliance_follow_up_add,
    compliance_overdue_notify,
)
from veracity.conduct.models import ComplianceAction, ComplianceFollowUp
from veracity.notify.models import Notification
from veracity.org.models import Department
from veracity.org.principals import Staff
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


@pytest.fixture
def agency(db):
    return Seller.objects.create(code="AGY0001", kind=SellerKind.AGENCY, name="诚信保险代理公司")


def demand(personas, agency, **changes):
    values = {
        "principal": Staff(personas["dave"]),
        "kind": "rectification",
        "text": "提供的客户电话与代理机构电话相同，限期整改",
        "seller_code": agency.code if agency else "",
        "due_on": TODAY + timedelta(days=10),
        "owner_id": personas["henry"].pk,
        "as_of": TODAY,
    }
    values.update(changes)
    return compliance_action_record(**values)


def snapshot():
    return (
        list(ComplianceAction.objects.values_list("pk", "status", "done_on")),
        ComplianceFollowUp.objects.count(),
        Notification.objects.count(),
    )


def refusals():
    return AuditEvent.objects.filter(action="access_refused").count()


# --- recording --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "has_due"),
    [
        ("criticism", "done", False),
        ("rectification", "open", True),
        ("committee_referral", "open", False),
    ],
)
def test_compliance_records_each_kind(personas, agency, kind, status, has_due):
    action = demand(personas, agency, kind=kind)
    assert action.status == status
    assert (action.due_on is not None) is has_due
    assert (action.owner_id is not None) is has_due
    assert action.recorded_by == personas["dave"]
    event = AuditEvent.objects.filter(object_type="compliance_action").last()
    assert event is not None and event.object_id == str(action.pk)


def test_a_demand_against_a_department_tells_its_owner(personas):
    department = Department.objects.get(code="AGY")
    action = demand(personas, None, seller_code="", department_id=department.pk)
    assert action.department == department
    note = Notification.objects.get(recipient=personas["henry"])
    assert note.kind == "rectification_assigned"
    assert note.link == f"/compliance/{action.pk}/"
    assert note.params["target"] == "个人代理渠道部"


def test_the_items_it_arises_from_are_linked(personas, agency):
    from tests.cases.test_listing import make_items

    item = make_items()
    action = demand(personas, agency, item_ids=[item.pk])
    assert list(action.items.all()) == [item]
    with pytest.raises(ComplianceActionError) as caught:
        demand(personas, agency, item_ids=[item.pk, 999_999])
    assert caught.value.field == "items" and "#999999" in caught.value.message_zh


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"kind": "warning"}, "kind", "kind"),
        ({"seller_code": ""}, "target", "seller"),
        ({"department_id": 1}, "target", "department"),  # both a seller and a department
        ({"seller_code": "NOPE"}, "seller", "seller"),
        ({"seller_code": "", "department_id": 999_999}, "department", "department"),
        ({"text": "  "}, "text", "text"),
        ({"text": "长" * 5001}, "too_long", "text"),
        ({"due_on": None}, "due_on", "due_on"),
        ({"due_on": TODAY - timedelta(days=1)}, "due_on", "due_on"),
        ({"owner_id": None}, "owner", "owner"),
        ({"owner_id": 999_999}, "owner", "owner"),
    ],
)
def test_a_wrong_record_is_refused_by_field_and_changes_nothing(
    personas, agency, changes, code, field
):
    before = snapshot()
    with pytest.raises(ComplianceActionError) as caught:
        demand(personas, agency, **changes)
    assert caught.value.code == code
    assert caught.value.field == field
    assert caught.value.message_zh and caught.value.message_en
    assert snapshot() == before


@pytest.mark.parametrize("username", ["mike", "george", "carol", "sam", "admin"])
def test_only_compliance_records_and_a_refusal_changes_nothing(personas, agency, username):
    before, refused = snapshot(), refusals()
    with pytest.raises(ComplianceActionError) as caught:
        demand(personas, agency, principal=Staff(personas[username]))
    assert caught.value.code == "forbidden"
    assert snapshot() == before
    assert refusals() == refused + 1


# --- follow-ups, done, close ------------------------------------------------------------------


def test_the_owner_reports_done_and_compliance_closes(personas, agency):
    action = demand(personas, agency)
    compliance_follow_up_add(
        principal=Staff(personas["henry"]), action_id=action.pk, note="已约谈，正在核对"
    )
    assert not Notification.objects.filter(kind="rectification_reported_done").exists()
    compliance_follow_up_add(
        principal=Staff(personas["henry"]),
        action_id=action.pk,
        note="客户电话已全部更正",
        done=True,
    )
    told = Notification.objects.get(kind="rectification_reported_done")
    assert told.recipient == personas["dave"]
    action.refresh_from_db()
    assert action.status == "open"  # only compliance closes
    with pytest.raises(ComplianceActionError):
        compliance_action_close(principal=Staff(personas["henry"]), action_id=action.pk)
    compliance_action_close(
        principal=Staff(personas["dave"]), action_id=action.pk, note="复核无误", as_of=TODAY
    )
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("done", TODAY)
    assert list(action.follow_ups.values_list("done", flat=True)) == [False, True, True]
    assert Notification.objects.filter(
        kind="rectification_closed", recipient=personas["henry"]
    ).exists()
    # a closed action no longer changes
    with pytest.raises(ComplianceActionError) as caught:
        compliance_follow_up_add(principal=Staff(personas["dave"]), action_id=action.pk, note="x")
    assert caught.value.code == "closed"


def test_compliance_follows_up_and_the_owner_is_told(personas, agency):
    action = demand(personas, agency)
    compliance_follow_up_add(principal=Staff(personas["dave"]), action_id=action.pk, note="催办")
    assert Notification.objects.filter(
        kind="rectification_followed_up", recipient=personas["henry"]
    ).exists()


@pytest.mark.parametrize("username", ["carol", "mike", "george", "alice"])
def test_a_follow_up_by_someone_else_is_refused_and_changes_nothing(personas, agency, username):
    action = demand(personas, agency)
    before, refused = snapshot(), refusals()
    with pytest.raises(ComplianceActionError) as caught:
        compliance_follow_up_add(
            principal=Staff(personas[username]), action_id=action.pk, note="我来", done=True
        )
    assert caught.value.code == "forbidden"
    assert snapshot() == before
    assert refusals() == refused + 1


def test_criticism_and_referrals_have_no_follow_ups(personas, agency):
    referral = demand(personas, agency, kind="committee_referral")
    with pytest.raises(ComplianceActionError) as caught:
        compliance_follow_up_add(principal=Staff(personas["dave"]), action_id=referral.pk, note="x")
    assert caught.value.code == "not_a_demand"
    compliance_action_close(principal=Staff(personas["dave"]), action_id=referral.pk)
    criticism = demand(personas, agency, kind="criticism")
    with pytest.raises(ComplianceActionError) as caught:
        compliance_action_close(principal=Staff(personas["dave"]), action_id=criticism.pk)
    assert caught.value.code == "closed"


def test_an_unknown_action_is_not_found(personas):
    with pytest.raises(ComplianceActionError) as caught:
        compliance_follow_up_add(principal=Staff(personas["dave"]), action_id=999, note="x")
    assert caught.value.code == "not_found"


# --- who sees which ---------------------------------------------------------------------------


def test_the_register_for_its_viewers_and_own_demands_for_owners(personas, agency):
    mine = demand(personas, agency)
    other = demand(personas, agency, owner_id=personas["carol"].pk)
    for username in ("dave", "mike", "george", "admin"):
        rows = visible_to(principal=Staff(personas[username]), action="conduct.follow_up")
        assert set(rows) == {mine, other}, username
    henry = Staff(personas["henry"])
    assert list(visible_to(principal=henry, action="conduct.follow_up")) == [mine]
    assert not visible_to(principal=henry, action="conduct.view").exists()
    assert not visible_to(principal=Staff(personas["sam"]), action="conduct.follow_up").exists()


# --- overdue ----------------------------------------------------------------------------------


def test_overdue_is_a_due_date_before_today_and_not_done(personas, agency):
    due_today = demand(personas, agency, due_on=TODAY)
    late = demand(personas, agency, due_on=TODAY)
    done = demand(personas, agency, due_on=TODAY)
    compliance_action_close(principal=Staff(personas["dave"]), action_id=done.pk)
    ComplianceAction.objects.filter(pk=late.pk).update(due_on=TODAY - timedelta(days=1))
    rows = actions_list(
        principal=Staff(personas["dave"]), filters=ActionFilters(overdue=True), today=TODAY
    )
    assert list(rows) == [late]
    assert due_today not in rows


def test_owners_and_compliance_are_told_of_overdue_demands_once_a_day(personas, agency):
    first = demand(personas, agency)
    second = demand(personas, agency, owner_id=personas["carol"].pk)
    demand(personas, agency)  # not yet due
    ComplianceAction.objects.filter(pk__in=[first.pk, second.pk]).update(
        due_on=TODAY - timedelta(days=3)
    )
    Notification.objects.all().delete()
    assert compliance_overdue_notify(as_of=TODAY) == 2
    notes = {
        n.recipient.username: n for n in Notification.objects.filter(kind="rectification_overdue")
    }
    assert set(notes) == {"henry", "carol", "dave"}
    assert notes["dave"].params["count"] == 2
    assert notes["henry"].params["count"] == 1
    assert notes["henry"].link == f"/compliance/{first.pk}/"
    # a rerun the same day tells nobody again; the next day tells again
    assert compliance_overdue_notify(as_of=TODAY) == 2
    assert Notification.objects.filter(kind="rectification_overdue").count() == 3
    compliance_overdue_notify(as_of=TODAY + timedelta(days=1))
    assert Notification.objects.filter(kind="rectification_overdue").count() == 6


def test_the_daily_task_runs_the_notice(personas, agency, monkeypatch):
    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        return 7

    monkeypatch.setattr(tasks, "compliance_overdue_notify", fake)
    assert tasks.rectification_overdue_notify.call_local() == 7
