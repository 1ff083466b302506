"""Leak incidents from report to closing (D4.27, PIPL Art. 57): every step audited, every
refusal names the field and changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.incidents.models import LeakIncident, RemediationStep
from veracity.incidents.services import (
    IncidentError,
    closing_problems,
    incident_customers_add,
    incident_individuals_record,
    incident_individuals_waive,
    incident_move,
    incident_regulator_record,
    incident_report,
    incident_step_add,
    incident_update,
)
from veracity.notify.models import Notification

pytestmark = pytest.mark.django_db

NOTICE = {
    "notice_data_types": "姓名、手机号码",
    "notice_cause_and_harm": "业务员误将客户清单发至外部邮箱；可能被用于营销骚扰",
    "notice_remedial_measures": "已要求对方删除并确认；已重置相关账号",
    "notice_individual_measures": "警惕冒充本公司的来电，勿透露验证码",
    "notice_contact": "客户服务热线 95500",
}


def _audits():
    return [json.loads(e.detail) for e in AuditEvent.objects.filter(action="incident")]


def _snapshot(incident_id):
    incident = LeakIncident.objects.get(pk=incident_id)
    fields = {f.attname: getattr(incident, f.attname) for f in LeakIncident._meta.concrete_fields}
    return (
        fields,
        sorted(incident.customers.values_list("pk", flat=True)),
        list(RemediationStep.objects.filter(incident=incident).values_list("pk", flat=True)),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def reported(personas, customers, principal_of):
    return incident_report(
        principal=principal_of(personas["alice"]),
        description="客户清单被误发到外部邮箱",
        data_types=["name", "phone"],
        customer_ids=[customers[0].pk, customers[1].pk],
    )


def _to_remediated(incident, who):
    incident_move(incident_id=incident.pk, to="investigating", principal=who)
    incident_step_add(incident_id=incident.pk, action="要求对方删除邮件", principal=who)
    return incident_move(incident_id=incident.pk, to="remediated", principal=who)


# --- report ----------------------------------------------------------------------------------


def test_a_report_tells_both_managers_at_once(
    personas, customers, principal_of, django_capture_on_commit_callbacks
):
    personas["ivan"].email = "ivan@example.com"
    personas["ivan"].save()
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_report(
            principal=principal_of(personas["alice"]),
            description="手机丢失，内有客户资料照片",
            certainty="confirmed",
            data_types=["id_number", "name"],
            customer_ids=[customers[0].pk],
        )
    assert incident.status == "reported" and incident.reported_by == personas["alice"]
    assert incident.data_types == ["id_number", "name"]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"ivan", "mona"}
    note = Notification.objects.get(recipient=personas["mona"])
    assert note.kind == "incident_reported" and note.link == f"/incidents/{incident.pk}/"
    assert "手机丢失" not in note.body  # the description stays in the system
    assert [m.to for m in mail.outbox] == [["ivan@example.com"]]
    [audit] = _audits()
    assert audit["step"] == "report" and audit["customers"] == [customers[0].pk]
    assert sorted(audit["notified"]) == sorted([personas["ivan"].pk, personas["mona"].pk])


def test_the_reporting_manager_is_not_told_of_their_own_report(personas, principal_of):
    incident_report(principal=principal_of(personas["ivan"]), description="x")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["mona"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "  "}, "description"),
        ({"certainty": "maybe"}, "certainty"),
        ({"data_types": ["shoe_size"]}, "data_types"),
        ({"customer_ids": [999_999]}, "customers"),
    ],
)
def test_a_bad_report_is_refused_and_nothing_stored(personas, principal_of, changes, field):
    args = {"description": "泄露", **changes}
    with pytest.raises(IncidentError) as refused:
        incident_report(principal=principal_of(personas["alice"]), **args)
    assert refused.value.field == field
    assert refused.value.message_zh and refused.value.message_en
    assert not LeakIncident.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="incident").exists()


# --- the whole way ---------------------------------------------------------------------------


def test_from_report_to_closed_every_step_audited(reported, personas, principal_of):
    who = principal_of(personas["ivan"])
    incident_move(incident_id=reported.pk, to="investigating", principal=who)
    incident_update(
        incident_id=reported.pk,
        principal=who,
        certainty="confirmed",
        cause="业务员误操作",
        possible_harm="营销骚扰、诈骗",
    )
    incident_step_add(incident_id=reported.pk, action="要求收件人删除", principal=who)
    incident_move(incident_id=reported.pk, to="remediated", principal=who)
    incident_regulator_record(
        incident_id=reported.pk,
        authority="国家金融监督管理总局北京监管局",
        notified_on=timezone.localdate(),
        reference="京金监〔2026〕1号",
        principal=who,
    )
    incident_individuals_record(
        incident_id=reported.pk,
        notified_on=timezone.localdate(),
        channel="sms",
        contents=NOTICE,
        principal=who,
    )
    closed = incident_move(incident_id=reported.pk, to="closed", principal=who)
    assert closed.status == "closed" and closed.closed_at is not None
    steps = [a["step"] for a in _audits()]
    assert steps == [
        "report",
        "move",
        "update",
        "remediation",
        "move",
        "regulator",
        "individuals_notified",
        "move",
    ]
    update = _audits()[2]
    assert update["changed"]["certainty"] == {"from": "suspected", "to": "confirmed"}
    assert update["changed"]["cause"] == "edited"  # what changed, not the free text
    assert "业务员误操作" not in json.dumps(_audits(), ensure_ascii=False)
    assert _audits()[-1] == {
        "step": "move",
        "status": "closed",
        "from": "remediated",
        "to": "closed",
    }


def test_closing_with_a_stated_reason_instead_of_notifying(reported, personas, principal_of):
    who = principal_of(personas["ivan"])
    _to_remediated(reported, who)
    incident_update(incident_id=reported.pk, principal=who, cause="误发")
    incident_individuals_waive(
        incident_id=reported.pk,
        reason="收件人为合作机构，已书面确认删除，信息未扩散，能够有效避免危害",
        principal=who,
    )
    assert incident_move(incident_id=reported.pk, to="closed", principal=who).status == ("closed")


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["cause", "steps", "individuals_notified_on"])
def test_closing_without_what_the_law_needs_is_refused(reported, personas, principal_of, missing):
    who = principal_of(personas["ivan"])
    incident_move(incident_id=reported.pk, to="investigating", principal=who)
    if missing != "steps":
        incident_step_add(incident_id=reported.pk, action="处置", principal=who)
        incident_move(incident_id=reported.pk, to="remediated", principal=who)
    else:  # reach "remediated" with a step, then take the step away (as if never recorded)
        incident_step_add(incident_id=reported.pk, action="处置", principal=who)
        incident_move(incident_id=reported.pk, to="remediated", principal=who)
        RemediationStep.objects.filter(incident=reported).delete()
    if missing != "cause":
        incident_update(incident_id=reported.pk, principal=who, cause="误发")
    if missing != "individuals_notified_on":
        incident_individuals_waive(incident_id=reported.pk, reason="已有效避免危害", principal=who)
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_move(incident_id=reported.pk, to="closed", principal=who)
    assert refused.value.field == missing
    assert missing in refused.value.message_en
    assert "关闭" in refused.value.message_zh
    assert _snapshot(reported.pk) == before
    assert [p.field for p in closing_problems(LeakIncident.objects.get(pk=reported.pk))] == [
        missing
    ]


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], "closed"),
        ([], "remediated"),
        ([], "dismissed"),
        (["investigating"], "closed"),
        (["investigating"], "reported"),
        ([], "nonsense"),
    ],
)
def test_illegal_moves_are_refused_and_nothing_changes(reported, personas, principal_of, path, to):
    who = principal_of(personas["ivan"])
    for step in path:
        incident_move(incident_id=reported.pk, to=step, principal=who)
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_move(incident_id=reported.pk, to=to, principal=who)
    assert refused.value.field == "status"
    assert "status" in refused.value.message_en and "状态" in refused.value.message_zh
    assert _snapshot(reported.pk) == before


def test_remediated_needs_a_remediation_step(reported, personas, principal_of):
    who = principal_of(personas["ivan"])
    incident_move(incident_id=reported.pk, to="investigating", principal=who)
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_move(incident_id=reported.pk, to="remediated", principal=who)
    assert refused.value.field == "steps"
    assert _snapshot(reported.pk) == before


def test_a_closed_incident_no_longer_changes(reported, personas, principal_of):
    who = principal_of(personas["ivan"])
    _to_remediated(reported, who)
    incident_update(incident_id=reported.pk, principal=who, cause="误发")
    incident_individuals_waive(incident_id=reported.pk, reason="已避免", principal=who)
    incident_move(incident_id=reported.pk, to="closed", principal=who)
    before = _snapshot(reported.pk)
    attempts = [
        lambda: incident_update(incident_id=reported.pk, principal=who, cause="新"),
        lambda: incident_step_add(incident_id=reported.pk, action="x", principal=who),
        lambda: incident_move(incident_id=reported.pk, to="investigating", principal=who),
    ]
    for attempt in attempts:
        with pytest.raises(IncidentError) as refused:
            attempt()
        assert refused.value.field == "status"
    assert _snapshot(reported.pk) == before


@pytest.mark.parametrize("missing", [field for field in NOTICE])
def test_the_individuals_notice_needs_all_five_contents(reported, personas, principal_of, missing):
    ivan = personas["ivan"]
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_individuals_record(
            incident_id=reported.pk,
            notified_on=timezone.localdate(),
            channel="sms",
            contents={**NOTICE, missing: " "},
            principal=principal_of(ivan),
        )
    assert refused.value.field == missing
    assert _snapshot(reported.pk) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"notified_on": None}, "individuals_notified_on"),
        ({"notified_on": date.today() + timedelta(days=3)}, "individuals_notified_on"),
        ({"channel": "pigeon"}, "individuals_channel"),
    ],
)
def test_the_individuals_notice_needs_a_date_and_channel(
    reported, personas, principal_of, changes, field
):
    args = {"notified_on": timezone.localdate(), "channel": "sms", **changes}
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_individuals_record(
            incident_id=reported.pk,
            contents=NOTICE,
            principal=principal_of(personas["ivan"]),
            **args,
        )
    assert refused.value.field == field
    assert _snapshot(reported.pk) == before


def test_waiving_after_notifying_is_refused(reported, personas, principal_of):
    who = principal_of(personas["ivan"])
    incident_individuals_record(
        incident_id=reported.pk,
        notified_on=timezone.localdate(),
        channel="letter",
        contents=NOTICE,
        principal=who,
    )
    with pytest.raises(IncidentError) as refused:
        incident_individuals_waive(incident_id=reported.pk, reason="x", principal=who)
    assert refused.value.code == "ALREADY_NOTIFIED"
    assert LeakIncident.objects.get(pk=reported.pk).individuals_not_notified_reason == ""


def test_regulator_notice_needs_the_authority_and_a_past_date(reported, personas, principal_of):
    who = principal_of(personas["ivan"])
    before = _snapshot(reported.pk)
    for authority, day, field in [
        ("", timezone.localdate(), "regulator_authority"),
        ("网信办", None, "regulator_notified_on"),
        ("网信办", timezone.localdate() + timedelta(days=1), "regulator_notified_on"),
    ]:
        with pytest.raises(IncidentError) as refused:
            incident_regulator_record(
                incident_id=reported.pk, authority=authority, notified_on=day, principal=who
            )
        assert refused.value.field == field
    assert _snapshot(reported.pk) == before


@pytest.mark.parametrize("username", ["alice", "carol", "sam", "george", "audrey", "henry"])
def test_only_incident_handlers_work_incidents(reported, personas, principal_of, username):
    user = personas[username]
    before = _snapshot(reported.pk)
    for attempt in [
        lambda: incident_move(
            incident_id=reported.pk, to="investigating", principal=principal_of(user)
        ),
        lambda: incident_update(incident_id=reported.pk, principal=principal_of(user), cause="x"),
        lambda: incident_step_add(
            incident_id=reported.pk, action="x", principal=principal_of(user)
        ),
    ]:
        with pytest.raises(IncidentError) as refused:
            attempt()
        assert refused.value.code == "FORBIDDEN"
    assert _snapshot(reported.pk) == before


@pytest.mark.parametrize("username", ["ivan", "mona", "dave", "admin"])
def test_handlers_may_work_incidents(reported, personas, principal_of, username):
    user = personas[username]
    moved = incident_move(incident_id=reported.pk, to="investigating", principal=principal_of(user))
    assert moved.status == "investigating"


def test_customers_added_once_and_unknown_refused(reported, personas, customers, principal_of):
    who = principal_of(personas["ivan"])
    incident_customers_add(
        incident_id=reported.pk, customer_ids=[customers[1].pk, customers[2].pk], principal=who
    )
    assert reported.customers.count() == 3
    assert _audits()[-1]["customers"] == [customers[2].pk]
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_customers_add(
            incident_id=reported.pk, customer_ids=[customers[0].pk, 999_999], principal=who
        )
    assert refused.value.field == "customers"
    assert _snapshot(reported.pk) == before


def test_a_step_cannot_be_dated_in_the_future(reported, personas, principal_of):
    ivan = personas["ivan"]
    with pytest.raises(IncidentError) as refused:
        incident_step_add(
            incident_id=reported.pk,
            action="x",
            taken_at=timezone.now() + timedelta(days=1),
            principal=principal_of(ivan),
        )
    assert refused.value.field == "taken_at"
    assert not RemediationStep.objects.exists()


def test_a_step_records_who_and_when(reported, personas, principal_of):
    ivan = personas["ivan"]
    when = timezone.now() - timedelta(hours=5)
    step = incident_step_add(
        incident_id=reported.pk,
        action="关闭外部邮箱转发",
        taken_by=personas["mona"],
        taken_at=when,
        principal=principal_of(ivan),
    )
    assert (step.taken_by, step.taken_at, step.action) == (
        personas["mona"],
        when,
        "关闭外部邮箱转发",
    )
    assert _audits()[-1]["taken_by"] == personas["mona"].pk
    assert AuditEvent.objects.filter(action="incident").last().actor == "ivan"


def test_unknown_incident_is_refused(personas, principal_of):
    with pytest.raises(IncidentError) as refused:
        incident_move(
            incident_id=424242, to="investigating", principal=principal_of(personas["ivan"])
        )
    assert refused.value.field == "incident"


def test_the_update_without_changes_writes_nothing(reported, personas, principal_of):
    before = AuditEvent.objects.count()
    incident_update(
        incident_id=reported.pk,
        principal=principal_of(personas["ivan"]),
        description=reported.description,
        data_types=["phone", "name"],  # the same kinds, another order
    )
    assert AuditEvent.objects.count() == before


def test_the_description_cannot_be_emptied(reported, personas, principal_of):
    before = _snapshot(reported.pk)
    with pytest.raises(IncidentError) as refused:
        incident_update(
            incident_id=reported.pk,
            principal=principal_of(personas["ivan"]),
            certainty="confirmed",
            description="",
        )
    assert refused.value.field == "description"
    assert _snapshot(reported.pk) == before
