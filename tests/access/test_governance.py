"""Need to know (AG-2 … AG-6, AG-10): default reach per role × classification × action,
access requests and their approval chains, borrowing grants and their expiry."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tests.conftest import resident_id
from tests.web.factories import other_application, seller_for, store
from veracity.access.governance import (
    GovernanceError,
    access_grants_expire,
    access_grants_return,
    access_request_decide,
    access_request_submit,
    export_authorisation,
)
from veracity.access.models import AccessGrant, AccessRequest
from veracity.approvals.models import ApprovalDecision
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.customers.selectors import visible_to
from veracity.customers.services import customer_classify
from veracity.org.principals import Staff, system

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def banca_application(no: str = "A2026110077") -> dict:
    app = other_application(no)
    app["channel"] = "bancassurance"
    app["seller"] = {"code": "BK00001", "agency_code": None}
    app["policyholder"].update(
        name="李娜",
        sex="F",
        birth_date="1985-03-04",
        id_number=resident_id("310101", "1985-03-04", 246),
        phones=["137 0000 0001"],
    )
    app["payer_account"] = {
        "number": "6217 0000 1000 0000 017",
        "holder_name": "李娜",
        "holder_id_number": app["policyholder"]["id_number"],
    }
    return app


@pytest.fixture
def files(personas, application):
    """general (alice's, agency channel), other (another agent's, agency channel), special
    (bancassurance, 特殊客户), confidential (alice's policy, 机密, kept by ivan)."""
    seller_for(personas["alice"])
    own, other, banca = store(application, other_application(), banca_application())
    general = own.roles.get(role="policyholder").customer
    confidential = own.roles.get(role="insured").customer
    special = banca.roles.get(role="policyholder").customer
    customer_classify(
        customer_id=special.pk,
        classification="special",
        confidentiality="normal",
        custodian=None,
        principal=system("test"),
    )
    customer_classify(
        customer_id=confidential.pk,
        classification="general",
        confidentiality="confidential",
        custodian=personas["ivan"],
        principal=system("test"),
    )
    return {
        "general": general.pk,
        "other": other.roles.get(role="policyholder").customer_id,
        "special": special.pk,
        "confidential": confidential.pk,
    }


# role × classification: who sees which file by default (view), and who may see full values
VIEW = {
    "alice": {"general"},
    "carol": {"general", "other"},
    "henry": {"general", "other"},
    "sam": {"general", "other"},
    "dave": {"general", "other"},
    "ivan": {"general", "other", "special", "confidential"},
    "mona": {"general", "other", "special"},
    "george": set(),
    "audrey": set(),
    "admin": {"general", "other"},
}
UNMASK = {"ivan": {"confidential"}}  # only the custodian, and only of the file he keeps


@pytest.mark.parametrize("username", sorted(VIEW))
@pytest.mark.parametrize("scope", ["view", "unmask", "download"])
def test_default_reach_per_role_and_classification(personas, files, username, scope):
    user = personas[username]
    seen = set(
        visible_to(principal=Staff(user), action=f"customers.{scope}").values_list("pk", flat=True)
    )
    expected = VIEW[username] if scope == "view" else UNMASK.get(username, set())
    assert {name for name, pk in files.items() if pk in seen} == expected
    assert export_authorisation("problem_items", principal=Staff(user)) is None


def borrow(personas, files, file="other", scope="view", who="alice"):
    return access_request_submit(
        principal=system("test", person=personas[who]),
        customer_ids=[files[file]],
        subject="回访核实",
        purpose="callback",
        reason="the customer called about a policy she bought through me",
        scope=scope,
    )


def test_borrowing_is_approved_by_department_head_then_customer_service(personas, files):
    alice = personas["alice"]
    made = borrow(personas, files)
    assert made.steps == ["department_head", "customer_service"]
    assert files["other"] not in set(
        visible_to(principal=Staff(alice), action="customers.view").values_list("pk", flat=True)
    )
    access_request_decide(
        principal=system("test", person=personas["henry"]), request_id=made.pk, approve=True
    )
    assert AccessRequest.objects.get(pk=made.pk).status == "pending"
    done = access_request_decide(
        principal=system("test", person=personas["sam"]), request_id=made.pk, approve=True
    )
    assert done.status == "approved"
    grant = AccessGrant.objects.get(request=made)
    assert grant.ends_at - grant.starts_at == timedelta(days=3)
    assert files["other"] in set(
        visible_to(principal=Staff(alice), action="customers.view").values_list("pk", flat=True)
    )
    # viewing is not unmasking: full values need a grant of that scope
    assert (
        not visible_to(principal=Staff(alice), action="customers.unmask")
        .filter(pk=files["other"])
        .exists()
    )
    steps = list(
        AuditEvent.objects.filter(action=Action.APPROVAL, object_id=str(made.pk)).values_list(
            "actor", flat=True
        )
    )
    assert steps == ["system:test", "system:test"]


def refused(code, call):
    with pytest.raises(GovernanceError) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


def snapshot(made):
    made.refresh_from_db()
    return (made.status, ApprovalDecision.objects.count(), AccessGrant.objects.count())


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("alice", "OWN_REQUEST"),  # nobody approves their own request
        ("sam", "NOT_APPROVER"),  # customer service is the second step, not the first
        ("ivan", "NOT_APPROVER"),
        ("george", "NOT_APPROVER"),
        ("audrey", "NOT_APPROVER"),
    ],
)
def test_illegal_decisions_are_refused_and_change_nothing(personas, files, who, code):
    made = borrow(personas, files)
    before = snapshot(made)
    refused(
        code,
        lambda: access_request_decide(
            principal=system("test", person=personas[who]), request_id=made.pk, approve=True
        ),
    )
    assert snapshot(made) == before


