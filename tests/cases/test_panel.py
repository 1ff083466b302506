"""The customer file's customer-360 panel (issue 12): the reader's loans of the file, its open
problem items, the access requests and grants about it — each as far as the reader may see
it — read with the file under one audit event that lists them by id."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.utils import timezone

from tests.web.factories import other_application, seller_for, store
from veracity.access.governance import access_request_decide, access_request_submit
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import ProblemItem
from veracity.cases.panel import customer_file
from veracity.detection.services import problem_item_add_manual
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(personas, application):
    """张伟 (another agent's customer, agency channel) with an open item and a closed one;
    alice borrowed his file for policy A2026110099 (approved by henry and sam); carol asked
    for it too (waiting for her department head, henry)."""
    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    customer = other.roles.get(role="policyholder").customer
    sam = Staff(personas["sam"])
    for reason in ("回访中客户称未签名", "已核实"):
        problem_item_add_manual(
            customer_ids=[customer.pk],
            reason=reason,
            business_date=timezone.localdate(),
            principal=sam,
        )
    open_item, closed_item = ProblemItem.objects.filter(rule="MANUAL").order_by("pk")
    ProblemItem.objects.filter(pk=closed_item.pk).update(status=ProblemItem.Status.CLOSED)
    asked = {}
    for who in ("alice", "carol"):
        asked[who] = access_request_submit(
            principal=Staff(personas[who]),
            customer_ids=[customer.pk],
            subject="核实保单",
            purpose="callback",
            reason="客户来电",
            policy_no="A2026110099" if who == "alice" else "",
        )
    for approver in ("henry", "sam"):
        access_request_decide(
            principal=Staff(personas[approver]), request_id=asked["alice"].pk, approve=True
        )
    return {"customer": customer, "item": open_item, **asked}


# reader → (loans, items, requests by requester, grants held by)
PANEL = {
    "alice": (1, 0, {"alice"}, {"alice"}),  # her loan; her own request and grant
    "carol": (0, 1, {"carol"}, set()),  # agency back-office: the item; her own request
    "henry": (0, 1, {"alice", "carol"}, set()),  # decided alice's; carol's waits for him
    "sam": (0, 1, {"alice"}, set()),  # decided alice's
    "dave": (0, 1, {"alice", "carol"}, {"alice"}),  # compliance oversees the register
    "mona": (0, 1, {"alice", "carol"}, {"alice"}),
}


@pytest.mark.parametrize("reader", sorted(PANEL))
def test_the_panel_per_role(personas, zhang, reader):
    user = personas[reader]
    file = customer_file(zhang["customer"].pk, principal=with_purpose(Staff(user), "callback"))
    loans, items, requesters, holders = PANEL[reader]
    assert len(file.loans) == loans
    assert [i.id for i in file.items] == ([zhang["item"].pk] if items else [])
    assert file.items_total == items
    assert {r.requester for r in file.requests} == requesters
    assert file.requests_total == len(file.requests)
    assert {g.holder for g in file.grants} == holders


def test_the_loan_says_why_for_what_and_until_when(personas, zhang):
    file = customer_file(
        zhang["customer"].pk, principal=with_purpose(Staff(personas["alice"]), "callback")
    )
    [loan] = file.loans
    grant = zhang["alice"].grants.get()
    assert (loan.grant_id, loan.request_id, loan.policy_no, loan.item_id) == (
        grant.pk,
        zhang["alice"].pk,
        "A2026110099",
        None,
    )
    assert loan.ends_at == grant.ends_at and loan.purpose == "回访"
    [row] = file.grants
    assert row.state == "open"
    # the request row says what it was for
    [request] = file.requests
    assert request.policy_no == "A2026110099" and request.status == "approved"


def test_the_panel_is_read_with_the_file_under_one_audit_event(personas, zhang):
    before = AuditEvent.objects.count()
    file = customer_file(
        zhang["customer"].pk, principal=with_purpose(Staff(personas["dave"]), "compliance_check")
    )
    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert (event.action, event.object_type, event.customer_id, event.purpose) == (
        Action.VIEW_PERSONAL_DATA,
        "customer",
        zhang["customer"].pk,
        "compliance_check",
    )
    assert json.loads(event.detail)["shown"] == {
        "problem_items": [zhang["item"].pk],
        "access_requests": [r.id for r in file.requests],
        "access_grants": [g.id for g in file.grants],
    }
    # ids only: nothing personal about the customer in the trail
    assert zhang["customer"].name not in event.detail


@pytest.mark.parametrize("reader", ["audrey", "george"])
def test_no_panel_without_the_file(personas, zhang, reader):
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        customer_file(
            zhang["customer"].pk, principal=with_purpose(Staff(personas[reader]), "callback")
        )
    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert event.action == Action.ACCESS_REFUSED  # the refusal only, no panel read


def test_a_returned_loan_leaves_the_panel_and_the_file(personas, zhang):
    from veracity.access.governance import grant_return

    alice = with_purpose(Staff(personas["alice"]), "callback")
    grant_return(principal=alice, grant=zhang["alice"].grants.get())
    with pytest.raises(Http404):
        customer_file(zhang["customer"].pk, principal=alice)
    file = customer_file(
        zhang["customer"].pk, principal=with_purpose(Staff(personas["dave"]), "callback")
    )
    assert [g.state for g in file.grants] == ["returned"]
