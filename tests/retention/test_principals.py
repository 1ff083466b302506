"""Who acts in retention: a member of staff by their roles; an API client through its
designated person, whose roles apply and whom the trail records; a command or the scheduled
inspection as a system without a person (it changes rules and inspects as itself, and
records no user); a customer never."""

from __future__ import annotations

import pytest

from tests.retention.conftest import AS_OF
from veracity.audit.models import Action, AuditEvent
from veracity.org.principals import Customer, Staff, System, system
from veracity.retention.models import LegalHold, RecordClass
from veracity.retention.services import (
    RetentionError,
    approval_step_for,
    destruction_request_submit,
    inspection_run,
    legal_hold_place,
    retention_rule_set,
)

pytestmark = pytest.mark.django_db

ENDED = RecordClass.CUSTOMER_POLICIES_ENDED


def test_the_services_take_the_principal_by_keyword_only(personas, book):
    with pytest.raises(TypeError):
        legal_hold_place(book.wang.pk, "诉讼", Staff(personas["ivan"]))  # type: ignore[misc]
    with pytest.raises(TypeError):
        legal_hold_place(customer_id=book.wang.pk, reason="诉讼", user=personas["ivan"])  # type: ignore[call-arg]
    assert not LegalHold.objects.exists()


def test_an_api_client_acts_through_its_person(personas, book):
    client = System("api:archive", person=personas["ivan"], address="10.1.1.1")
    hold = legal_hold_place(customer_id=book.wang.pk, reason="诉讼", principal=client)
    assert hold.placed_by == personas["ivan"]
    event = AuditEvent.objects.get(action=Action.LEGAL_HOLD)
    assert (event.actor, event.actor_id, event.ip) == ("ivan", personas["ivan"].pk, "10.1.1.1")


@pytest.mark.parametrize(
    "who",
    ["job", "customer", "client of alice", "client of an inactive manager", "anonymous"],
)
def test_nobody_without_a_retention_role_holds_or_asks_for_destruction(personas, book, who):
    from django.contrib.auth.models import AnonymousUser

    inactive = personas["mona"]
    if who == "client of an inactive manager":
        inactive.is_active = False
        inactive.save()
    principal = {
        "job": system("t"),
        "customer": Customer(customer_id=book.wang.pk, verified_by="sms"),
        "client of alice": System("api:x", person=personas["alice"]),
        "client of an inactive manager": System("api:x", person=inactive),
        "anonymous": Staff(AnonymousUser()),
    }[who]
    events = AuditEvent.objects.count()
    with pytest.raises(RetentionError) as refused:
        legal_hold_place(customer_id=book.wang.pk, reason="诉讼", principal=principal)
    assert refused.value.code == "NOT_ALLOWED"
    with pytest.raises(RetentionError) as refused:
        destruction_request_submit(
            principal=principal, reason="x", customer_ids=[book.son.pk], as_of=AS_OF
        )
    assert refused.value.code == "NOT_ALLOWED"
    assert AuditEvent.objects.count() == events
    assert not LegalHold.objects.exists()


def test_a_command_changes_a_rule_and_inspects_as_itself(rules):
    rule = retention_rule_set(record_class=ENDED, years=12, principal=system("retention-cli"))
    assert rule.years == 12 and rule.updated_by is None
    event = AuditEvent.objects.get(action=Action.CHANGE, object_type="retention_rule")
    assert (event.actor, event.actor_id) == ("system:retention-cli", None)
    record = inspection_run(principal=system("t"), period="2026-H1")
    assert record.performed_by is None and record.performed_label == "system:t"


def test_a_customer_neither_changes_rules_nor_inspects(rules, personas):
    customer = Customer(customer_id=1, verified_by="sms")
    with pytest.raises(RetentionError) as refused:
        retention_rule_set(record_class=ENDED, years=12, principal=customer)
    assert refused.value.code == "NOT_ALLOWED"
    with pytest.raises(RetentionError) as refused:
        inspection_run(principal=customer, period="2026-H1")
    assert refused.value.code == "NOT_ALLOWED"
    with pytest.raises(RetentionError):
        retention_rule_set(
            record_class=ENDED, years=12, principal=System("api:x", person=personas["alice"])
        )


def test_the_step_a_principal_may_decide(personas, book):
    request = destruction_request_submit(
        principal=Staff(personas["admin"]),
        reason="retention period expired",
        customer_ids=[book.son.pk],
        as_of=AS_OF,
    )
    assert approval_step_for(request, principal=Staff(personas["ivan"])) is not None
    assert approval_step_for(
        request, principal=System("api:x", person=personas["ivan"])
    ) == approval_step_for(request, principal=Staff(personas["ivan"]))
    assert approval_step_for(request, principal=system("t")) is None
    assert approval_step_for(request, principal=Customer(customer_id=1, verified_by="sms")) is None
    assert approval_step_for(request, principal=Staff(personas["admin"])) is None