def test_one_person_decides_one_step_only(personas, files):
    made = borrow(personas, files, who="carol")
    # henry heads carol's department; he also holds a role that cannot approve as customer
    # service — and even a customer-service approver who decided step 1 could not do step 2
    access_request_decide(
        principal=system("test", person=personas["henry"]), request_id=made.pk, approve=True
    )
    before = snapshot(made)
    refused(
        "NOT_APPROVER",
        lambda: access_request_decide(
            principal=system("test", person=personas["henry"]), request_id=made.pk, approve=True
        ),
    )
    assert snapshot(made) == before


def test_classified_file_also_needs_the_customer_service_manager(personas, files):
    made = borrow(personas, files, file="confidential", who="carol")
    assert made.classified and made.steps[-1] == "customer_service_manager"
    for approver in ("henry", "sam"):
        access_request_decide(
            principal=system("test", person=personas[approver]), request_id=made.pk, approve=True
        )
    assert (
        not visible_to(principal=Staff(personas["carol"]), action="customers.view")
        .filter(pk=files["confidential"])
        .exists()
    )
    access_request_decide(
        principal=system("test", person=personas["mona"]), request_id=made.pk, approve=True
    )
    assert (
        visible_to(principal=Staff(personas["carol"]), action="customers.view")
        .filter(pk=files["confidential"])
        .exists()
    )


def test_rejection_needs_a_reason_and_ends_the_request(personas, files):
    made = borrow(personas, files)
    before = snapshot(made)
    refused(
        "REQUIRED",
        lambda: access_request_decide(
            principal=system("test", person=personas["henry"]), request_id=made.pk, approve=False
        ),
    )
    assert snapshot(made) == before
    access_request_decide(
        principal=system("test", person=personas["henry"]),
        request_id=made.pk,
        approve=False,
        reason="no",
    )
    assert snapshot(made) == ("rejected", before[1] + 1, before[2])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": " "}, "purpose"),
        ({"reason": ""}, "reason"),
        ({"subject": ""}, "subject"),
        ({"days": 4}, "days"),
        ({"customer_ids": [999_999]}, "customers"),
        ({"customer_ids": []}, "customers"),
    ],
)
def test_a_request_states_subject_purpose_reason_and_at_most_three_days(
    personas, files, changes, field
):
    args = {
        "principal": system("test", person=personas["alice"]),
        "customer_ids": [files["other"]],
        "subject": "s",
        "purpose": "callback",
        "reason": "r",
        **changes,
    }
    before = AccessRequest.objects.count()
    assert (
        refused(
            {"days": "TOO_LONG", "customers": "UNKNOWN"}.get(field, "REQUIRED")
            if field != "customers" or changes["customer_ids"]
            else "REQUIRED",
            lambda: access_request_submit(**args),
        ).field
        == field
    )
    assert AccessRequest.objects.count() == before


def test_the_loan_ends_after_three_days_with_a_frozen_clock(personas, files):
    alice = personas["alice"]
    made = borrow(personas, files, scope="unmask")
    for approver in ("henry", "sam"):
        access_request_decide(
            principal=system("test", person=personas[approver]), request_id=made.pk, approve=True
        )
    assert (
        visible_to(principal=Staff(alice), action="customers.unmask")
        .filter(pk=files["other"])
        .exists()
    )
    grant = AccessGrant.objects.get(request=made)
    later = grant.ends_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert (
            not visible_to(principal=Staff(alice), action="customers.view")
            .filter(pk=files["other"])
            .exists()
        )
        assert access_grants_expire() == 1
        assert access_grants_expire() == 0  # stamped once
    grant.refresh_from_db()
    assert grant.expired_at == later and grant.returned_at is None
    assert AuditEvent.objects.filter(action=Action.GRANT_EXPIRED, customer_id=files["other"])


def test_returning_closes_the_loan_early(personas, files):
    alice = personas["alice"]
    made = borrow(personas, files)
    for approver in ("henry", "sam"):
        access_request_decide(
            principal=system("test", person=personas[approver]), request_id=made.pk, approve=True
        )
    refused(
        "NOTHING",
        lambda: access_grants_return(
            principal=system("test", person=personas["sam"]), request_id=made.pk
        ),
    )
    assert access_grants_return(principal=system("test", person=alice), request_id=made.pk) == 1
    assert (
        not visible_to(principal=Staff(alice), action="customers.view")
        .filter(pk=files["other"])
        .exists()
    )
    assert AccessGrant.objects.get(request=made).returned_at <= timezone.now()


