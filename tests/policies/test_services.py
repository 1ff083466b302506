"""Storing applications: one customer however many policies, history, supplement requests."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY
from veracity.audit.models import AuditEvent
from veracity.audit.services import Actor
from veracity.customers.models import BankAccount, Customer, IdentityDocument, Phone
from veracity.policies.models import Policy, PolicyRole
from veracity.policies.services import RejectedRow, applications_store

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def store(*apps):
    return applications_store(list(apps), source="test", actor=ACTOR, as_of=TODAY)


def test_one_customer_however_many_policies(make_application):
    first = make_application("A1")
    second = make_application("A2", policyholder__phones=["+86 138-0013-8000"])
    results = store(first, second)
    assert [r.outcome for r in results] == ["created", "created"]
    holder_docs = IdentityDocument.objects.filter(customer__name="王芳")
    assert holder_docs.count() == 1
    holder = holder_docs.get().customer
    assert Policy.objects.filter(roles__customer=holder, roles__role="policyholder").count() == 2
    # the phone typed two ways is one phone
    assert Phone.objects.filter(customer=holder).count() == 1
    assert Phone.objects.get(customer=holder).number == "+8613800138000"


def test_fifteen_digit_legacy_number_is_the_same_person(make_application):
    from veracity.core.identity import normalise_id

    app = make_application("A1")
    eighteen = app["policyholder"]["id_number"]
    fifteen = eighteen[:6] + eighteen[8:17]
    assert normalise_id("resident_id", fifteen) == eighteen
    store(app, make_application("A2", policyholder__id_number=fifteen))
    assert Customer.objects.filter(name="王芳").count() == 1


def test_minor_without_id_is_stored_and_matched_within_the_family(make_application):
    a = make_application("A1", insured__id_number=None)
    b = make_application("A2", insured__id_number=None)
    results = store(a, b)
    assert all(r.verdict.verdict == "pass" for r in results)
    insured = PolicyRole.objects.filter(role="insured").values_list("customer", flat=True)
    assert len(set(insured)) == 1


def test_roles_and_payer_account(application):
    [result] = store(application)
    policy = result.policy
    roles = {r.role: r for r in policy.roles.all()}
    assert roles["insured"].relation == "child"
    assert roles["beneficiary"].customer is None and roles["beneficiary"].name == "李强"
    account = policy.payer_account
    assert account.number == "6222020200001234567"
    assert account.customer == roles["policyholder"].customer
    assert BankAccount.objects.count() == 1


def test_rejected_rows_leave_nothing(make_application):
    results = store(make_application("A1"), {"application_no": ""}, make_application("A3"))
    assert isinstance(results[1], RejectedRow) and results[1].field == "application_no"
    assert Policy.objects.count() == 2


def test_every_stored_application_is_audited(make_application):
    store(make_application("A1"), make_application("A2"))
    events = AuditEvent.objects.filter(object_type="policy")
    assert events.count() == 2
    assert {e.action for e in events} == {"create"}


def test_cooling_off_and_callback_dates_are_kept_across_resubmissions(make_application):
    app = make_application("A9", cooling_off_ends_on="2026-12-16", callback_due_on="2026-12-14")
    store(app)
    policy = Policy.objects.get(application_no="A9")
    assert (str(policy.cooling_off_ends_on), str(policy.callback_due_on)) == (
        "2026-12-16",
        "2026-12-14",
    )
    resubmitted = make_application("A9")
    assert "callback_due_on" not in resubmitted
    store(resubmitted)
    policy.refresh_from_db()
    assert str(policy.callback_due_on) == "2026-12-14"
