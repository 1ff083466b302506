"""The reach rule and a borrowed policy (issue 12): the policy a borrowing was asked for
joins the borrower's reach for the grant's term — the borrower's only, the applications
register and the customer file alike — and a classified co-party still hides it."""

from __future__ import annotations

import pytest

from tests.conftest import resident_id
from tests.web.factories import other_application, seller_for, store
from veracity.access.governance import access_request_decide, access_request_submit
from veracity.customers.reach import policies_condition
from veracity.customers.services import customer_classify
from veracity.org.principals import Staff, system
from veracity.policies.models import Policy
from veracity.policies.selectors import visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(personas, application):
    """alice's A2026110001; 张伟's A2026110099 (another agent's); A2026110077 of another
    agent, whose insured (李小明's namesake file) is classified and kept by ivan."""
    seller_for(personas["alice"])
    third = dict(application, application_no="A2026110077")
    third["seller"] = {"code": "AG00099", "agency_code": None}
    third["policyholder"] = dict(other_application()["policyholder"])
    third["insured"] = {
        **application["insured"],
        "name": "周小明",
        "id_number": resident_id("110101", "2015-06-01", 313),
    }
    third["payer_account"] = other_application()["payer_account"]
    return dict(
        zip(
            ("own", "other", "classified"),
            store(application, other_application(), third),
            strict=True,
        )
    )


def borrow(personas, policy: Policy, who: str = "alice"):
    holder = policy.roles.get(role="policyholder").customer_id
    made = access_request_submit(
        principal=Staff(personas[who]),
        customer_ids=[holder],
        subject="核实保单",
        purpose="callback",
        reason="客户来电",
        policy_no=policy.application_no,
    )
    for approver in ("henry", "sam"):
        access_request_decide(principal=Staff(personas[approver]), request_id=made.pk, approve=True)
    return made


def seen(user) -> set[str]:
    return set(
        visible_to(principal=Staff(user), action="applications.view").values_list(
            "application_no", flat=True
        )
    )


def test_only_the_borrower_gains_the_policy(personas, policies):
    before = {name: seen(user) for name, user in personas.items()}
    borrow(personas, policies["other"])
    after = {name: seen(user) for name, user in personas.items()}
    changed = {name for name in personas if before[name] != after[name]}
    assert changed == {"alice"}
    assert after["alice"] - before["alice"] == {"A2026110099"}


def test_whole_book_roles_have_no_condition_and_a_grant_adds_to_a_book(personas, policies):
    assert policies_condition(principal=Staff(personas["sam"])) is None
    borrow(personas, policies["other"])
    condition = policies_condition(principal=Staff(personas["alice"]))
    assert condition is not None
    assert set(Policy.objects.filter(condition).values_list("application_no", flat=True)) == {
        "A2026110001",
        "A2026110099",
    }
    # nobody's book for a principal without a person, grant or not
    nobody = policies_condition(principal=system("job"))
    assert nobody is not None and not Policy.objects.filter(nobody).exists()


def test_a_classified_co_party_still_hides_the_borrowed_policy(personas, policies):
    insured = policies["classified"].roles.get(role="insured").customer
    customer_classify(
        customer_id=insured.pk,
        classification="general",
        confidentiality="confidential",
        custodian=personas["ivan"],
        principal=system("test"),
    )
    borrow(personas, policies["classified"])
    assert "A2026110077" not in seen(personas["alice"])
