"""Every hand-off of a problem item is told (D1.13): distributed → the channel's back-office
and, at the same time, the team leaders of the item's sellers; submitted → the verifiers;
returned → the investigator; verified and closed → the investigator and the distributor.
Each notice links to the item, reads in the reader's language and is not sent when the
hand-off rolls back."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from tests.cases.conftest import PDF, attach_confirmation
from veracity.cases import services as cs
from veracity.cases.models import ProblemItem
from veracity.notify.models import Notification
from veracity.notify.services import reader_language_set
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

DAY = date(2026, 9, 30)


def _told(kind: str) -> dict[str, Notification]:
    notes = Notification.objects.filter(kind=kind).select_related("recipient")
    return {n.recipient.username: n for n in notes}


def _distribute(item: ProblemItem, users) -> None:
    cs.problem_item_distribute(
        principal=Staff(users["sam"]), item_id=item.pk, channel="agency", as_of=DAY
    )


def _submitted(item: ProblemItem, users) -> None:
    _distribute(item, users)
    cs.problem_item_claim(principal=Staff(users["carol"]), item_id=item.pk)
    cs.problem_item_attach(
        principal=Staff(users["carol"]),
        item_id=item.pk,
        kind="investigator_report",
        description="signed report",
        filename="report.pdf",
        data=PDF,
    )
    attach_confirmation(Staff(users["carol"]), item.pk)
    cs.problem_item_submit(
        principal=Staff(users["carol"]),
        item_id=item.pk,
        outcome="explained",
        findings="两人为夫妻，共用家庭电话",
    )


def test_distribution_reaches_the_back_office_and_the_team_leader_at_once(item, staff):
    _distribute(item, staff)
    told = _told("problem_item_distributed")
    # agency back-office (carol, henry) and terry, who leads AG1's team; not bella
    # (bancassurance), dora (direct), nor sam who sent it
    assert set(told) == {"carol", "henry", "terry"}
    note = told["terry"]
    assert note.link == f"/problems/{item.pk}/"
    assert (note.object_type, note.object_id) == ("problem_item", str(item.pk))
    item.refresh_from_db()
    with translation.override("zh-hans"):
        assert note.title == f"问题件 #{item.pk} 已分发至您的渠道，请调查"
        assert note.body == f"调查截止日期：{item.due_on}。"


def test_each_recipient_is_mailed_in_their_own_language(
    item, staff, django_capture_on_commit_callbacks
):
    for name in ("carol", "terry"):
        staff[name].email = f"{name}@example.com"
        staff[name].save()
    reader_language_set(principal=Staff(staff["terry"]), language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _distribute(item, staff)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"carol@example.com", "terry@example.com"}
    assert by_to["terry@example.com"].subject == (
        f"[Veracity] Problem item #{item.pk} has been sent to your channel for investigation"
    )
    assert by_to["carol@example.com"].subject == (
        f"[Veracity] 问题件 #{item.pk} 已分发至您的渠道，请调查"
    )
    assert f"/problems/{item.pk}/" in by_to["carol@example.com"].body


def test_a_rolled_back_distribution_tells_nobody(item, staff, django_capture_on_commit_callbacks):
    staff["carol"].email = "carol@example.com"
    staff["carol"].save()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _distribute(item, staff)
        raise RuntimeError("the request failed after the step")
    assert not Notification.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_submitted_findings_reach_the_verifiers(item, staff):
    _submitted(item, staff)
    told = _told("problem_item_submitted")
    # compliance, customer service and its manager verify; not the investigator
    assert set(told) == {"dave", "sam", "mona"}
    with translation.override("zh-hans"):
        assert told["dave"].title == f"问题件 #{item.pk} 待核实"
    with translation.override("en"):
        assert told["dave"].title == f"Problem item #{item.pk} awaits verification"


def test_returned_findings_reach_the_investigator_with_the_reason(item, staff):
    _submitted(item, staff)
    cs.problem_item_return(principal=Staff(staff["dave"]), item_id=item.pk, reason="缺少客户签字")
    told = _told("problem_item_returned")
    assert set(told) == {"carol"}
    with translation.override("zh-hans"):
        assert "缺少客户签字" in told["carol"].body


def test_verified_and_closed_reach_the_investigator_and_the_distributor(item, staff):
    _submitted(item, staff)
    cs.problem_item_verify(principal=Staff(staff["dave"]), item_id=item.pk, as_of=DAY)
    assert set(_told("problem_item_verified")) == {"carol", "sam"}  # not dave, who verified
    cs.problem_item_close(principal=Staff(staff["dave"]), item_id=item.pk)
    told = _told("problem_item_closed")
    assert set(told) == {"carol", "sam"}
    assert all(n.link == f"/problems/{item.pk}/" for n in told.values())


def test_a_bulk_distribution_tells_each_person_once(item, staff):
    from veracity.cases.models import ProblemItemMember

    second = ProblemItem.objects.get(pk=item.pk)
    second.pk, second.key = None, f"{item.key}-2"
    second.save()
    ProblemItemMember.objects.bulk_create(
        ProblemItemMember(
            item=second, customer_id=m.customer_id, policy_id=m.policy_id, added_on=m.added_on
        )
        for m in item.members.all()
    )
    result = cs.problem_items_distribute(
        item_ids=[item.pk, second.pk], channel="agency", principal=Staff(staff["sam"])
    )
    assert sorted(result.done) == sorted([item.pk, second.pk])
    told = _told("problem_items_distributed")
    assert set(told) == {"carol", "henry", "terry"}
    assert not Notification.objects.filter(kind="problem_item_distributed").exists()
    assert Notification.objects.filter(recipient=staff["terry"]).count() == 1
    with translation.override("zh-hans"):
        assert told["terry"].title == "2件问题件已分发至您的渠道，请调查"
        assert told["terry"].body == f"问题件：#{item.pk}、#{second.pk}"
