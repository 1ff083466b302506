"""The penalty register (D1.14, D1.22, D1.23): proposed by channel management, approved on
the engine by the head of the proposer's department (and the general manager for a
termination), never by the proposer; compliance told; a termination ends the seller's right to
sell; refusals audited with nothing changed."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from veracity.approvals.models import ApprovalRequest
from veracity.audit.models import AuditEvent
from veracity.conduct import penalties as ps
from veracity.conduct.models import Penalty
from veracity.core.refusals import Refusal
from veracity.notify.models import Notification
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Penalty.objects.values_list("pk", "status", "measure")),
        ApprovalRequest.objects.count(),
        Notification.objects.count(),
    )


def _refusals() -> int:
    return AuditEvent.objects.filter(action="access_refused").count()


def _propose(personas, **changes):
    values = {"seller_code": "AG1", "reason": "false_data", "measure": "warning"}
    values.update(changes)
    return ps.penalty_propose(principal=Staff(personas["nora"]), **values)


def test_proposed_then_approved_by_the_department_head(personas, book):
    penalty = _propose(personas, measure="commission_deduction", amount="500", note="代填电话")
    assert penalty.status == Penalty.Status.PROPOSED
    assert penalty.amount == Decimal("500")
    waiting = Notification.objects.filter(kind="penalty_waiting")
    assert list(waiting.values_list("recipient__username", flat=True)) == ["mike"]
    assert ps.decidable_step(penalty, principal=Staff(personas["nora"])) is None
    assert ps.decidable_step(penalty, principal=Staff(personas["mike"])).name == "department_head"
    done = ps.penalty_decide(principal=Staff(personas["mike"]), penalty_id=penalty.pk, approve=True)
    assert done.status == Penalty.Status.APPROVED
    assert done.decided_on is not None  # the decision's date
    told = Notification.objects.filter(kind="penalty_in_force")
    assert set(told.values_list("recipient__username", flat=True)) == {"dave"}
    assert all(n.link == f"/penalties/{penalty.pk}/" for n in told)
    assert Notification.objects.filter(kind="penalty_approved", recipient=personas["nora"]).exists()
    book["AG1"].refresh_from_db()
    assert book["AG1"].terminated_on is None  # a deduction ends nothing


def test_the_proposer_cannot_approve_their_own(personas, book):
    penalty = _propose(personas)
    before, refusals = _snapshot(), _refusals()
    with pytest.raises(Refusal) as refused:
        ps.penalty_decide(principal=Staff(personas["nora"]), penalty_id=penalty.pk, approve=True)
    assert refused.value.code == "penalty.own"
    assert _snapshot() == before  # nothing changed
    assert _refusals() == refusals + 1


def test_someone_else_than_the_head_cannot_approve(personas, book):
    penalty = _propose(personas)
    before = _snapshot()
    with pytest.raises(Refusal) as refused:
        ps.penalty_decide(principal=Staff(personas["dave"]), penalty_id=penalty.pk, approve=True)
    assert refused.value.code == "penalty.not_approver"
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["dave", "carol", "sam", "george", "alice"])
def test_only_channel_management_proposes(personas, book, who):
    before, refusals = _snapshot(), _refusals()
    with pytest.raises(Refusal) as refused:
        ps.penalty_propose(
            principal=Staff(personas[who]),
            seller_code="AG1",
            reason="false_data",
            measure="warning",
        )
    assert refused.value.code == "penalty.not_allowed"
    assert _snapshot() == before
    assert _refusals() == refusals + 1


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"seller_code": "NOPE"}, "penalty.unknown_seller", "seller_code"),
        ({"seller_code": "AGY1"}, "penalty.agency_as_seller", "seller_code"),
        ({"seller_code": "", "agency_code": "AG1"}, "penalty.unknown_agency", "agency_code"),
        ({"agency_code": "AGY1"}, "penalty.code_required", "seller_code"),
        ({"reason": "refused_true_data"}, "penalty.agency_reason", "reason"),
        ({"measure": "commission_deduction"}, "penalty.amount_required", "amount"),
        ({"measure": "cooperation_suspension"}, "penalty.measure_kind", "measure"),
        ({"policy_nos": ["P-NONE"]}, "penalty.unknown_policy", "policy_nos"),
        ({"decided_on": "2999-01-01"}, "penalty.decided_on", "decided_on"),
        ({"item_ids": [999999]}, "penalty.unknown_item", "items"),
    ],
)
def test_bad_proposals_change_nothing(personas, book, changes, code, field):
    before, refusals = _snapshot(), _refusals()
    with pytest.raises(Refusal) as refused:
        _propose(personas, **changes)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert _snapshot() == before
    assert _refusals() == refusals + 1


def test_termination_needs_the_general_manager_and_ends_the_right_to_sell(personas, book):
    penalty = _propose(personas, measure="contract_termination", decided_on="2026-10-15")
    ps.penalty_decide(principal=Staff(personas["mike"]), penalty_id=penalty.pk, approve=True)
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.PROPOSED  # the general manager's step waits
    assert Notification.objects.filter(
        kind="penalty_waiting", recipient=personas["george"]
    ).exists()
    # mike decided the first step: he cannot decide the second too
    with pytest.raises(Refusal):
        ps.penalty_decide(principal=Staff(personas["mike"]), penalty_id=penalty.pk, approve=True)
    ps.penalty_decide(principal=Staff(personas["george"]), penalty_id=penalty.pk, approve=True)
    penalty.refresh_from_db()
    assert (penalty.status, penalty.decided_on) == (Penalty.Status.APPROVED, date(2026, 10, 15))
    book["AG1"].refresh_from_db()
    assert book["AG1"].terminated_on == date(2026, 10, 15)
    event = AuditEvent.objects.filter(object_type="seller", object_id=str(book["AG1"].pk)).last()
    detail = json.loads(event.detail)
    assert (detail["terminated_on"], detail["penalty"]) == ("2026-10-15", penalty.pk)


def test_agency_cooperation_terminated(personas, book):
    penalty = _propose(
        personas,
        seller_code="",
        agency_code="AGY1",
        reason="refused_true_data",
        measure="cooperation_termination",
    )
    ps.penalty_decide(principal=Staff(personas["mike"]), penalty_id=penalty.pk, approve=True)
    ps.penalty_decide(principal=Staff(personas["george"]), penalty_id=penalty.pk, approve=True)
    book["AGY1"].refresh_from_db()
    assert book["AGY1"].terminated_on is not None


def test_rejection_tells_the_proposer_the_reason(personas, book):
    penalty = _propose(personas)
    with pytest.raises(Refusal) as refused:
        ps.penalty_decide(principal=Staff(personas["mike"]), penalty_id=penalty.pk, approve=False)
    assert refused.value.code == "penalty.rejection_reason"
    ps.penalty_decide(
        principal=Staff(personas["mike"]), penalty_id=penalty.pk, approve=False, reason="证据不足"
    )
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.REJECTED
    [note] = Notification.objects.filter(kind="penalty_rejected")
    assert note.recipient == personas["nora"] and "证据不足" in note.body
    assert not Notification.objects.filter(kind="penalty_in_force").exists()


def test_withdrawn_by_the_proposer(personas, book):
    penalty = _propose(personas)
    ps.penalty_withdraw(principal=Staff(personas["nora"]), penalty_id=penalty.pk)
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.WITHDRAWN
    assert ps.penalties_awaiting_count(principal=Staff(personas["mike"])) == 0


def test_awaiting_count(personas, book):
    _propose(personas)
    _propose(personas, reason="incomplete_data")
    assert ps.penalties_awaiting_count(principal=Staff(personas["mike"])) == 2
    assert ps.penalties_awaiting_count(principal=Staff(personas["nora"])) == 0
