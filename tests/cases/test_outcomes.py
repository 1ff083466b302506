"""What a verified result does (PW-4, PW-5): a correction is written with the old value kept
and the customer re-checked; an explanation lifts the clue for those customers until their
data changes or a stranger joins; an escalation is recorded against the seller and
referred to those who supervise."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.cases.conftest import PDF, attach_confirmation
from tests.cases.test_listing import ACTOR, _apply, _person
from veracity.audit.models import AuditEvent
from veracity.cases import services as cs
from veracity.cases.models import CaseStep, ClueExplanation, Escalation, ProblemItem
from veracity.cases.policy import CaseError
from veracity.customers.models import Customer, IdentityDocument, Phone
from veracity.detection.services import detection_run
from veracity.notify.models import Notification
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

DAY = date(2026, 9, 30)


def _investigated(item: ProblemItem, users: dict[str, Any]) -> None:
    cs.problem_item_distribute(
        principal=Staff(users["sam"]), item_id=item.pk, channel="agency", as_of=DAY
    )
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


def _customers(item: ProblemItem) -> list[int]:
    return sorted(set(item.members.values_list("customer_id", flat=True)))


def _shared_phone_items(status: str = "open") -> list[ProblemItem]:
    return list(ProblemItem.objects.filter(rule="SHARED_PHONE", status=status).order_by("pk"))


# --- corrected ------------------------------------------------------------------------------


def test_corrected_keeps_history_and_records_the_gate_findings(item, personas):
    """The agent typed the wrong sex: corrected to M, which the (female) ID number
    contradicts — the re-check says so on the timeline."""
    _investigated(item, personas)
    first = _customers(item)[0]
    customer = Customer.objects.get(pk=first)
    assert customer.sex == "F"
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="corrected",
        findings="sex entered wrong",
        changes=[{"customer_id": first, "field": "sex", "value": "男"}],
    )
    customer.refresh_from_db()
    assert customer.sex == "F"  # nothing is written before verification
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)
    customer.refresh_from_db()
    assert customer.sex == "M"
    history = list(customer.history.order_by("history_date").values_list("sex", flat=True))
    assert history[0] == "F" and history[-1] == "M"
    latest = customer.history.latest()
    assert latest.history_user == personas["dave"]
    assert latest.history_change_reason == f"problem item #{item.pk}"
    actions = list(item.steps.values_list("action", flat=True))
    assert actions[-3:] == ["verify", "correct", "recheck"]
    recheck = CaseStep.objects.get(item=item, action="recheck")
    assert "ID_SEX_MISMATCH" in recheck.detail["gate"][str(first)]
    # the phone was not corrected: the clue still stands
    assert recheck.detail["same_clue"] is True


def test_a_member_outside_the_investigators_reach_is_not_corrected_by_them(item, personas):
    _investigated(item, personas)
    stranger = item.members.get(policy__channel="bancassurance").customer_id
    phone = Phone.objects.get(customer_id=stranger)
    before = ProblemItem.objects.values().get(pk=item.pk)
    with pytest.raises(CaseError) as refused:
        cs.problem_item_submit(
            principal=Staff(personas["carol"]),
            item_id=item.pk,
            outcome="corrected",
            findings="x",
            changes=[
                {
                    "customer_id": stranger,
                    "field": "phone",
                    "record_id": phone.pk,
                    "value": "13912345678",
                }
            ],
        )
    assert refused.value.field == "changes[0].customer_id"
    assert ProblemItem.objects.values().get(pk=item.pk) == before


def test_corrected_phone_lifts_the_clue(item, personas):
    _investigated(item, personas)
    # the agency customer: the other one is outside the agency back-office's reach
    last = item.members.get(policy__channel="agency").customer_id
    phone = Phone.objects.get(customer_id=last)
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="corrected",
        findings="the agent's mistake",
        changes=[
            {"customer_id": last, "field": "phone", "record_id": phone.pk, "value": "13912345678"}
        ],
    )
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)
    recheck = CaseStep.objects.get(item=item, action="recheck")
    assert recheck.detail["gate"] == {str(last): []}
    assert recheck.detail["same_clue"] is False
    old = list(phone.history.order_by("history_date").values_list("number", flat=True))
    assert old == ["+8613800138000", "+8613912345678"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"field": "phone", "value": "12345", "record_id": "phone"}, "changes[0].value"),
        ({"field": "birth_date", "value": "1985-02-30"}, "changes[0].value"),
        ({"field": "sex", "value": "X"}, "changes[0].value"),
        ({"field": "name", "value": "  "}, "changes[0].value"),
        ({"field": "email", "value": "a@b.cn"}, "changes[0].field"),
        ({"field": "phone", "value": "13912345678"}, "changes[0].record_id"),
        ({"field": "name", "value": "王芳", "customer_id": "stranger"}, "changes[0].customer_id"),
    ],
)
def test_invalid_correction_refused_at_submit(change, field, item, personas):
    _investigated(item, personas)
    first = _customers(item)[0]
    stranger = Customer.objects.exclude(pk__in=_customers(item)).first()
    if stranger is None:
        stranger = Customer.objects.create(name="外人")
    change = {"customer_id": first, **change}
    if change.get("record_id") == "phone":
        change["record_id"] = Phone.objects.get(customer_id=first).pk
    if change["customer_id"] == "stranger":
        change["customer_id"] = stranger.pk
    before = (
        ProblemItem.objects.values().get(pk=item.pk),
        CaseStep.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(CaseError) as refused:
        cs.problem_item_submit(
            principal=Staff(personas["carol"]),
            item_id=item.pk,
            outcome="corrected",
            findings="x",
            changes=[change],
        )
    assert (refused.value.code, refused.value.field) == ("correction", field)
    assert refused.value.message_zh and refused.value.message_en
    after = (
        ProblemItem.objects.values().get(pk=item.pk),
        CaseStep.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_correction_to_another_customers_id_number_refused_at_verify(item, personas):
    """Detected only when the change is applied: verification is refused, nothing of it
    stays (the item still awaits verification), and the field is named."""
    _investigated(item, personas)
    first, second = _customers(item)
    mine = IdentityDocument.objects.get(customer_id=first)
    theirs = IdentityDocument.objects.get(customer_id=second)
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="corrected",
        findings="ID typed from the other form",
        changes=[
            {
                "customer_id": first,
                "field": "id_number",
                "record_id": mine.pk,
                "value": theirs.number,
            }
        ],
    )
    before = (
        ProblemItem.objects.values().get(pk=item.pk),
        CaseStep.objects.count(),
        AuditEvent.objects.count(),
        mine.history.count(),
    )
    with pytest.raises(CaseError) as refused:
        cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)
    assert (refused.value.code, refused.value.field) == ("correction", "changes[0].value")
    assert "merge" in refused.value.message_en
    after = (
        ProblemItem.objects.values().get(pk=item.pk),
        CaseStep.objects.count(),
        AuditEvent.objects.count(),
        mine.history.count(),
    )
    assert after == before
    mine.refresh_from_db()
    assert mine.number != theirs.number


# --- explained ------------------------------------------------------------------------------


def _explained_and_closed(item: ProblemItem, users: dict[str, Any]) -> None:
    _investigated(item, users)
    cs.problem_item_submit(
        principal=Staff(users["carol"]),
        item_id=item.pk,
        outcome="explained",
        findings="a married couple",
    )
    cs.problem_item_verify(principal=Staff(users["dave"]), item_id=item.pk, as_of=DAY)
    cs.problem_item_close(principal=Staff(users["dave"]), item_id=item.pk)


def test_explanation_recorded(item, personas):
    _explained_and_closed(item, personas)
    [explanation] = ClueExplanation.objects.all()
    assert (explanation.rule, explanation.key, explanation.item_id) == (
        "SHARED_PHONE",
        item.key,
        item.pk,
    )
    assert explanation.customer_ids == _customers(item)


@pytest.mark.parametrize("full", [False, True])
def test_rerun_does_not_reopen_an_explained_clue(full, item, personas):
    _explained_and_closed(item, personas)
    run = detection_run(business_date=date(2026, 10, 8), full=full, actor=ACTOR)
    assert _shared_phone_items() == []
    assert run.counts["SHARED_PHONE"]["explained"] == (
        1 if full else run.counts["SHARED_PHONE"]["clues"]
    )
    assert [i.pk for i in _shared_phone_items("closed")] == [item.pk]


@pytest.mark.parametrize("full", [False, True])
def test_a_new_stranger_on_the_phone_reopens_it(full, item, personas):
    _explained_and_closed(item, personas)
    newcomer = _apply("L3", _person("钱三多", "1982-01-01", "13800138000"))
    run = detection_run(business_date=date(2026, 10, 8), full=full, actor=ACTOR)
    assert run.counts["SHARED_PHONE"]["opened"] == 1
    [reopened] = _shared_phone_items()
    assert reopened.key == item.key and reopened.pk != item.pk
    assert reopened.stage == "new"
    customers = _customers(reopened)
    assert len(customers) == 3
    assert set(_customers(item)) < set(customers)
    assert newcomer.roles.filter(customer_id__in=customers).exists()


def _rename(customer_id: int, user: Any) -> None:
    from veracity.customers.corrections import Change, customer_correct

    customer_correct(
        changes=[Change(customer_id, "name", "王晓芳")],
        principal=Staff(user),
        reason="renamed",
        as_of=DAY,
    )


def _phone_reentered(customer_id: int, user: Any) -> None:
    """The customer's record of the shared number is removed and entered again."""
    phone = Phone.objects.get(customer_id=customer_id)
    values = {f: getattr(phone, f) for f in ("number", "number_bidx", "kind", "valid")}
    phone.delete()
    Phone.objects.create(customer_id=customer_id, **values)