def test_export_needs_the_general_manager_or_the_information_manager(personas, files):
    made = access_request_submit(
        principal=system("test", person=personas["sam"]),
        customer_ids=[],
        subject="清单导出",
        purpose="problem_item",
        reason="to the channels",
        kind="export",
        export_of="problem_items",
    )
    assert made.steps == ["export_approver"]
    for who in ("henry", "mona", "dave"):
        refused(
            "NOT_APPROVER",
            lambda who=who: access_request_decide(
                principal=system("test", person=personas[who]), request_id=made.pk, approve=True
            ),
        )
    access_request_decide(
        principal=system("test", person=personas["george"]), request_id=made.pk, approve=True
    )
    assert export_authorisation("problem_items", principal=Staff(personas["sam"])) == made
    assert export_authorisation("problem_items", principal=Staff(personas["dave"])) is None


def test_external_provision_needs_both_managers_and_records_recipient_and_basis(personas, files):
    base = {
        "principal": system("test", person=personas["sam"]),
        "customer_ids": [files["general"]],
        "subject": "法院协查",
        "purpose": "other",
        "reason": "court order",
        "kind": "external",
    }
    assert refused("REQUIRED", lambda: access_request_submit(**base)).field == "recipient"
    made = access_request_submit(
        **base,
        external={
            "recipient": "某区人民法院",
            "legal_basis": "民事诉讼法第67条",
            "data_items": "姓名、保单",
        },
    )
    assert made.steps == ["information_manager", "customer_service_manager"]
    access_request_decide(
        principal=system("test", person=personas["ivan"]), request_id=made.pk, approve=True
    )
    done = access_request_decide(
        principal=system("test", person=personas["mona"]), request_id=made.pk, approve=True
    )
    assert (done.status, done.recipient, done.legal_basis) == (
        "approved",
        "某区人民法院",
        "民事诉讼法第67条",
    )
    assert not AccessGrant.objects.filter(request=made).exists()


def test_an_outside_person_registers_a_credential(personas, files):
    with pytest.raises(GovernanceError) as caught:
        borrow_args = {
            "principal": system("test", person=personas["sam"]),
            "customer_ids": [files["general"]],
            "subject": "s",
            "purpose": "callback",
            "reason": "r",
            "external": {"external_name": "王律师", "external_org": "某律所"},
        }
        access_request_submit(**borrow_args)
    assert caught.value.field == "external_credential"


def test_applications_and_problem_items_of_a_classified_file_are_restricted_too(personas, files):
    from veracity.cases.listing import visible_to as items_visible_to
    from veracity.detection.services import problem_item_add_manual
    from veracity.policies.selectors import visible_to as policies_visible_to

    item = problem_item_add_manual(
        customer_ids=[files["confidential"]],
        reason="回访发现电话不实",
        business_date=timezone.localdate(),
        principal=Staff(personas["sam"]),
    )
    own_policy = {
        pk
        for pk in AccessGrant._meta.apps.get_model("policies", "PolicyRole")
        .objects.filter(customer_id=files["confidential"])
        .values_list("policy_id", flat=True)
    }
    for username, sees in (("sam", False), ("dave", False), ("alice", False), ("ivan", True)):
        user = personas[username]
        policies = set(
            policies_visible_to(principal=Staff(user), action="applications.view").values_list(
                "pk", flat=True
            )
        )
        assert bool(own_policy & policies) is sees, username
        if username != "alice":  # agents never see problem items
            assert (
                items_visible_to(principal=Staff(user), action="cases.view")
                .filter(pk=item.pk)
                .exists()
                is sees
            ), username


def test_each_step_is_told_to_whoever_may_decide_it(personas, files):
    """The hand-off is told: on submission the department head gets a notice with the
    request's link; once he approved, customer service does; the requester never."""
    from veracity.notify.models import Notification

    def told(kind="access_request_waiting"):
        return {
            (n.recipient.username, n.link)
            for n in Notification.objects.filter(kind=kind).select_related("recipient")
        }

    made = borrow(personas, files)
    link = f"/access/{made.pk}/"
    assert told() == {("henry", link)}
    access_request_decide(
        principal=system("test", person=personas["henry"]), request_id=made.pk, approve=True
    )
    after = told() - {("henry", link)}
    assert after and {who for who, _ in after} <= {"sam", "mona", "admin"}
    assert all(url == link for _, url in after) and ("sam", link) in after
    assert "alice" not in {who for who, _ in told()}
    note = Notification.objects.filter(
        recipient=personas["sam"], kind="access_request_waiting"
    ).get()
    assert note.title == f"查阅申请 #{made.pk} 待您审批"
