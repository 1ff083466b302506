"""An ID number stored without its type is kept as the document its shape names (issue 10,
point 14): the customer's identity document and the payer account holder's."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import TODAY
from veracity.audit.services import Actor
from veracity.core.identity import check_digit, make_resident_id
from veracity.customers.models import BankAccount, IdentityDocument
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db

FPR_17 = "931840" + "19800102" + "011"
FOREIGN_PR = FPR_17 + check_digit(FPR_17)
TAIWAN = make_resident_id("830000", date(1980, 1, 2), 11)
RESIDENT = make_resident_id("110105", date(1980, 1, 2), 11)


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        (FOREIGN_PR, "foreign_permanent_residence"),
        (TAIWAN, "hmt_residence_permit"),
        (RESIDENT, "resident_id"),
    ],
)
def test_untyped_numbers_are_stored_as_their_document(make_application, number, kind):
    app = make_application(
        policyholder__id_type=None,
        policyholder__id_number=number,
        policyholder__sex="M",
        policyholder__birth_date="1980-01-02",
        payer_account__holder_id_number=number,
    )
    [result] = applications_store([app], source="test", actor=Actor.system("t"), as_of=TODAY)
    assert result.verdict.verdict == "pass", result.verdict.findings
    holder = result.policy.roles.get(role="policyholder").customer
    assert list(holder.documents.values_list("id_type", flat=True)) == [kind]
    account = BankAccount.objects.get()
    assert account.holder_id_type == kind
    # One document, one key: the holder's document is the policyholder's.
    assert account.holder_id_bidx == IdentityDocument.objects.get(customer=holder).number_bidx