@pytest.mark.parametrize("full", [True, False])
def test_a_change_to_the_shared_value_reopens_it(full, item, personas):
    """The explanation rests on the data as it was; when the records of the shared value
    change, it is lifted and the clue is raised again for the same customers — by the
    nightly run and the back-check alike."""
    _explained_and_closed(item, personas)
    _phone_reentered(_customers(item)[-1], personas["sam"])
    detection_run(business_date=date(2026, 10, 8), full=full, actor=ACTOR)
    [reopened] = _shared_phone_items()
    assert reopened.key == item.key and reopened.pk != item.pk
    assert _customers(reopened) == _customers(item)


@pytest.mark.parametrize("full", [True, False])
def test_a_change_beside_the_shared_value_does_not(full, item, personas):
    """A renamed customer does not change the shared phone: both runs keep the explanation
    (they agree, as an incremental run must agree with a full one)."""
    _explained_and_closed(item, personas)
    _rename(_customers(item)[0], personas["sam"])
    detection_run(business_date=date(2026, 10, 8), full=full, actor=ACTOR)
    assert _shared_phone_items() == []


def test_a_stranger_joining_after_the_findings_is_not_closed_unseen(item, personas):
    """A run adds a newcomer to the item after the findings (here: verified, not yet
    closed): the item cannot close until the investigator has looked at them too."""
    carol, dave = personas["carol"], personas["dave"]
    _investigated(item, personas)
    cs.problem_item_submit(
        principal=Staff(carol), item_id=item.pk, outcome="explained", findings="a couple"
    )
    cs.problem_item_verify(principal=Staff(dave), item_id=item.pk, as_of=DAY)
    _apply("L3", _person("钱三多", "1982-01-01", "13800138000"))
    detection_run(business_date=date(2026, 10, 8), full=False, actor=ACTOR)
    assert item.members.values("customer_id").distinct().count() == 3
    before = ProblemItem.objects.values().get(pk=item.pk)
    with pytest.raises(CaseError) as refused:
        cs.problem_item_close(principal=Staff(dave), item_id=item.pk)
    assert (refused.value.code, refused.value.field) == ("new_members", "members")
    assert ProblemItem.objects.values().get(pk=item.pk) == before
    cs.problem_item_return(principal=Staff(dave), item_id=item.pk, reason="a third customer joined")
    cs.problem_item_submit(
        principal=Staff(carol),
        item_id=item.pk,
        outcome="explained",
        findings="the third is their lodger; all confirmed",
    )
    cs.problem_item_verify(principal=Staff(dave), item_id=item.pk, as_of=DAY)
    cs.problem_item_close(principal=Staff(dave), item_id=item.pk)
    detection_run(business_date=date(2026, 10, 9), full=True, actor=ACTOR)
    assert not _shared_phone_items(), "explained for all three: not raised again"


