"""Problem items, applications, the trail and notifications through each kind of
principal: a customer and an inactive designated person see nothing; a system without a
person reads the whole list; a system acting through its person sees what the person sees."""

from __future__ import annotations

import pytest

from veracity.audit.selectors import visible_to as trail_visible_to
from veracity.cases.listing import problem_items, visible_to
from veracity.cases.selectors import actions_for, queue_counts
from veracity.notify.selectors import notifications_of, unread_count
from veracity.notify.services import notifications_mark_read, tell
from veracity.org.principals import Customer, Staff, System, system, with_purpose
from veracity.policies.selectors import visible_to as applications_visible_to

pytestmark = pytest.mark.django_db

CUSTOMER = Customer(customer_id=1, verified_by="sms", address="192.0.2.9")


def test_a_customer_sees_no_item_application_trail_or_notification(item, personas):
    assert not visible_to(principal=CUSTOMER, action="cases.view").exists()
    assert problem_items(principal=with_purpose(CUSTOMER, "t"), action="problems.list").total == 0
    assert queue_counts(principal=CUSTOMER).total == 0
    assert actions_for(item, principal=CUSTOMER) == []
    assert not applications_visible_to(principal=CUSTOMER, action="applications.view").exists()
    assert not trail_visible_to(principal=CUSTOMER, action="audit.read").exists()
    assert not notifications_of(principal=CUSTOMER).exists()
    assert unread_count(principal=CUSTOMER) == 0
    assert notifications_mark_read(principal=CUSTOMER) == 0


def test_a_system_without_a_person_reads_the_whole_list(item):
    assert list(
        visible_to(principal=system("job"), action="cases.view").values_list("pk", flat=True)
    ) == [item.pk]
    # but it holds no role: it takes no step and reads no trail
    assert actions_for(item, principal=system("job")) == []
    assert not trail_visible_to(principal=system("job"), action="audit.read").exists()


def test_a_system_through_its_person_sees_what_the_person_sees(item, personas):
    carol, alice = personas["carol"], personas["alice"]
    assert visible_to(principal=System("api:x", person=carol), action="cases.view").exists()
    assert set(actions_for(item, principal=System("api:x", person=carol))) == set(
        actions_for(item, principal=Staff(carol))
    )
    # an agent never sees problem items, whatever surface she comes through
    assert not visible_to(principal=System("api:x", person=alice), action="cases.view").exists()
    carol.is_active = False
    assert not visible_to(principal=System("api:x", person=carol), action="cases.view").exists()


def test_notifications_through_a_staff_principal(personas):
    ivan = personas["ivan"]
    tell([ivan], "problem_item_closed", {"item": "#1"})
    assert unread_count(principal=Staff(ivan)) == 1
    assert unread_count(principal=System("api:x", person=ivan)) == 1
    assert notifications_mark_read(principal=Staff(ivan)) == 1
    assert unread_count(principal=Staff(ivan)) == 0
