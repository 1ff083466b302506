"""Staff roles: the names, their labels, and who holds them (Django groups)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from veracity.access import roles as access_roles
from veracity.org.roles import ROLE_LABELS, RoleName, has_role, roles_of


def test_every_role_has_a_label():
    assert set(ROLE_LABELS) == set(RoleName)


def test_access_re_exports_the_same_objects():
    assert access_roles.RoleName is RoleName
    assert access_roles.ROLE_LABELS is ROLE_LABELS
    assert access_roles.roles_of is roles_of
    assert access_roles.has_role is has_role


def test_access_policy_is_over_every_role():
    assert set(access_roles.DEFAULT_REACH) == set(RoleName)


def test_nobody_and_anonymous_have_no_role():
    assert roles_of(None) == set()
    assert roles_of(AnonymousUser()) == set()
    assert not has_role(AnonymousUser(), *RoleName)


@pytest.mark.django_db
def test_roles_are_the_groups_of_role_names():
    user = get_user_model().objects.create_user(username="r1", password="pw")
    Group.objects.get_or_create(name=RoleName.COMPLIANCE.value)
    Group.objects.get_or_create(name=RoleName.AUDITOR.value)
    stranger, _ = Group.objects.get_or_create(name="not-a-role")
    user.groups.add(Group.objects.get(name="compliance"), Group.objects.get(name="auditor"))
    user.groups.add(stranger)
    assert roles_of(user) == {RoleName.COMPLIANCE, RoleName.AUDITOR}
    assert has_role(user, RoleName.AUDITOR, RoleName.AGENT)
    assert not has_role(user, RoleName.AGENT)


@pytest.mark.django_db
def test_a_superuser_is_an_administrator():
    admin = get_user_model().objects.create_superuser(username="root", password="pw")
    assert roles_of(admin) == {RoleName.ADMIN}


@pytest.mark.django_db
def test_roles_are_read_once_per_user_object(django_assert_num_queries):
    user = get_user_model().objects.create_user(username="r2", password="pw")
    roles_of(user)
    with django_assert_num_queries(0):
        mine = roles_of(user)
    mine.add(RoleName.ADMIN)  # a copy: the cached set is not changed by the caller
    assert RoleName.ADMIN not in roles_of(user)