def test_a_newcomer_before_verification_is_refused_at_verify(item, personas):
    carol, dave = personas["carol"], personas["dave"]
    _investigated(item, personas)
    cs.problem_item_submit(
        principal=Staff(carol), item_id=item.pk, outcome="explained", findings="a couple"
    )
    _apply("L3", _person("钱三多", "1982-01-01", "13800138000"))
    detection_run(business_date=date(2026, 10, 8), full=False, actor=ACTOR)
    with pytest.raises(CaseError) as refused:
        cs.problem_item_verify(principal=Staff(dave), item_id=item.pk, as_of=DAY)
    assert refused.value.code == "new_members"


# --- escalated ------------------------------------------------------------------------------


def test_escalated_recorded_against_the_seller_and_referred(item, personas):
    _investigated(item, personas)
    before = set(Notification.objects.values_list("pk", flat=True))
    # two sellers on the item (AG1 and BK7): the investigator must say whose misconduct
    with pytest.raises(CaseError) as refused:
        cs.problem_item_submit(
            principal=Staff(personas["carol"]),
            item_id=item.pk,
            outcome="escalated",
            findings="x",
        )
    assert refused.value.field == "seller_codes"
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="escalated",
        findings="AG1 entered his own phone for the customer",
        seller_codes=["AG1"],
    )
    assert not Escalation.objects.exists()  # only once verified
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)
    [escalation] = Escalation.objects.all()
    assert (escalation.seller.code, escalation.item_id, escalation.escalated_by) == (
        "AG1",
        item.pk,
        personas["dave"],
    )
    assert escalation.reason == "AG1 entered his own phone for the customer"
    step = CaseStep.objects.get(item=item, action="escalate")
    assert step.detail == {"sellers": ["AG1"], "misconduct": "false_data"}
    notes = Notification.objects.exclude(pk__in=before).filter(kind="problem_item_escalated")
    told = sorted(notes.values_list("recipient__username", flat=True))
    # compliance, the agency channel's back-office, AG1's team leader — each once
    assert told == ["carol", "dave", "henry", "terry"]
    assert all("AG1" in n.body and n.link == f"/problems/{item.pk}/" for n in notes)


def test_escalated_single_seller_needs_no_choice(personas, team):
    """An item whose policies have one seller is escalated against that seller."""
    from tests.cases.test_listing import make_items  # noqa: F401 - same helpers

    _apply("S1", _person("孙一", "1983-01-01", "13700137000"))
    _apply("S2", _person("孙二", "1984-01-01", "13700137000"))
    detection_run(business_date=DAY, full=True, actor=ACTOR)
    [item] = ProblemItem.objects.filter(rule="SHARED_PHONE")
    _investigated(item, personas)
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="escalated",
        findings="misconduct",
    )
    item.refresh_from_db()
    assert item.correction == {"sellers": ["AG1"], "misconduct": "false_data"}
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)
    assert list(Escalation.objects.values_list("seller__code", flat=True)) == ["AG1"]
