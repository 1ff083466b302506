"""The whole path of one item (PW-1 … PW-5), service by service."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cases.conftest import PDF, attach_confirmation
from veracity.cases import services as cs
from veracity.cases.models import CaseStep, Evidence, ProblemItem
from veracity.cases.policy import CaseError
from veracity.cases.selectors import case_detail, work_queue
from veracity.customers.models import Phone
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db


def test_distribute_claim_submit_return_verify_close(item, personas):
    sam, carol, dave = personas["sam"], personas["carol"], personas["dave"]
    assert [r.id for r in work_queue(principal=with_purpose(Staff(sam), "t")).items] == [item.pk]
    cs.problem_item_distribute(
        principal=Staff(sam), item_id=item.pk, channel="agency", as_of=date(2026, 9, 30)
    )
    item.refresh_from_db()
    assert (item.stage, item.assigned_channel, item.due_on) == (
        "distributed",
        "agency",
        date(2026, 10, 10),
    )
    assert [r.id for r in work_queue(principal=with_purpose(Staff(carol), "t")).items] == [item.pk]
    cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    cs.problem_item_attach(
        principal=Staff(carol),
        item_id=item.pk,
        kind="customer_confirmation",
        description="signed",
        filename="confirm.pdf",
        data=PDF,
    )
    cs.problem_item_submit(
        principal=Staff(carol),
        item_id=item.pk,
        outcome="explained",
        findings="spouses share a phone",
    )
    cs.problem_item_return(
        principal=Staff(dave), item_id=item.pk, reason="need the marriage certificate"
    )
    cs.problem_item_submit(
        principal=Staff(carol),
        item_id=item.pk,
        outcome="explained",
        findings="certificate attached",
    )
    cs.problem_item_verify(principal=Staff(dave), item_id=item.pk)
    cs.problem_item_close(principal=Staff(dave), item_id=item.pk)
    item.refresh_from_db()
    assert (item.stage, item.status, item.returned_times) == ("closed", "closed", 1)
    actions = list(CaseStep.objects.filter(item=item).values_list("action", flat=True))
    assert actions == [
        "distribute",
        "claim",
        "evidence",
        "submit",
        "return",
        "submit",
        "verify",
        "close",
    ]
    view = case_detail(item.pk, principal=with_purpose(Staff(dave), "t"))
    assert view is not None and len(view.steps) == 8 and view.evidence[0].sha256


def test_refusals_change_nothing(item, personas):
    before = ProblemItem.objects.values().get(pk=item.pk)
    for username, call in [
        (
            "alice",
            lambda u: cs.problem_item_distribute(
                principal=Staff(u), item_id=item.pk, channel="agency"
            ),
        ),
        ("carol", lambda u: cs.problem_item_claim(principal=Staff(u), item_id=item.pk)),
        ("dave", lambda u: cs.problem_item_verify(principal=Staff(u), item_id=item.pk)),
        ("sam", lambda u: cs.problem_item_close(principal=Staff(u), item_id=item.pk)),
    ]:
        with pytest.raises(CaseError):
            call(personas[username])
    assert ProblemItem.objects.values().get(pk=item.pk) == before
    assert not CaseStep.objects.exists()


def test_corrected_keeps_old_value_and_rechecks(item, personas):
    sam, carol, dave = personas["sam"], personas["carol"], personas["dave"]
    # the agency customer (the other is a bancassurance customer, outside carol's reach)
    member = item.members.get(policy__channel="agency")
    phone = Phone.objects.get(customer_id=member.customer_id)
    cs.problem_item_distribute(principal=Staff(sam), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    cs.problem_item_attach(
        principal=Staff(carol),
        item_id=item.pk,
        kind="investigator_report",
        description="r",
        filename="r.pdf",
        data=PDF,
    )
    attach_confirmation(Staff(carol), item.pk)
    cs.problem_item_submit(
        principal=Staff(carol),
        item_id=item.pk,
        outcome="corrected",
        findings="the agent typed his own phone",
        changes=[
            {
                "customer_id": member.customer_id,
                "field": "phone",
                "record_id": phone.pk,
                "value": "13912345678",
            }
        ],
    )
    # the true value is personal data: sealed on the item, masked on the timeline and in
    # the audit trail
    from veracity.audit.models import AuditEvent

    item.refresh_from_db()
    assert "13912345678" not in str(item.correction)
    assert "13912345678" not in str(list(CaseStep.objects.values_list("detail", flat=True)))
    assert "13912345678" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert item.correction["changes"][0]["value"] == "139****5678"
    cs.problem_item_verify(principal=Staff(dave), item_id=item.pk)
    phone.refresh_from_db()
    assert phone.number == "+8613912345678"
    old = [h.number for h in phone.history.order_by("history_date")]
    assert old[0] == "+8613800138000" and old[-1] == "+8613912345678"
    assert phone.history.latest().history_user == dave
    recheck = CaseStep.objects.get(item=item, action="recheck")
    assert recheck.detail["same_clue"] is False
    assert Evidence.objects.filter(item=item).count() == 2


def test_overdue_command_lists_and_notifies(item, personas):
    from io import StringIO

    from django.core.management import call_command

    from veracity.notify.models import Notification

    cs.problem_item_distribute(
        principal=Staff(personas["sam"]),
        item_id=item.pk,
        channel="agency",
        as_of=date(2026, 9, 30),
    )
    out = StringIO()
    call_command("cases", "overdue", "--as-of", "2026-10-12", "--notify", stdout=out)
    text = out.getvalue()
    assert "1 overdue" in text and "agency" in text
    # unclaimed: the channel's back-office is told, and compliance
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"carol", "dave"} <= told and "sam" not in told
