"""An escalated problem item names the seller(s) and/or the agency and the misconduct; once
verified, an escalation for false data leaves a penalty to decide that channel management
completes and submits for approval. Channel management receives its channel's problem list
and is told of the escalations in its channel."""

from __future__ import annotations

import pytest

from tests.cases.test_outcomes import DAY, _investigated
from veracity.cases import services as cs
from veracity.cases.listing import problem_items
from veracity.cases.models import Escalation
from veracity.cases.policy import CaseError
from veracity.conduct import penalties as ps
from veracity.conduct.models import Penalty
from veracity.core.refusals import Refusal
from veracity.notify.models import Notification
from veracity.org.models import StaffProfile
from veracity.org.principals import Staff
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db


def _escalate(item, personas, **kwargs):
    _investigated(item, personas)
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="escalated",
        findings="AG1 entered his own phone",
        **kwargs,
    )
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)


def test_seller_and_agency_named_with_the_misconduct(personas, book, item):
    StaffProfile.objects.filter(user=personas["nora"]).update(channel="agency")
    _escalate(
        item, personas, seller_codes=["AG1"], agency_code="AGY1", misconduct="substituted_contact"
    )
    escalations = Escalation.objects.order_by("seller__code")
    assert [(e.seller.code, e.misconduct) for e in escalations] == [
        ("AG1", "substituted_contact"),
        ("AGY1", "substituted_contact"),
    ]
    # channel management of the item's channel is told of the escalation
    told = Notification.objects.filter(kind="problem_item_escalated")
    assert "nora" in set(told.values_list("recipient__username", flat=True))
    # … and one penalty to decide per seller / agency, channel management told
    drafts = Penalty.objects.order_by("seller__code")
    assert [(p.seller.code, p.reason, p.measure, p.status) for p in drafts] == [
        ("AG1", "substituted_contact", "", "proposed"),
        ("AGY1", "substituted_contact", "", "proposed"),
    ]
    assert all(ps.is_draft(p) and ps.approval_of(p) is None for p in drafts)
    assert all(list(p.items.values_list("pk", flat=True)) == [item.pk] for p in drafts)
    to_decide = Notification.objects.filter(kind="penalty_to_decide")
    assert {"mike", "nora"} <= set(to_decide.values_list("recipient__username", flat=True))


def test_a_draft_is_completed_and_approved(personas, book, item):
    _escalate(item, personas, seller_codes=["AG1"])
    [draft] = Penalty.objects.all()
    assert draft.reason == "false_data"
    # the channel manager completes it: the measure, then it goes for approval
    with pytest.raises(Refusal) as refused:
        ps.penalty_submit(principal=Staff(personas["dave"]), penalty_id=draft.pk, measure="warning")
    assert refused.value.code == "penalty.not_allowed"
    ps.penalty_submit(principal=Staff(personas["nora"]), penalty_id=draft.pk, measure="demotion")
    draft.refresh_from_db()
    assert (draft.measure, draft.proposed_by) == ("demotion", personas["nora"])
    with pytest.raises(Refusal) as refused:
        ps.penalty_submit(principal=Staff(personas["nora"]), penalty_id=draft.pk, measure="warning")
    assert refused.value.code == "penalty.not_draft"
    ps.penalty_decide(principal=Staff(personas["mike"]), penalty_id=draft.pk, approve=True)
    draft.refresh_from_db()
    assert draft.status == Penalty.Status.APPROVED


def test_misselling_leaves_no_penalty_to_decide(personas, book, item):
    _escalate(item, personas, seller_codes=["AG1"], misconduct="misselling")
    assert Escalation.objects.get().misconduct == "misselling"
    assert not Penalty.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seller_codes": ["AG1"], "agency_code": "NOPE"}, "agency_code"),
        ({"seller_codes": ["AG1"], "misconduct": "bogus"}, "misconduct"),
        # refusing true data is an agency's misconduct
        ({"seller_codes": ["AG1"], "misconduct": "refused_true_data"}, "misconduct"),
    ],
)
def test_bad_escalations_are_refused(personas, book, item, kwargs, field):
    _investigated(item, personas)
    with pytest.raises(CaseError) as refused:
        cs.problem_item_submit(
            principal=Staff(personas["carol"]),
            item_id=item.pk,
            outcome="escalated",
            findings="x",
            **kwargs,
        )
    assert refused.value.field == field
    item.refresh_from_db()
    assert item.stage == "investigating"


def test_agency_alone(personas, book, item):
    _escalate(item, personas, agency_code="AGY1", misconduct="refused_true_data")
    assert [e.seller.code for e in Escalation.objects.all()] == ["AGY1"]
    assert not Penalty.objects.exists()  # not false data: channel management decides itself


def test_channel_management_receives_its_channels_problem_list(personas, book, item):
    def seen(user):
        listing = problem_items(
            principal=Staff(user, purpose="problem_item"), action="problems.list"
        )
        return [i.id for i in listing.items]

    assert seen(personas["nora"]) == []  # no channel on her profile
    channel = Policy.objects.filter(seller__code="AG1").values_list("channel", flat=True).first()
    StaffProfile.objects.filter(user=personas["nora"]).update(channel=channel)
    assert seen(personas["nora"]) == [item.pk]
