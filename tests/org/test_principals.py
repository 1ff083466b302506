"""The typed principal: construction, the acting user, roles through a principal, and how
the audit trail records one."""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory

from veracity.audit.services import Actor
from veracity.org.actions import may
from veracity.org.principals import (
    Customer,
    Staff,
    System,
    acting_user,
    is_principal,
    is_system_reader,
    staff_or_user,
    system,
    with_address,
    with_purpose,
)
from veracity.org.roles import RoleName, has_role, roles_of


class _User:
    def __init__(self, pk: int = 7, active: bool = True) -> None:
        self.pk = pk
        self.is_active = active


def test_construction_defaults_and_frozen():
    user = _User()
    staff = Staff(user)
    assert (staff.user, staff.address, staff.purpose) == (user, "", "")
    client = System("api:core")
    assert (client.client_name, client.person, client.address, client.purpose) == (
        "api:core",
        None,
        "",
        "",
    )
    customer = Customer(customer_id=5, verified_by="sms")
    assert (customer.customer_id, customer.verified_by, customer.address) == (5, "sms", "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        staff.purpose = "x"  # type: ignore[misc]
    assert all(is_principal(p) for p in (staff, client, customer))
    assert not is_principal(user)


def test_acting_user():
    user, person = _User(1), _User(2)
    assert acting_user(Staff(user)) is user
    assert acting_user(System("api:core", person=person)) is person
    assert acting_user(System("api:core", person=_User(3, active=False))) is None
    assert acting_user(System("system:job")) is None
    assert acting_user(Customer(customer_id=1, verified_by="sms")) is None
    assert acting_user(None) is None


def test_system_reader_only_without_a_person():
    assert is_system_reader(System("system:job"))
    assert not is_system_reader(System("api:core", person=_User()))
    assert not is_system_reader(Staff(_User()))
    assert not is_system_reader(Customer(customer_id=1, verified_by="sms"))


def test_with_purpose_and_address_keep_the_rest():
    user = _User()
    staff = Staff(user, address="10.0.0.1")
    stated = with_purpose(staff, "investigation")
    assert stated == Staff(user, address="10.0.0.1", purpose="investigation")
    assert staff.purpose == ""
    assert with_address(System("api:core"), "10.0.0.2").address == "10.0.0.2"


def test_system_helper_and_staff_or_user():
    assert system("problems-cli") == System("system:problems-cli")
    user = _User()
    assert staff_or_user(user) == Staff(user)
    principal = System("api:core")
    assert staff_or_user(principal) is principal


def test_nobody_has_a_role_through_a_principal_without_a_user():
    assert roles_of(Staff(AnonymousUser())) == set()
    assert roles_of(System("system:job")) == set()
    assert roles_of(Customer(customer_id=1, verified_by="sms")) == set()
    assert not may(Customer(customer_id=1, verified_by="sms"), "home.view")
    assert not may(System("system:job"), "applications.check")


@pytest.mark.django_db
def test_roles_and_actions_through_a_principal():
    user = get_user_model().objects.create_user(username="p1", password="pw")
    group, _ = Group.objects.get_or_create(name=RoleName.COMPLIANCE.value)
    user.groups.add(group)
    assert roles_of(Staff(user)) == {RoleName.COMPLIANCE} == roles_of(user)
    assert roles_of(System("api:core", person=user)) == {RoleName.COMPLIANCE}
    assert has_role(Staff(user), RoleName.COMPLIANCE)
    assert may(Staff(user), "cases.verify")
    assert may(System("api:core", person=user), "cases.verify")
    assert not may(Staff(user), "audit.read")
    assert may(Staff(user), "home.view")


@pytest.mark.django_db
def test_actor_of_principal():
    user = get_user_model().objects.create_user(username="p2", password="pw")
    assert Actor.of_principal(Staff(user, address="10.0.0.1")) == Actor(
        label="p2", user_id=user.pk, ip="10.0.0.1"
    )
    assert Actor.of_principal(Staff(AnonymousUser(), address="10.0.0.3")) == Actor(
        label="anonymous", ip="10.0.0.3"
    )
    assert Actor.of_principal(System("api:core", person=user, address="10.0.0.2")) == Actor(
        label="api:core", user_id=user.pk, ip="10.0.0.2"
    )
    assert Actor.of_principal(system("detect")) == Actor.system("detect")
    assert Actor.of_principal(Customer(customer_id=9, verified_by="sms", address="1.2.3.4")) == (
        Actor(label="customer:9", ip="1.2.3.4")
    )
    with pytest.raises(TypeError):
        Actor.of_principal(user)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_web_builds_its_principal_in_one_place(settings):
    from veracity.web.views.common import principal_of

    settings.VERACITY_TRUSTED_PROXIES = ()
    user = get_user_model().objects.create_user(username="p3", password="pw")
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.5")
    request.user = user
    assert principal_of(request, purpose="review") == Staff(
        user, address="192.0.2.5", purpose="review"
    )


@pytest.mark.django_db
def test_the_api_builds_its_principal_in_one_place(settings):
    from veracity.access.models import ApiClient
    from veracity.api.auth import principal_of_client

    settings.VERACITY_TRUSTED_PROXIES = ()
    person = get_user_model().objects.create_user(username="p4", password="pw")
    client = ApiClient.objects.create(
        name="core", system="core", token_hash="h" * 64, designated_user=person
    )
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.6")
    request.auth = client
    assert principal_of_client(request) == System("api:core", person=person, address="192.0.2.6")
    assert principal_of_client(request, as_person=False) == System("api:core", address="192.0.2.6")
    person.is_active = False
    person.save()
    client.refresh_from_db()
    assert principal_of_client(request).person is None
