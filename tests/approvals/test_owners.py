"""The owning apps on the engine: an access or destruction request opens an engine request
with its product plan, and the owners word the engine's refusals from the catalogue."""

from __future__ import annotations

import pytest

from veracity.access import governance
from veracity.approvals.models import ApprovalRequest
from veracity.approvals.services import approval_for
from veracity.core.approvals import DESTRUCTION_PLAN, access_plan
from veracity.core.refusals import CATALOGUE, Kind
from veracity.org.principals import system
from veracity.retention import services as retention


@pytest.mark.parametrize("module", [governance, retention], ids=["access", "retention"])
def test_every_owner_refusal_is_in_the_catalogue(module):
    for key, (code, kind, zh, en) in module._REFUSALS.items():
        assert CATALOGUE[key].zh == zh and CATALOGUE[key].en == en
        assert code.isupper() and isinstance(kind, Kind)
    assert set(module._FROM_ENGINE.values()) <= set(module._REFUSALS)
    engine_codes = {c for c in CATALOGUE if c.startswith("approval.")}
    assert {"approval.own_request", "approval.closed"} <= set(module._FROM_ENGINE) <= engine_codes


def test_owner_refusals_keep_their_stable_code_and_words():
    refusal = governance.GovernanceError(
        "access.not_approver", "approver", step_zh="客户服务部", step_en="customer service"
    )
    assert (refusal.code, refusal.field, refusal.kind) == (
        "NOT_APPROVER",
        "approver",
        Kind.FORBIDDEN,
    )
    assert refusal.message_zh == "此步骤须由客户服务部审批"
    assert refusal.message_en == "this step is for the customer service"
    held = retention.RetentionError(
        "retention.held", "records", shown_zh="A1、A2", shown_en="A1, A2"
    )
    assert held.code == "HELD" and held.message_zh == "A1、A2：处于法律保全中，不得销毁"
    assert (
        str(held) == "HELD records: A1, A2: under legal hold; never destroyed / " + held.message_zh
    )
    assert held.to_dict()["code"] == "HELD"


@pytest.mark.django_db
def test_an_access_request_opens_its_chain_on_the_engine(personas):
    from veracity.customers.models import Customer

    customer = Customer.objects.create(name="王芳")
    made = governance.access_request_submit(
        principal=system("t", person=personas["carol"]),
        customer_ids=[customer.pk],
        subject="s",
        purpose="callback",
        reason="r",
    )
    engine = approval_for("access_request", made.pk)
    assert engine is not None and engine.kind == "access.borrow"
    assert engine.step_plan == access_plan("borrow", classified=False)
    assert engine.requester_id == personas["carol"].pk and engine.status == "pending"
    governance.access_request_withdraw(
        principal=system("t", person=personas["carol"]), request_id=made.pk
    )
    made.refresh_from_db()
    engine.refresh_from_db()
    assert made.status == engine.status == ApprovalRequest.Status.WITHDRAWN
    assert made.decided_at == engine.decided_at


def test_the_destruction_plan_is_the_products():
    assert retention.APPROVAL_KIND == "retention.destruction"
    assert [s.name for s in DESTRUCTION_PLAN.steps] == [
        "information_manager",
        "customer_service_manager",
    ]
