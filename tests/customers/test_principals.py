"""The customer register through each kind of principal: a customer and a system without a
person see no file; a system through its designated person sees what the person sees and is
recorded as the person for its reads, as the caller for its refusals; corrections and
classification are recorded under the principal's acting user."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from tests.customers.test_selectors import book  # noqa: F401 (fixture)
from tests.web.factories import HOLDER_PHONE
from veracity.audit.models import Action, AuditEvent
from veracity.customers.corrections import Change, customer_correct
from veracity.customers.models import Customer as CustomerFile
from veracity.customers.selectors import customer_detail, customer_search, visible_to
from veracity.customers.services import customer_classify
from veracity.org.principals import Customer, Staff, System, system, with_purpose

pytestmark = pytest.mark.django_db

CUSTOMER = Customer(customer_id=1, verified_by="sms", address="192.0.2.9")


@pytest.mark.parametrize("who", [CUSTOMER, system("job")], ids=["customer", "system"])
def test_a_principal_without_a_person_sees_no_file(who, book):  # noqa: F811
    assert not visible_to(principal=who, action="customers.view").exists()
    assert customer_search(principal=with_purpose(who, "callback"), query="芳", kind="name") == []
    before = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    with pytest.raises(Http404):
        customer_detail(book["wang"].pk, principal=with_purpose(who, "callback"))
    # nobody signed in: nothing to record as a refused person
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == before


def test_a_system_sees_through_its_person(personas, book):  # noqa: F811
    alice = personas["alice"]
    through = System("api:desk", person=alice, address="10.0.0.8")
    assert set(
        visible_to(principal=through, action="customers.view").values_list("pk", flat=True)
    ) == set(
        visible_to(principal=Staff(alice), action="customers.view").values_list("pk", flat=True)
    )
    found = customer_search(
        principal=with_purpose(through, "callback"), query=HOLDER_PHONE, kind="phone"
    )
    assert [c.pk for c in found] == [book["wang"].pk]
    read = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).latest("seq")
    assert (read.actor, read.actor_id, read.ip) == ("alice", alice.pk, "10.0.0.8")
    with pytest.raises(Http404):
        customer_detail(book["zhang"].pk, principal=with_purpose(through, "callback"))
    refusal = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).latest("seq")
    assert (refusal.actor, refusal.actor_id) == ("api:desk", alice.pk)


def test_a_correction_names_the_acting_user(personas, book):  # noqa: F811
    dave = personas["dave"]
    wang = book["wang"]
    customer_correct(
        changes=[Change(wang.pk, "name", "王晓芳")],
        principal=System("api:desk", person=dave),
        reason="r",
        as_of=date(2026, 11, 26),
    )
    latest = CustomerFile.history.filter(id=wang.pk).latest("history_date")  # type: ignore[attr-defined]
    assert (latest.name, latest.history_user) == ("王晓芳", dave)


def test_classification_is_recorded_as_the_acting_person(personas, book):  # noqa: F811
    customer_classify(
        customer_id=book["wang"].pk,
        classification="special",
        confidentiality="normal",
        custodian=None,
        principal=Staff(personas["ivan"], address="10.0.0.9"),
    )
    event = AuditEvent.objects.get(action=Action.CLASSIFY, object_id=str(book["wang"].pk))
    assert (event.actor, event.ip) == ("ivan", "10.0.0.9")
