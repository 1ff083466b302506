"""Beneficiaries with an ID type and number (issue 14): checked by the same rules as the other
roles' IDs, and a customer with their policy role, so that they can be verified later."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TODAY, resident_id
from veracity.audit.services import Actor
from veracity.core import gate
from veracity.customers.models import Customer, IdentityDocument
from veracity.policies.models import PolicyRole
from veracity.policies.services import applications_store

SPOUSE_ID = resident_id("110101", "1984-02-02", 131)  # odd: male
BAD_CHECKSUM = SPOUSE_ID[:-1] + ("0" if SPOUSE_ID[-1] != "0" else "1")


def with_beneficiary(make_application, no: str = "A1", **ben: Any) -> dict[str, Any]:
    app = make_application(no)
    app["beneficiaries"] = [{"relation": "spouse", "name": "李强", "share": 100, **ben}]
    return app


def codes_at(verdict: gate.Verdict, field: str) -> set[str]:
    return {f.code for f in verdict.findings if f.field == field}


@pytest.mark.parametrize(
    "number",
    [BAD_CHECKSUM, "11010119840230131X", "123", SPOUSE_ID[:17]],
    ids=["checksum", "no such day", "too short", "17 digits"],
)
def test_a_bad_beneficiary_id_gets_the_finding_of_any_other_role(make_application, number):
    as_holder = make_application("A1", policyholder__id_number=number)
    as_beneficiary = with_beneficiary(make_application, id_type="resident_id", id_number=number)
    holder_codes = codes_at(gate.evaluate(as_holder, as_of=TODAY), "policyholder.id_number")
    verdict = gate.evaluate(as_beneficiary, as_of=TODAY)
    ben_codes = codes_at(verdict, "beneficiaries[0].id_number")
    assert ben_codes and ben_codes <= holder_codes
    assert verdict.verdict == "fail"


def test_a_beneficiary_without_id_is_not_required_one(make_application):
    assert gate.evaluate(with_beneficiary(make_application), as_of=TODAY).verdict == "pass"


@pytest.mark.django_db
def test_a_beneficiary_with_an_id_becomes_a_customer_with_the_role(make_application):
    apps = [
        with_beneficiary(make_application, "A1", id_type="resident_id", id_number=SPOUSE_ID),
        with_beneficiary(make_application, "A2", id_type="resident_id", id_number=SPOUSE_ID),
        with_beneficiary(make_application, "A3"),  # name only
    ]
    results = applications_store(apps, source="test", actor=Actor.system("test"), as_of=TODAY)
    assert [r.verdict.verdict for r in results] == ["pass", "pass", "pass"]
    [doc] = [d for d in IdentityDocument.objects.all() if d.number == SPOUSE_ID]
    spouse = doc.customer
    assert spouse.name == "李强"
    roles = PolicyRole.objects.filter(customer=spouse)
    assert {(r.policy.application_no, r.role) for r in roles} == {
        ("A1", "beneficiary"),
        ("A2", "beneficiary"),
    }
    unnamed = PolicyRole.objects.get(policy__application_no="A3", role="beneficiary")
    assert unnamed.customer is None and unnamed.name == "李强"
    assert Customer.objects.filter(name="李强").count() == 1
