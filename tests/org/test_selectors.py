"""Reading staff facts: channels and department heads."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from veracity.org.models import Department, StaffProfile
from veracity.org.selectors import (
    channels_of,
    department_head_id_of,
    department_head_of,
    is_department_head_of,
)

pytestmark = pytest.mark.django_db


def make_user(name: str):
    return get_user_model().objects.create_user(username=name, password="pw-" + name)


def test_channels_of_reads_the_staff_profile():
    carol, alice = make_user("carol"), make_user("alice")
    StaffProfile.objects.create(user=carol, channel="agency")
    StaffProfile.objects.create(user=alice)
    assert channels_of(carol) == ["agency"]
    assert channels_of(alice) == []  # a profile without a channel
    assert channels_of(make_user("nobody")) == []  # no profile at all
    assert channels_of(AnonymousUser()) == []
    assert channels_of(None) == []


def test_department_head():
    head, carol, loner = make_user("henry"), make_user("carol"), make_user("loner")
    headless = make_user("headless")
    agency = Department.objects.create(code="agency", name="Agency", head=head)
    nobody_heads = Department.objects.create(code="ops", name="Operations")
    StaffProfile.objects.create(user=carol, department=agency, channel="agency")
    StaffProfile.objects.create(user=headless, department=nobody_heads)
    StaffProfile.objects.create(user=loner)

    assert department_head_of(carol) == head
    assert department_head_id_of(carol.pk) == head.pk
    assert is_department_head_of(head, carol.pk)
    assert not is_department_head_of(carol, carol.pk)
    assert not is_department_head_of(AnonymousUser(), carol.pk)

    for user in (headless, loner, make_user("no-profile")):
        assert department_head_of(user) is None
        assert department_head_id_of(user.pk) is None
        assert not is_department_head_of(head, user.pk)
    assert department_head_of(AnonymousUser()) is None
    assert department_head_id_of(None) is None


def test_staff_profile_is_reached_from_the_user():
    carol = make_user("carol")
    profile = StaffProfile.objects.create(user=carol, channel="agency")
    carol.refresh_from_db()
    assert carol.staff_profile == profile
    assert str(profile) == "carol @ -"
