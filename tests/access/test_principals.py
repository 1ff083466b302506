"""Access requests, decisions, returns and exports through each kind of principal: the acting
user requests, decides and returns; the trail names the principal as the caller; a principal
without a person (a customer, a system alone) requests, returns and exports nothing."""

from __future__ import annotations

import pytest

from tests.access.test_governance import borrow, files, refused  # noqa: F401 (fixture)
from tests.web.test_problems import approve_export
from veracity.access.governance import (
    access_grants_return,
    access_request_decide,
    access_request_submit,
    access_request_withdraw,
    export_authorisation,
    export_record,
    may_decide,
    requests_awaiting,
)
from veracity.access.models import AccessRequest
from veracity.audit.models import Action, AuditEvent
from veracity.org.principals import Customer, Staff, System, system

pytestmark = pytest.mark.django_db

CUSTOMER = Customer(customer_id=1, verified_by="sms", address="192.0.2.9")


@pytest.mark.parametrize("who", [CUSTOMER, system("job")], ids=["customer", "system"])
def test_a_principal_without_a_person_requests_nothing(who, files):  # noqa: F811
    before = AccessRequest.objects.count()
    refusal = refused(
        "PERSON_REQUIRED",
        lambda: access_request_submit(
            principal=who,
            customer_ids=[files["other"]],
            subject="s",
            purpose="callback",
            reason="r",
        ),
    )
    assert refusal.field == "requester"
    assert AccessRequest.objects.count() == before


def test_a_staff_request_is_the_users_own_and_recorded_at_their_address(personas, files):  # noqa: F811
    alice = personas["alice"]
    made = access_request_submit(
        principal=Staff(alice, address="10.0.0.5"),
        customer_ids=[files["other"]],
        subject="s",
        purpose="callback",
        reason="r",
    )
    assert made.requester == alice
    event = AuditEvent.objects.get(action=Action.ACCESS_REQUEST, object_id=str(made.pk))
    assert (event.actor, event.actor_id, event.ip) == ("alice", alice.pk, "10.0.0.5")


def test_a_system_decides_through_its_person_and_is_named_as_the_caller(personas, files):  # noqa: F811
    made = borrow(personas, files)
    henry = personas["henry"]
    access_request_decide(
        request_id=made.pk, principal=System("api:desk", person=henry), approve=True
    )
    [event] = AuditEvent.objects.filter(action=Action.APPROVAL, object_id=str(made.pk))
    assert (event.actor, event.actor_id) == ("api:desk", henry.pk)


def test_withdraw_and_return_need_the_requesters_person(personas, files):  # noqa: F811
    made = borrow(personas, files)
    refused("NOT_YOURS", lambda: access_request_withdraw(request_id=made.pk, principal=CUSTOMER))
    refused("NOTHING", lambda: access_grants_return(request_id=made.pk, principal=system("job")))
    done = access_request_withdraw(request_id=made.pk, principal=Staff(personas["alice"]))
    assert done.status == AccessRequest.Status.WITHDRAWN


def test_an_export_needs_a_persons_approval_and_names_the_requester(personas):
    sam = personas["sam"]
    made = approve_export(sam, personas["ivan"])
    assert export_authorisation("problem_items", principal=Staff(sam)) == made
    assert export_authorisation("problem_items", principal=System("api:x", person=sam)) == made
    assert export_authorisation("problem_items", principal=system("job")) is None
    assert export_authorisation("problem_items", principal=CUSTOMER) is None
    # a system reading alone under its person's approval: the watermark names the person
    watermark = export_record(principal=System("api:x"), request=made, what="problem_items", rows=3)
    assert "Exported by: sam" in watermark
    event = AuditEvent.objects.get(action=Action.EXPORT, object_id=str(made.pk))
    assert (event.actor, event.actor_id) == ("api:x", None)


def test_what_awaits_a_decision_is_the_acting_users(personas, files):  # noqa: F811
    made = borrow(personas, files)
    henry = personas["henry"]
    assert may_decide(made, principal=Staff(henry))
    assert may_decide(made, principal=System("api:desk", person=henry))
    assert made in requests_awaiting(principal=Staff(henry))
    for nobody in (CUSTOMER, system("job")):
        assert not may_decide(made, principal=nobody)
        assert requests_awaiting(principal=nobody) == []
