"""/api/v1/penalties: a penalty proposed and approved through the API by two people (each
system's designated person); the proposer cannot approve their own; refusals change nothing."""

from __future__ import annotations

import pytest

from veracity.access.models import ApiClient
from veracity.audit.models import AuditEvent
from veracity.conduct.models import Penalty
from veracity.notify.models import Notification
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db


class Caller:
    """An API client of the penalty register with its designated person (or none)."""

    def __init__(self, client, personas, name: str, designated: str | None) -> None:
        made, token = ApiClient.issue(name=name, system="core")
        if designated:
            made.designated_user = personas[designated]
            made.save(update_fields=["designated_user"])
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: dict | None = None) -> object:
        return self.client.post(
            f"/api/v1/penalties{path}",
            body if body is not None else {},
            content_type="application/json",
            headers=self.headers,
        )

    def get(self, path: str) -> object:
        return self.client.get(f"/api/v1/penalties{path}", headers=self.headers)


def callers(client, personas) -> dict[str, Caller]:
    """Channel management (nora proposes, mike heads it), the general manager, compliance,
    and a system without a designated person."""
    return {
        "nora": Caller(client, personas, "channel-desk", "nora"),
        "mike": Caller(client, personas, "channel-head", "mike"),
        "george": Caller(client, personas, "gm-desk", "george"),
        "dave": Caller(client, personas, "compliance-desk", "dave"),
        "none": Caller(client, personas, "nobody", None),
    }


@pytest.fixture
def systems(client, personas):
    Seller.objects.create(code="AG1", kind=SellerKind.AGENT, name="李爱丽")
    return callers(client, personas)


PROPOSAL = {
    "seller_code": "AG1",
    "reason": "false_data",
    "measure": "contract_termination",
    "decided_on": "2026-10-15",
}


def test_proposed_and_approved_by_two_people(systems, personas):
    made = systems["nora"].post("", PROPOSAL)
    assert made.status_code == 200, made.content
    body = made.json()
    assert body["status"] == "proposed"
    assert [s["step"] for s in body["steps"]] == ["department_head", "general_manager"]
    pk = body["id"]
    # the proposer cannot approve her own: refused, recorded, nothing changed
    refusals = AuditEvent.objects.filter(action="access_refused").count()
    own = systems["nora"].post(f"/{pk}/approve", {})
    assert own.status_code == 403 and own.json()["code"] == "penalty.own"
    assert AuditEvent.objects.filter(action="access_refused").count() == refusals + 1
    assert Penalty.objects.get(pk=pk).status == "proposed"
    first = systems["mike"].post(f"/{pk}/approve", {})
    assert first.status_code == 200 and first.json()["steps"][0]["by"] == "mike"
    second = systems["george"].post(f"/{pk}/approve", {})
    assert second.status_code == 200
    assert second.json()["status"] == "approved"
    seller = Seller.objects.get(code="AG1")
    assert seller.terminated_on is not None and seller.terminated_on.isoformat() == "2026-10-15"
    assert Notification.objects.filter(kind="penalty_in_force", recipient=personas["dave"]).exists()
    assert systems["dave"].get(f"/{pk}").json()["status"] == "approved"


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("dave", PROPOSAL, 403, "penalty.not_allowed"),  # compliance does not propose
        ("none", PROPOSAL, 403, "penalty.person_required"),
        ("nora", {**PROPOSAL, "seller_code": "NOPE"}, 400, "penalty.unknown_seller"),
        ("nora", {**PROPOSAL, "reason": "refused_true_data"}, 400, "penalty.agency_reason"),
        ("nora", {**PROPOSAL, "measure": "commission_deduction"}, 400, "penalty.amount_required"),
    ],
)
def test_refused_proposals_change_nothing(systems, who, body, status, code):
    refusals = AuditEvent.objects.filter(action="access_refused").count()
    response = systems[who].post("", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Penalty.objects.exists()
    assert AuditEvent.objects.filter(action="access_refused").count() == refusals + 1


def test_wrong_shapes_are_422(systems):
    assert systems["nora"].post("", {**PROPOSAL, "amount": "500"}).status_code == 422
    assert systems["nora"].post("", {**PROPOSAL, "extra": 1}).status_code == 422
    assert systems["nora"].get("/0").status_code == 422
    assert systems["dave"].get("/999").status_code == 404
