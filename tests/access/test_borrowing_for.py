"""A borrowing names what it is for (issue 12): the policy or the problem item, within the
files asked for; the grant opens it to the borrower for its term; returning one grant ends
it now, audited, and tells the approvers."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tests.web.factories import other_application, seller_for, store
from veracity.access.governance import (
    GovernanceError,
    access_grants_return,
    access_request_decide,
    access_request_submit,
    grant_return,
)
from veracity.access.models import AccessGrant, AccessRequest
from veracity.audit.models import Action, AuditEvent
from veracity.cases.listing import visible_to as items_visible_to
from veracity.customers.selectors import customer_detail
from veracity.detection.services import problem_item_add_manual
from veracity.notify.models import Notification
from veracity.org.principals import Staff, system, with_purpose
from veracity.policies.selectors import visible_to as policies_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas, application):
    """alice sells A2026110001; 张伟 (another agent's customer) holds A2026110099 and
    A2026110098; an item (added by customer service) names 张伟."""
    seller_for(personas["alice"])
    own, named, second = store(application, other_application(), other_application("A2026110098"))
    zhang = named.roles.get(role="policyholder").customer
    assert second.roles.get(role="policyholder").customer_id == zhang.pk
    problem_item_add_manual(
        customer_ids=[zhang.pk],
        reason="回访中客户称未签名",
        business_date=timezone.localdate(),
        principal=Staff(personas["sam"]),
    )
    from veracity.cases.models import ProblemItem

    item = ProblemItem.objects.get(rule="MANUAL")
    return {"own": own, "named": named, "second": second, "zhang": zhang, "item": item}


def ask(personas, book, who="alice", **named):
    return access_request_submit(
        principal=Staff(personas[who]),
        customer_ids=[book["zhang"].pk],
        subject="客户来电核实保单",
        purpose="callback",
        reason="客户称曾通过本人购买保单",
        **named,
    )


def approve(personas, made):
    for approver in ("henry", "sam"):
        access_request_decide(principal=Staff(personas[approver]), request_id=made.pk, approve=True)
    return AccessGrant.objects.get(request=made)


def policies_seen(user):
    return set(
        policies_visible_to(principal=Staff(user), action="applications.view").values_list(
            "application_no", flat=True
        )
    )


def refused(code, field, call):
    with pytest.raises(GovernanceError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


def test_the_grant_opens_the_named_policy_only_and_only_for_its_term(personas, book):
    alice = personas["alice"]
    assert policies_seen(alice) == {"A2026110001"}
    made = ask(personas, book, policy_no=" A2026110099 ")
    assert made.policy_id == book["named"].pk and made.item_id is None
    assert policies_seen(alice) == {"A2026110001"}  # not before the approval
    grant = approve(personas, made)
    assert policies_seen(alice) == {"A2026110001", "A2026110099"}  # not A2026110098
    # the customer file lists it too, and no other of the customer's policies
    page = customer_detail(book["zhang"].pk, principal=with_purpose(Staff(alice), "callback"))
    assert {p.application_no for p in page.policies} == {"A2026110099"}  # as holder, insured
    # another agent, and the same agent after the term, do not see it
    carol_before = policies_seen(personas["carol"])
    with mock.patch("django.utils.timezone.now", return_value=grant.ends_at):
        assert policies_seen(alice) == {"A2026110001"}
    assert policies_seen(personas["carol"]) == carol_before


def test_a_grant_for_the_file_alone_opens_no_policy(personas, book):
    approve(personas, ask(personas, book))
    alice = personas["alice"]
    assert policies_seen(alice) == {"A2026110001"}
    page = customer_detail(book["zhang"].pk, principal=with_purpose(Staff(alice), "callback"))
    assert page.policies == []


def test_the_grant_opens_the_named_problem_item_for_the_case_page_only(personas, book):
    alice = Staff(personas["alice"])
    item = book["item"]

    def seen(action):
        return items_visible_to(principal=alice, action=action).filter(pk=item.pk).exists()

    assert not seen("cases.view")
    made = ask(personas, book, item_no=f"＃{item.pk}")  # as a Chinese input method types it
    assert made.item_id == item.pk
    grant = approve(personas, made)
    assert seen("cases.view") and not seen("problems.list") and not seen("cases.queue")
    grant_return(principal=alice, grant=grant)
    assert not seen("cases.view")


@pytest.mark.parametrize(
    ("named", "code", "field"),
    [
        ({"policy_no": "A2026110001"}, "UNKNOWN", "policy"),  # alice's own, not 张伟's
        ({"policy_no": "NO-SUCH-POLICY"}, "UNKNOWN", "policy"),
        ({"policy_no": "A" * 41}, "UNKNOWN", "policy"),
        ({"item_no": "999999"}, "UNKNOWN", "item"),
        ({"item_no": "twelve"}, "UNKNOWN", "item"),
        ({"item_no": "-3"}, "UNKNOWN", "item"),
    ],
)
def test_what_a_borrowing_names_is_looked_up_within_the_files_asked_for(
    personas, book, named, code, field
):
    before = (AccessRequest.objects.count(), AuditEvent.objects.count())
    refused(code, field, lambda: ask(personas, book, **named))
    assert (AccessRequest.objects.count(), AuditEvent.objects.count()) == before


def test_an_item_of_another_file_is_refused(personas, book):
    own_customer = book["own"].roles.get(role="policyholder").customer
    problem_item_add_manual(
        customer_ids=[own_customer.pk],
        reason="another file",
        business_date=timezone.localdate(),
        principal=Staff(personas["sam"]),
    )
    from veracity.cases.models import ProblemItem

    other_item = ProblemItem.objects.exclude(pk=book["item"].pk).get(rule="MANUAL")
    refused("UNKNOWN", "item", lambda: ask(personas, book, item_no=str(other_item.pk)))


def test_only_a_borrowing_names_a_policy(personas, book):
    refused(
        "INVALID",
        "policy",
        lambda: access_request_submit(
            principal=Staff(personas["sam"]),
            customer_ids=[book["zhang"].pk],
            subject="法院协查",
            purpose="other",
            reason="court order",
            kind="external",
            external={"recipient": "法院", "legal_basis": "协查函", "data_items": "保单"},
            policy_no="A2026110099",
        ),
    )


def test_returning_a_grant_ends_it_now_is_audited_and_tells_the_approvers(personas, book):
    alice = personas["alice"]
    grant = approve(personas, ask(personas, book, policy_no="A2026110099"))
    before = AuditEvent.objects.count()
    returned = grant_return(principal=Staff(alice), grant=grant.pk)
    assert returned.returned_at is not None and returned.returned_at <= timezone.now()
    assert policies_seen(alice) == {"A2026110001"}
    [event] = AuditEvent.objects.filter(seq__gt=before, action=Action.GRANT_RETURN)
    assert (event.actor, event.object_type, event.object_id, event.customer_id) == (
        "alice",
        "access_request",
        str(grant.request_id),
        book["zhang"].pk,
    )
    told = Notification.objects.filter(kind="grant_returned")
    assert {n.recipient.username for n in told} == {"henry", "sam"}
    note = told.first()
    assert note is not None
    title, _body = note.words("zh-hans")
    number = book["zhang"].archive_no
    assert title == f"alice 已归还查阅申请 #{grant.request_id} 借阅的客户档案 {number}"
    assert note.link == f"/access/{grant.request_id}/"


@pytest.mark.parametrize("who", ["carol", "sam", "henry"])
def test_nobody_returns_somebody_elses_grant(personas, book, who):
    grant = approve(personas, ask(personas, book))
    refused("NOTHING", "grant", lambda: grant_return(principal=Staff(personas[who]), grant=grant))
    grant.refresh_from_db()
    assert grant.returned_at is None
    assert not Notification.objects.filter(kind="grant_returned").exists()
    # the refused attempt is recorded, as is one on a grant that does not exist at all
    refused("NOTHING", "grant", lambda: grant_return(principal=Staff(personas[who]), grant=99999))
    attempts = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED, object_type="access_grant")
    assert sorted(attempts.values_list("object_id", flat=True)) == sorted([str(grant.pk), "99999"])
    assert {e.actor for e in attempts} == {who}


def test_a_returned_or_ended_grant_is_not_returned_again(personas, book):
    alice = Staff(personas["alice"])
    grant = approve(personas, ask(personas, book))
    grant_return(principal=alice, grant=grant)
    refused("NOTHING", "grant", lambda: grant_return(principal=alice, grant=grant))
    # her own grant, already returned: a conflict, not a refused attempt
    assert not AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).exists()
    refused("NOTHING", "grant", lambda: grant_return(principal=system("job"), grant=grant))
    second = approve(personas, ask(personas, book))
    AccessGrant.objects.filter(pk=second.pk).update(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(seconds=1)
    )
    refused("NOTHING", "grant", lambda: grant_return(principal=alice, grant=second))
    assert Notification.objects.filter(kind="grant_returned").count() == 2  # henry, sam once


def test_returning_a_whole_request_also_tells_the_approvers(personas, book):
    made = ask(personas, book)
    approve(personas, made)
    assert access_grants_return(request_id=made.pk, principal=Staff(personas["alice"])) == 1
    assert {n.recipient.username for n in Notification.objects.filter(kind="grant_returned")} == {
        "henry",
        "sam",
    }
