"""D1.13 as written: verification rests on the customer's signed confirmation, a return asks
for the other kinds of evidence where needed, agents assist on the items of their own book
with a statement (情况说明), and items customer service does not distribute within 1 working
day of their creation are overdue."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.cases.conftest import PDF, attach_confirmation
from veracity.audit.models import Action, AuditEvent
from veracity.cases import services as cs
from veracity.cases.listing import distribution_overdue_condition, problem_items
from veracity.cases.models import CaseStep, Evidence, ProblemItem
from veracity.cases.policy import CaseError, steps_open_to
from veracity.cases.selectors import case_detail, work_queue
from veracity.notify.models import Notification
from veracity.org.principals import Staff, with_purpose
from veracity.workcal.selectors import calendar

pytestmark = pytest.mark.django_db
DAY = date(2026, 9, 30)


def _snapshot(item: ProblemItem) -> dict[str, Any]:
    return ProblemItem.objects.values().get(pk=item.pk)


def _submitted(item: ProblemItem, users: dict[str, Any], *, kind: str) -> None:
    """Distributed by sam, claimed by carol, who attaches one file of ``kind`` and submits."""
    cs.problem_item_distribute(
        principal=Staff(users["sam"]), item_id=item.pk, channel="agency", as_of=DAY
    )
    cs.problem_item_claim(principal=Staff(users["carol"]), item_id=item.pk)
    cs.problem_item_attach(
        principal=Staff(users["carol"]),
        item_id=item.pk,
        kind=kind,
        description="signed",
        filename="signed.pdf",
        data=PDF,
    )
    cs.problem_item_submit(
        principal=Staff(users["carol"]), item_id=item.pk, outcome="explained", findings="spouses"
    )


# --- verification needs the customer's signed confirmation ----------------------------------


def test_the_investigators_report_alone_does_not_verify(item, personas):
    _submitted(item, personas, kind="investigator_report")
    before, steps = _snapshot(item), CaseStep.objects.count()
    with pytest.raises(CaseError) as refused:
        cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk)
    assert (refused.value.code, refused.value.field) == ("evidence", "evidence")
    assert "客户签字确认书" in refused.value.message_zh
    assert "signed confirmation" in refused.value.message_en
    assert _snapshot(item) == before and CaseStep.objects.count() == steps


def test_the_customers_signed_confirmation_verifies(item, personas):
    _submitted(item, personas, kind="investigator_report")
    attach_confirmation(Staff(personas["carol"]), item.pk)
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk)
    item.refresh_from_db()
    assert item.stage == "verified"


# --- a return asks for evidence by kind -------------------------------------------------------


def test_a_return_records_the_kinds_asked_for_and_the_investigator_sees_them(item, personas):
    _submitted(item, personas, kind="customer_confirmation")
    cs.problem_item_return(
        principal=Staff(personas["dave"]),
        item_id=item.pk,
        reason="请补充代理人说明与调查报告",
        requested_kinds=["investigator_report", "agent_statement", "agent_statement"],
    )
    step = CaseStep.objects.get(item=item, action="return")
    # once each, in the catalogue's order
    assert step.detail == {"requested_kinds": ["agent_statement", "investigator_report"]}
    audited = AuditEvent.objects.filter(action=Action.CASE_STEP, object_id=str(item.pk)).last()
    asked = json.loads(audited.detail)["requested_kinds"]
    assert asked == ["agent_statement", "investigator_report"]
    view = case_detail(item.pk, principal=with_purpose(Staff(personas["carol"]), "t"))
    assert view is not None
    assert view.requested_kinds == ["agent_statement", "investigator_report"]
    # answered: once submitted again, the request is no longer shown as open
    cs.problem_item_submit(
        principal=Staff(personas["carol"]), item_id=item.pk, outcome="explained", findings="x"
    )
    again = case_detail(item.pk, principal=with_purpose(Staff(personas["carol"]), "t"))
    assert again is not None and again.requested_kinds == []


def test_a_return_asking_for_an_unknown_kind_is_refused(item, personas):
    _submitted(item, personas, kind="customer_confirmation")
    before, steps = _snapshot(item), CaseStep.objects.count()
    with pytest.raises(CaseError) as refused:
        cs.problem_item_return(
            principal=Staff(personas["dave"]),
            item_id=item.pk,
            reason="r",
            requested_kinds=["agent_statement", "a_poem"],
        )
    assert (refused.value.code, refused.value.field) == ("requested_kind", "requested_kinds")
    assert refused.value.message_zh and refused.value.message_en
    assert _snapshot(item) == before and CaseStep.objects.count() == steps


# --- agents: their own book, read-only, and a statement ---------------------------------------


@pytest.fixture
def agents(personas, team) -> dict[str, Any]:
    """alice sells as AG1 (the item's agency policy, terry's team); bob as BK7 (its
    bancassurance policy); amy is an agent who sold neither."""
    group = Group.objects.get(name="agent")
    users = {"alice": personas["alice"]}
    for username in ("bob", "amy"):
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
        user.groups.add(group)
        users[username] = user
    team["AG1"].user = users["alice"]
    team["AG1"].save()
    team["BK7"].user = users["bob"]
    team["BK7"].save()
    return users


def _as(user: Any) -> Any:
    return with_purpose(Staff(user), "problem_item")


def test_an_agent_sees_the_items_of_their_own_customers_only(item, agents):
    alice = case_detail(item.pk, principal=_as(agents["alice"]))
    bob = case_detail(item.pk, principal=_as(agents["bob"]))
    assert alice is not None and bob is not None
    # each sees their own customer of the item, not the other seller's
    assert [m.name for m in alice.item.members] == ["王*芳"]
    assert [m.name for m in bob.item.members] == ["赵*海"]
    assert case_detail(item.pk, principal=_as(agents["amy"])) is None
    refused = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED, actor="amy")
    assert refused.filter(object_type="problem_item", object_id=str(item.pk)).exists()
    # read-only: the statement is the one step open to them
    assert alice.actions == ["statement"]
    # the case pages only: never the list or its export
    for action in ("problems.list", "problems.export"):
        assert problem_items(principal=_as(agents["alice"]), action=action).total == 0
    # their queue lists the items of their book
    assert [r.id for r in work_queue(principal=_as(agents["alice"])).items] == [item.pk]
    assert work_queue(principal=_as(agents["amy"])).items == []


def test_an_agent_takes_no_step_but_the_statement(item, agents, personas):
    before, steps = _snapshot(item), CaseStep.objects.count()
    for step in (
        lambda p: cs.problem_item_distribute(principal=p, item_id=item.pk, channel="agency"),
        lambda p: cs.problem_item_claim(principal=p, item_id=item.pk),
        lambda p: cs.problem_item_note(principal=p, item_id=item.pk, note="n"),
    ):
        with pytest.raises(CaseError) as refused:
            step(Staff(agents["alice"]))
        assert refused.value.code == "role"
    assert _snapshot(item) == before and CaseStep.objects.count() == steps


def test_an_agent_adds_a_statement_with_a_signed_copy(item, agents, personas):
    cs.problem_item_statement(
        principal=Staff(agents["alice"]),
        item_id=item.pk,
        statement="客户夫妇共用家庭电话，本人见证签字。",
        filename="情况说明.pdf",
        data=PDF,
    )
    step = CaseStep.objects.get(item=item, action="statement")
    assert step.note == "客户夫妇共用家庭电话，本人见证签字。" and step.actor == agents["alice"]
    evidence = Evidence.objects.get(item=item)
    assert (evidence.kind, evidence.uploaded_by) == ("agent_statement", agents["alice"])
    assert step.detail == {"evidence": evidence.pk}
    assert AuditEvent.objects.filter(
        action=Action.CASE_STEP, actor="alice", object_id=str(item.pk)
    ).exists()
    # the investigator and the team leader read it on the timeline
    for reader in ("sam", "terry"):
        view = case_detail(item.pk, principal=_as(personas[reader]))
        assert view is not None and "statement" in [s.action for s in view.steps]
    # the agent reads back her own statement, not the customers' documents
    attach_confirmation(Staff(personas["sam"]), item.pk)
    view = case_detail(item.pk, principal=_as(agents["alice"]))
    assert view is not None and [e.kind for e in view.evidence] == ["agent_statement"]
    confirmation = Evidence.objects.get(kind="customer_confirmation")
    with pytest.raises(CaseError) as refused:
        cs.evidence_read(evidence_id=confirmation.pk, principal=_as(agents["alice"]))
    assert (refused.value.code, refused.value.field) == ("not_found", "evidence")
    own, data = cs.evidence_read(evidence_id=evidence.pk, principal=_as(agents["alice"]))
    assert own.pk == evidence.pk and data == PDF


def test_a_statement_needs_text_and_an_own_customer(item, agents):
    with pytest.raises(CaseError) as empty:
        cs.problem_item_statement(principal=Staff(agents["alice"]), item_id=item.pk, statement=" ")
    assert (empty.value.code, empty.value.field) == ("required", "statement")
    with pytest.raises(CaseError) as stranger:
        cs.problem_item_statement(principal=Staff(agents["amy"]), item_id=item.pk, statement="x")
    assert stranger.value.code == "not_found"
    assert not CaseStep.objects.filter(action="statement").exists()


def test_a_statement_is_refused_to_other_roles_and_on_a_closed_item(item, agents, personas):
    with pytest.raises(CaseError) as refused:
        cs.problem_item_statement(principal=Staff(personas["sam"]), item_id=item.pk, statement="x")
    assert refused.value.code == "role"
    ProblemItem.objects.filter(pk=item.pk).update(stage="closed", status="closed")
    item.refresh_from_db()
    assert steps_open_to(item, principal=Staff(agents["alice"])) == []
    with pytest.raises(CaseError) as closed:
        cs.problem_item_statement(principal=Staff(agents["alice"]), item_id=item.pk, statement="x")
    assert closed.value.code == "closed"
    assert not CaseStep.objects.filter(action="statement").exists()


# --- undistributed items are overdue after 1 working day -------------------------------------


def _created_on(item: ProblemItem, day: date) -> None:
    at = datetime.combine(day, time(9, 30), tzinfo=timezone.get_current_timezone())
    ProblemItem.objects.filter(pk=item.pk).update(created_at=at)


@pytest.mark.parametrize(
    ("created", "as_of", "overdue"),
    [
        # Thursday before the Mid-Autumn Friday: due the Monday after the weekend
        (date(2026, 9, 24), date(2026, 9, 28), False),
        (date(2026, 9, 24), date(2026, 9, 29), True),
        # the eve of the National Day week: due the first working day after it
        (date(2026, 9, 30), date(2026, 10, 6), False),
        (date(2026, 9, 30), date(2026, 10, 8), False),
        (date(2026, 9, 30), date(2026, 10, 9), True),
        # a Saturday before an adjusted working Sunday (调休): due that Sunday
        (date(2026, 9, 19), date(2026, 9, 20), False),
        (date(2026, 9, 19), date(2026, 9, 21), True),
        # an ordinary weekday
        (date(2026, 9, 22), date(2026, 9, 23), False),
        (date(2026, 9, 22), date(2026, 9, 24), True),
    ],
)
def test_an_undistributed_item_is_overdue_after_one_working_day(
    item, personas, created, as_of, overdue
):
    _created_on(item, created)
    [row] = work_queue(principal=_as(personas["sam"]), as_of=as_of).items
    assert row.overdue_undistributed is overdue
    assert (row.due == "past") is overdue
    condition = distribution_overdue_condition(as_of, calendar())
    assert ProblemItem.objects.filter(condition).exists() is overdue


def test_a_distributed_item_is_not_overdue_for_distribution(item, personas):
    _created_on(item, date(2026, 9, 22))
    cs.problem_item_distribute(
        principal=Staff(personas["sam"]), item_id=item.pk, channel="agency", as_of=DAY
    )
    assert not ProblemItem.objects.filter(
        distribution_overdue_condition(date(2026, 10, 9), calendar())
    ).exists()


def test_the_daily_overdue_job_tells_customer_service_once(item, personas):
    _created_on(item, date(2026, 9, 24))
    assert cs.problem_items_overdue_notify(as_of=date(2026, 9, 28)) == 0
    assert not Notification.objects.filter(kind="problem_item_undistributed").exists()
    assert cs.problem_items_overdue_notify(as_of=date(2026, 9, 29)) == 1
    [notice] = Notification.objects.filter(kind="problem_item_undistributed")
    assert notice.recipient == personas["sam"]  # customer service, nobody else
    assert f"#{item.pk}" in notice.words("zh-hans")[1]
    step = CaseStep.objects.get(item=item, action="overdue")
    assert step.detail["undistributed"] is True and step.detail["on"] == "2026-09-29"
    # the same day again: nothing new
    assert cs.problem_items_overdue_notify(as_of=date(2026, 9, 29)) == 1
    assert Notification.objects.filter(kind="problem_item_undistributed").count() == 1
    assert CaseStep.objects.filter(item=item, action="overdue").count() == 1


def test_a_statement_is_told_to_the_team_leader_and_the_investigator(item, agents, personas):
    from veracity.notify.models import Notification

    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)
    cs.problem_item_statement(
        principal=Staff(agents["alice"]), item_id=item.pk, statement="客户夫妇共用家庭电话。"
    )
    told = {
        n.recipient.get_username()
        for n in Notification.objects.filter(kind="problem_item_statement")
    }
    assert told == {"carol", "terry"}  # the investigator and alice's team leader, not alice
    notice = Notification.objects.filter(kind="problem_item_statement").first()
    assert notice is not None and notice.link == f"/problems/{item.pk}/"
