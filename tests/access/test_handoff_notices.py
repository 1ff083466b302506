"""The hand-offs of a request are told: the decision reaches the requester (in her
language), a withdrawal tells nobody, and a grant about to end reaches its holder once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from tests.access import test_governance
from veracity.access.governance import (
    access_grants_warn,
    access_request_decide,
    access_request_withdraw,
    grants_ending_count,
)
from veracity.access.models import AccessGrant
from veracity.notify.models import Notification
from veracity.notify.services import reader_language_set
from veracity.org.principals import Staff, system

pytestmark = pytest.mark.django_db

borrow = test_governance.borrow
files = test_governance.files  # the fixture: three customers' files


def _approve(made, *deciders):
    for user in deciders:
        access_request_decide(
            principal=system("test", person=user), request_id=made.pk, approve=True
        )


def test_the_requester_is_told_the_decision_in_her_language(
    personas,
    files,
    django_capture_on_commit_callbacks,
):
    alice = personas["alice"]
    alice.email = "alice@example.com"
    alice.save()
    reader_language_set(principal=Staff(alice), language="en")
    made = borrow(personas, files)
    with django_capture_on_commit_callbacks(execute=True):
        _approve(made, personas["henry"], personas["sam"])
    [note] = Notification.objects.filter(kind="access_request_decided")
    assert note.recipient == alice and note.link == f"/access/{made.pk}/"
    with translation.override("zh-hans"):
        assert note.title == f"您的查阅申请 #{made.pk}：已批准"
    [sent] = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert sent.subject == f"[Veracity] Your access request #{made.pk}: approved"


def test_a_rejection_is_told_and_a_withdrawal_is_not(personas, files):
    rejected = borrow(personas, files)
    access_request_decide(
        principal=system("test", person=personas["henry"]),
        request_id=rejected.pk,
        approve=False,
        reason="与回访无关",
    )
    [note] = Notification.objects.filter(kind="access_request_decided")
    with translation.override("zh-hans"):
        assert note.title == f"您的查阅申请 #{rejected.pk}：未批准"
    withdrawn = borrow(personas, files)
    access_request_withdraw(request_id=withdrawn.pk, principal=Staff(personas["alice"]))
    assert Notification.objects.filter(kind="access_request_decided").count() == 1


def test_a_grant_about_to_end_is_told_once_to_its_holder(personas, files):
    made = borrow(personas, files)
    _approve(made, personas["henry"], personas["sam"])
    alice = personas["alice"]
    grant = AccessGrant.objects.get(request=made)
    assert grants_ending_count(principal=Staff(alice)) == 0  # days away yet
    soon = grant.ends_at - timedelta(hours=3)
    assert grants_ending_count(principal=Staff(alice), now=soon) == 1
    assert access_grants_warn(now=soon) == 1
    assert access_grants_warn(now=soon + timedelta(hours=1)) == 0  # the job runs again
    [note] = Notification.objects.filter(kind="grant_expiring")
    assert note.recipient == alice and note.link == f"/access/{made.pk}/"
    ends = f"{timezone.localtime(grant.ends_at):%Y-%m-%d %H:%M}"
    with translation.override("zh-hans"):
        assert note.title == f"您依申请 #{made.pk} 获得的查阅权限将于 {ends} 到期"
    AccessGrant.objects.filter(pk=grant.pk).update(returned_at=soon)
    assert grants_ending_count(principal=Staff(alice), now=soon) == 0
