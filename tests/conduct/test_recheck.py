"""SD-4: two verified misselling complaints within a year raise one re-check item listing
every policy the seller (or agency) sold, with all parties, each with a second-callback task
whose result customer service records."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import TODAY
from tests.detection.test_rules import apply, person, run
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import ProblemItem
from veracity.conduct.callbacks import CallbackError, callback_record, callbacks_of_item
from veracity.conduct.models import Complaint, RecheckCallback
from veracity.notify.models import Notification
from veracity.org.principals import Staff
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db


def verified(no, day, **against):
    return Complaint.objects.create(
        complaint_no=no,
        received_on=day,
        category="misselling",
        verified=True,
        verified_on=day,
        status="verified",
        **against,
    )


def test_two_verified_complaints_raise_a_recheck_with_callbacks(personas, sellers):
    agent = sellers["AG17"]
    insured = {**person("被保险人乙", "2001-02-02"), "relation": "child"}
    apply("M1", person("客户甲", "1980-01-01", phones=["13700000001"]), seller="AG17")
    apply(
        "M2",
        person("客户丙", "1981-01-01", phones=["13700000002"]),
        insured=insured,
        seller="AG17",
    )
    apply("M3", person("客户丁", "1982-01-01", phones=["13700000003"]), seller="TL1")
    verified("T1", date(2026, 1, 5), seller=agent)
    Complaint.objects.create(
        complaint_no="T2",
        received_on=date(2026, 2, 1),
        category="misselling",
        verified=False,
        seller=agent,
    )
    run(date(2026, 11, 20))
    assert not ProblemItem.objects.filter(rule="REPEAT_MISSELLING").exists()
    verified("T3", date(2026, 12, 1), seller=agent)  # 330 days after T1
    run(date(2026, 12, 2))
    [item] = ProblemItem.objects.filter(rule="REPEAT_MISSELLING")
    mine = set(Policy.objects.filter(seller=agent).values_list("pk", flat=True))
    assert set(item.members.values_list("policy_id", flat=True)) == mine
    assert item.members.values("customer").distinct().count() == 3  # policyholders + insured
    tasks = callbacks_of_item(item.pk)
    assert {t.policy_id for t in tasks} == mine and all(t.result == "" for t in tasks)
    told = set(
        Notification.objects.filter(kind="repeat_misselling_recheck").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"dave", "mike", "nora", "sam"} <= told

    # the result of each second callback
    first = tasks[0]
    callback_record(
        item_id=item.pk,
        policy_no=first.policy_no,
        result="not_reached",
        principal=Staff(personas["sam"]),
    )
    callback_record(
        item_id=item.pk,
        policy_no=first.policy_no,
        result="misselling_confirmed",
        note="客户称未被告知退保损失",
        principal=Staff(personas["sam"]),
    )
    done = RecheckCallback.objects.get(pk=first.id)
    assert done.result == "misselling_confirmed" and done.called_by == personas["sam"]

    # compliance may not record a callback; nothing changed, the attempt is on the trail
    refused = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    with pytest.raises(CallbackError) as caught:
        callback_record(
            item_id=item.pk,
            policy_no=tasks[1].policy_no,
            result="reached",
            principal=Staff(personas["dave"]),
        )
    assert caught.value.code == "role"
    assert RecheckCallback.objects.get(pk=tasks[1].id).result == ""
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == refused + 1
    with pytest.raises(CallbackError) as caught:
        callback_record(
            item_id=item.pk, policy_no="NOPE", result="reached", principal=Staff(personas["sam"])
        )
    assert caught.value.code == "not_found"

    # a new policy of the seller extends the item and gets its task; a rerun adds nothing
    apply("M4", person("客户戊", "1983-01-01", phones=["13700000004"]), seller="AG17")
    run(date(2026, 12, 3), full=False)
    assert RecheckCallback.objects.filter(item=item).count() == 3
    run(date(2026, 12, 4), full=False)
    assert RecheckCallback.objects.filter(item=item).count() == 3


def test_an_agency_with_two_verified_complaints_rechecks_every_policy_with_it(sellers):
    agency = sellers["AY1"]
    apply("Y1", person("客户己", "1984-01-01", phones=["13700000005"]), seller="AG20")
    apply("Y2", person("客户庚", "1985-01-01", phones=["13700000006"]), seller="AG17")
    verified("A1", date(2025, 3, 1), agency=agency)
    verified("A2", date(2026, 3, 1), agency=agency)  # 365 days apart: within the year
    run(TODAY)
    [item] = ProblemItem.objects.filter(rule="REPEAT_MISSELLING")
    assert item.key == str(agency.pk)
    policies = set(Policy.objects.filter(agency=agency).values_list("pk", flat=True))
    assert (
        policies
        and set(RecheckCallback.objects.filter(item=item).values_list("policy_id", flat=True))
        == policies
    )


def test_366_days_apart_raise_nothing(sellers):
    apply("Z1", person("客户辛", "1986-01-01", phones=["13700000007"]), seller="AG17")
    verified("B1", date(2025, 3, 1), seller=sellers["AG17"])
    verified("B2", date(2026, 3, 2), seller=sellers["AG17"])
    run(TODAY)
    assert not ProblemItem.objects.filter(rule="REPEAT_MISSELLING").exists()
