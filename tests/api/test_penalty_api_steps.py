"""/api/v1/penalties: the steps the pages take that the API takes too — completing a penalty
to decide (left by a verified escalation for false data) and withdrawing a proposal —
through the same services; every refusal changes nothing and the forbidden ones are
recorded."""

from __future__ import annotations

import pytest

from tests.api.test_penalty_api import PROPOSAL, callers
from tests.conduct.conftest import _evidence_dir, book, item, team  # noqa: F401  (fixtures)
from tests.conduct.test_escalated_penalties import _escalate
from veracity.approvals.models import ApprovalRequest
from veracity.audit.models import AuditEvent
from veracity.conduct import penalties as ps
from veracity.conduct.models import Penalty

pytestmark = pytest.mark.django_db


@pytest.fixture
def systems(client, personas):
    return callers(client, personas)


@pytest.fixture
def draft(personas, book, item):  # noqa: F811
    _escalate(item, personas, seller_codes=["AG1"])
    [penalty] = Penalty.objects.all()
    assert ps.is_draft(penalty)
    return penalty


def _state(penalty_id: int) -> tuple:
    p = Penalty.objects.get(pk=penalty_id)
    return (p.status, p.reason, p.measure, p.amount, p.decided_on, p.note, p.proposed_by_id)


def _refused() -> int:
    return AuditEvent.objects.filter(action="access_refused").count()


def test_a_penalty_to_decide_is_completed_and_approved(systems, draft, personas):
    done = systems["nora"].post(
        f"/{draft.pk}/submit",
        {"measure": "commission_deduction", "amount": 800, "note": "两次虚假资料"},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["reason"], body["measure"], body["amount"]) == (
        "proposed",
        "false_data",
        "commission_deduction",
        "800.00",
    )
    assert [s["step"] for s in body["steps"]] == ["department_head"]
    draft.refresh_from_db()
    assert (draft.proposed_by, draft.note) == (personas["nora"], "两次虚假资料")
    # the same approval as a proposal's: the head of channel management approves
    approved = systems["mike"].post(f"/{draft.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert AuditEvent.objects.filter(
        action="api_call", object_type="penalty", object_id=str(draft.pk)
    ).exists()


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("dave", {"measure": "warning"}, 403, "penalty.not_allowed"),  # compliance
        ("none", {"measure": "warning"}, 403, "penalty.not_allowed"),  # may not read
        ("nora", {"measure": "commission_deduction"}, 400, "penalty.amount_required"),
        ("nora", {"measure": "cooperation_suspension"}, 400, "penalty.measure_kind"),
        ("nora", {"measure": "warning", "decided_on": "2026-13-01"}, 400, "penalty.decided_on"),
    ],
)
def test_refused_completions_change_nothing(systems, draft, who, body, status, code):
    before, refusals = _state(draft.pk), _refused()
    response = systems[who].post(f"/{draft.pk}/submit", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert _state(draft.pk) == before
    assert not ApprovalRequest.objects.filter(owner_label="penalty").exists()
    assert _refused() == refusals + 1


def test_a_penalty_already_sent_is_not_completed_again(systems, draft):
    assert systems["nora"].post(f"/{draft.pk}/submit", {"measure": "demotion"}).status_code == 200
    before, requests = _state(draft.pk), ApprovalRequest.objects.count()
    again = systems["mike"].post(f"/{draft.pk}/submit", {"measure": "warning"})
    assert again.status_code == 409 and again.json()["code"] == "penalty.not_draft"
    assert _state(draft.pk) == before and ApprovalRequest.objects.count() == requests


def test_wrong_shapes_and_unknown_penalties(systems, draft):
    before = _state(draft.pk)
    assert systems["nora"].post(f"/{draft.pk}/submit", {"measure": "fine"}).status_code == 422
    assert (
        systems["nora"].post(f"/{draft.pk}/submit", {"measure": "warning", "x": 1}).status_code
        == 422
    )
    assert systems["nora"].post(f"/{draft.pk}/submit", {}).status_code == 422
    assert systems["nora"].post("/999/submit", {"measure": "warning"}).status_code == 404
    assert systems["nora"].post("/999/withdraw").status_code == 404
    assert systems["nora"].post("/0/withdraw").status_code == 422
    assert _state(draft.pk) == before


def test_the_proposer_withdraws_a_proposal(systems, book):  # noqa: F811
    made = systems["nora"].post("", PROPOSAL).json()
    done = systems["nora"].post(f"/{made['id']}/withdraw")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "withdrawn"
    assert ApprovalRequest.objects.get(owner_label="penalty").status == "withdrawn"
    # withdrawn is final: neither withdrawn again nor approved
    again = systems["nora"].post(f"/{made['id']}/withdraw")
    assert again.status_code == 409 and again.json()["code"] == "penalty.not_pending"
    assert systems["mike"].post(f"/{made['id']}/approve").status_code == 409


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("mike", 403, "penalty.not_yours"),  # the approver is not the proposer
        ("dave", 403, "penalty.not_yours"),
        ("none", 403, "penalty.not_allowed"),  # may not read the register
    ],
)
def test_only_the_proposer_withdraws(systems, book, who, status, code):  # noqa: F811
    made = systems["nora"].post("", PROPOSAL).json()
    before, refusals = _state(made["id"]), _refused()
    response = systems[who].post(f"/{made['id']}/withdraw")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert _state(made["id"]) == before
    assert ApprovalRequest.objects.get(owner_label="penalty").status == "pending"
    assert _refused() == refusals + 1


def test_a_penalty_to_decide_is_not_withdrawn(systems, draft):
    before = _state(draft.pk)
    response = systems["nora"].post(f"/{draft.pk}/withdraw")
    assert response.status_code == 409 and response.json()["code"] == "penalty.not_pending"
    assert _state(draft.pk) == before
