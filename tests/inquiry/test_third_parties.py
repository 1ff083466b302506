"""Third parties (IQ-4, D1.21): nothing without a consent or an approved legal basis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.conftest import TODAY
from tests.inquiry.book import HOLDER_ID, STRANGER_ID, Book
from veracity.approvals.models import ApprovalRequest
from veracity.core.refusals import Refusal
from veracity.inquiry.models import Disclosure, ThirdPartyBasis
from veracity.inquiry.third_parties import (
    consent_record,
    legal_basis_decide,
    legal_basis_record,
)
from veracity.inquiry.verification import inquirer_verify, inquiry_answer, third_party_verify
from veracity.notify.models import Notification
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 signed consent form"
LATER = dt.date.today() + dt.timedelta(days=30)


def stranger(principal, **stated):
    values = {
        "channel": "phone",
        "policy_no": "P2026000001",
        "name": "赵律师",
        "id_type": "resident_id",
        "id_number": STRANGER_ID,
        **stated,
    }
    return third_party_verify(principal=principal, **values)


def holder_verified(principal):
    return inquirer_verify(
        principal=principal,
        channel="counter",
        policy_no="P2026000001",
        name="王芳",
        id_type="resident_id",
        id_number=HOLDER_ID,
        id_card_presented=True,
        contract_presented=True,
    )


def consent(principal, inquiry_id, **changes):
    values = {
        "party_name": "赵律师",
        "party_id_type": "resident_id",
        "party_id_number": STRANGER_ID,
        "sections": ["policy", "claims"],
        "valid_until": LATER,
        "filename": "consent.pdf",
        "data": PDF,
        **changes,
    }
    return consent_record(principal=principal, inquiry_id=inquiry_id, **values)


def test_a_third_party_without_consent_gets_nothing(book: Book, personas) -> None:
    sam = Staff(personas["sam"])
    result = stranger(sam)
    assert (result.verified, result.role, result.reason_code) == (False, None, "not_verified")
    with pytest.raises(Refusal):
        inquiry_answer(principal=sam, inquiry_id=result.inquiry_id)
    assert not Disclosure.objects.exists()


def test_a_third_party_with_consent_sees_only_the_consented_sections(book: Book, personas) -> None:
    sam = Staff(personas["sam"])
    given = consent(sam, holder_verified(sam).inquiry_id)
    assert given.status == "in_force" and given.given_by == book.wang
    with connection.cursor() as cursor:  # stored encrypted
        cursor.execute(f"SELECT * FROM {ThirdPartyBasis._meta.db_table} WHERE id = %s", [given.pk])
        assert STRANGER_ID not in str(cursor.fetchall())
    result = stranger(sam)
    assert result.verified and result.role == "third_party"
    _inquiry, facts = inquiry_answer(principal=sam, inquiry_id=result.inquiry_id)
    assert facts.sections == {"policy", "claims"}
    assert facts.premiums == [] and facts.payer_account == "" and facts.sum_assured is None
    shown = Disclosure.objects.get(inquiry_ref=result.inquiry_id)
    assert shown.role == "third_party" and shown.sections == ["claims", "policy"]
    # another policy, another name, or after the end date: nothing
    assert not stranger(sam, policy_no="P2026000002").verified
    assert not stranger(sam, name="赵某").verified
    ThirdPartyBasis.objects.filter(pk=given.pk).update(valid_until=TODAY - dt.timedelta(days=400))
    assert not stranger(sam).verified


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sections": []}, "inquiry.sections"),
        ({"sections": ["secrets"]}, "inquiry.sections"),
        ({"valid_until": dt.date(2000, 1, 1)}, "inquiry.valid_until"),
        ({"valid_until": dt.date.today() + dt.timedelta(days=800)}, "inquiry.valid_until"),
        ({"party_id_number": ""}, "inquiry.id_number"),
        ({"party_name": "王芳", "party_id_number": HOLDER_ID}, "inquiry.party_self"),
        ({"data": b"MZ\x90\x00 an executable"}, "inquiry.evidence"),
    ],
)
def test_consent_refusals_change_nothing(book: Book, personas, changes, code) -> None:
    sam = Staff(personas["sam"])
    inquiry_id = holder_verified(sam).inquiry_id
    with pytest.raises(Refusal) as refused:
        consent(sam, inquiry_id, **changes)
    assert refused.value.code == code
    assert not ThirdPartyBasis.objects.exists()


def test_a_consent_needs_a_verified_party_of_this_member_of_staff(book: Book, personas) -> None:
    sam = Staff(personas["sam"])
    failed = inquirer_verify(
        principal=sam,
        channel="phone",
        policy_no="P2026000001",
        name="王芬",
        id_type="resident_id",
        id_number=HOLDER_ID,
    )
    with pytest.raises(Refusal):
        consent(sam, failed.inquiry_id)
    with pytest.raises(Refusal):
        consent(Staff(personas["mona"]), holder_verified(sam).inquiry_id)
    assert not ThirdPartyBasis.objects.exists()


def court_order(personas, **changes):
    values = {
        "policy_no": "P2026000001",
        "kind": "court",
        "party_name": "赵律师",
        "party_id_type": "resident_id",
        "party_id_number": STRANGER_ID,
        "sections": ["policy", "premiums"],
        "valid_until": LATER,
        "reference": "(2026)京0101民初123号",
        "filename": "order.pdf",
        "data": PDF,
        **changes,
    }
    return legal_basis_record(principal=Staff(personas["sam"]), **values)


def test_a_legal_basis_before_and_after_approval(book: Book, personas) -> None:
    basis = court_order(personas)
    assert basis.status == "pending"
    sam = Staff(personas["sam"])
    assert not stranger(sam).verified  # not before approval
    # compliance is told, then decides; the one who recorded it never approves it
    assert Notification.objects.filter(
        recipient=personas["dave"], kind="third_party_basis_waiting"
    ).exists()
    with pytest.raises(Refusal) as refused:
        legal_basis_decide(principal=sam, basis_id=basis.pk, approve=True)
    assert refused.value.code == "inquiry.basis_own"
    with pytest.raises(Refusal):  # the manager's step comes second
        legal_basis_decide(principal=Staff(personas["mona"]), basis_id=basis.pk, approve=True)
    legal_basis_decide(principal=Staff(personas["dave"]), basis_id=basis.pk, approve=True)
    basis.refresh_from_db()
    assert basis.status == "pending"
    assert Notification.objects.filter(
        recipient=personas["mona"], kind="third_party_basis_waiting"
    ).exists()
    legal_basis_decide(principal=Staff(personas["mona"]), basis_id=basis.pk, approve=True)
    basis.refresh_from_db()
    assert basis.status == "in_force"
    assert Notification.objects.filter(
        recipient=personas["sam"], kind="third_party_basis_decided"
    ).exists()
    result = stranger(sam)
    assert result.verified and result.role == "third_party"
    _inquiry, facts = inquiry_answer(principal=sam, inquiry_id=result.inquiry_id)
    assert facts.sections == {"policy", "premiums"}


def test_a_rejected_legal_basis_gives_nothing(book: Book, personas) -> None:
    basis = court_order(personas)
    with pytest.raises(Refusal) as refused:
        legal_basis_decide(principal=Staff(personas["dave"]), basis_id=basis.pk, approve=False)
    assert refused.value.code == "inquiry.basis_reason"
    legal_basis_decide(
        principal=Staff(personas["dave"]), basis_id=basis.pk, approve=False, reason="文书不全"
    )
    basis.refresh_from_db()
    assert basis.status == "rejected"
    assert not stranger(Staff(personas["sam"])).verified


@pytest.mark.parametrize(
    ("who", "changes", "code"),
    [
        ("alice", {}, "inquiry.role_forbidden"),
        ("sam", {"kind": "consent"}, "inquiry.basis_kind"),
        ("sam", {"policy_no": "P2099999999"}, "inquiry.policy"),
        ("sam", {"reference": ""}, "inquiry.required"),
    ],
)
def test_legal_basis_refusals_change_nothing(book: Book, personas, who, changes, code) -> None:
    values = {
        "policy_no": "P2026000001",
        "kind": "court",
        "party_name": "赵律师",
        "party_id_type": "resident_id",
        "party_id_number": STRANGER_ID,
        "sections": ["policy"],
        "valid_until": LATER,
        "reference": "R1",
        "filename": "order.pdf",
        "data": PDF,
        **changes,
    }
    with pytest.raises(Refusal) as refused:
        legal_basis_record(principal=Staff(personas[who]), **values)
    assert refused.value.code == code
    assert not ThirdPartyBasis.objects.exists() and not ApprovalRequest.objects.exists()
