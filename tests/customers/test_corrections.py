"""Corrections found by an investigation (PW-5): parsing what the investigator submits, and
writing it — every change or none, the old values kept in history."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cases.test_listing import _apply, _person
from tests.conftest import resident_id
from veracity.customers.corrections import (
    Change,
    CorrectionError,
    changes_parse,
    customer_correct,
    customer_recheck,
)
from veracity.customers.models import Address, BankAccount, Customer, IdentityDocument, Phone
from veracity.customers.services import account_key, address_key, id_key, phone_key
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 26)


@pytest.fixture
def two(personas) -> tuple[Customer, Customer]:
    """Two unrelated policyholders, each with a phone, an address, an account and an ID."""
    _apply("C1", _person("周文", "1980-05-05", "13811112222"))
    _apply("C2", _person("吴武", "1981-06-06", "13933334444"))
    first, second = Customer.objects.order_by("pk")
    return first, second


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([], "changes"),
        (["name=王芳"], "changes[0]"),
        ([{"customer_id": 1, "field": "email", "value": "a@b.cn"}], "changes[0].field"),
        ([{"customer_id": 1, "field": "", "value": "x"}], "changes[0].field"),
        ([{"customer_id": "abc", "field": "name", "value": "王芳"}], "changes[0]"),
        ([{"customer_id": 1, "field": "phone", "record_id": "x", "value": "1"}], "changes[0]"),
        ([{"customer_id": 9, "field": "name", "value": "王芳"}], "changes[0].customer_id"),
        ([{"field": "name", "value": "王芳"}], "changes[0].customer_id"),
        ([{"customer_id": 1, "field": "phone", "value": "13912345678"}], "changes[0].record_id"),
        ([{"customer_id": 1, "field": "name", "value": "   "}], "changes[0].value"),
        ([{"customer_id": 1, "field": "name"}], "changes[0].value"),
        ([{"customer_id": 1, "field": "sex", "value": "X"}], "changes[0].value"),
        ([{"customer_id": 1, "field": "birth_date", "value": "1985-02-30"}], "changes[0].value"),
        ([{"customer_id": 1, "field": "birth_date", "value": "14/03/1985"}], "changes[0].value"),
        (
            [{"customer_id": 1, "field": "phone", "record_id": 3, "value": "12345"}],
            "changes[0].value",
        ),
        (
            [{"customer_id": 1, "field": "address", "record_id": 3, "value": "——"}],
            "changes[0].value",
        ),
        (
            [{"customer_id": 1, "field": "account", "record_id": 3, "value": "- -"}],
            "changes[0].value",
        ),
        (
            [{"customer_id": 1, "field": "account", "record_id": 3, "value": "ABC-DEF"}],
            "changes[0].value",
        ),
        (
            [{"customer_id": 1, "field": "account", "record_id": 3, "value": "1234"}],
            "changes[0].value",
        ),
        # the second of two changes is the bad one: its index is named
        (
            [
                {"customer_id": 1, "field": "name", "value": "王芳"},
                {"customer_id": 1, "field": "sex", "value": "?"},
            ],
            "changes[1].value",
        ),
    ],
)
def test_parse_refusals_name_the_field(raw, field):
    with pytest.raises(CorrectionError) as refused:
        changes_parse(raw, allowed_customers={1, 2})
    assert refused.value.field == field
    assert refused.value.message_zh and refused.value.message_en


def test_parse_accepts_and_normalises_ids():
    parsed = changes_parse(
        [
            {"customer_id": "1", "field": "name", "value": " 王芳 "},
            {"customer_id": 2, "field": "phone", "record_id": "7", "value": "139 1234 5678"},
            {"customer_id": 2, "field": "birth_date", "value": "1985-03-14", "record_id": ""},
        ],
        allowed_customers={1, 2},
    )
    assert parsed == [
        Change(1, "name", "王芳"),
        Change(2, "phone", "139 1234 5678", 7),
        Change(2, "birth_date", "1985-03-14"),
    ]


# --- writing ------------------------------------------------------------------------------


def _state(*customers: Customer) -> list[tuple]:
    ids = [c.pk for c in customers]
    return [
        sorted(Customer.objects.filter(pk__in=ids).values_list("pk", "name", "sex", "birth_date")),
        sorted(Phone.objects.filter(customer_id__in=ids).values_list("pk", "number_bidx")),
        sorted(
            IdentityDocument.objects.filter(customer_id__in=ids).values_list("pk", "number_bidx")
        ),
        sorted(Address.objects.filter(customer_id__in=ids).values_list("pk", "text_bidx")),
        sorted(BankAccount.objects.filter(customer_id__in=ids).values_list("pk", "number_bidx")),
    ]


def test_id_number_of_another_customer_refused_and_nothing_written(two, personas):
    first, second = two
    mine = IdentityDocument.objects.get(customer=first)
    theirs = IdentityDocument.objects.get(customer=second)
    before = _state(first, second)
    with pytest.raises(CorrectionError) as refused:
        customer_correct(
            changes=[
                Change(first.pk, "name", "周文杰"),  # valid, but must not stay alone
                Change(first.pk, "id_number", theirs.number, mine.pk),
            ],
            principal=Staff(personas["dave"]),
            reason="problem item #1",
            as_of=AS_OF,
        )
    assert refused.value.field == "changes[1].value"
    assert "merge" in refused.value.message_en and "合并" in refused.value.message_zh
    assert _state(first, second) == before


def test_invalid_id_number_refused_by_the_core_rules(two, personas):
    first, _ = two
    mine = IdentityDocument.objects.get(customer=first)
    bad = mine.number[:-1] + ("0" if mine.number[-1] != "0" else "1")  # wrong check digit
    before = _state(first)
    with pytest.raises(CorrectionError) as refused:
        customer_correct(
            changes=[Change(first.pk, "id_number", bad, mine.pk)],
            principal=Staff(personas["dave"]),
            reason="r",
            as_of=AS_OF,
        )
    assert refused.value.field == "changes[0].value"
    assert _state(first) == before


@pytest.mark.parametrize("field", ["phone", "address", "account", "id_number"])
def test_record_of_another_customer_refused(field, two, personas):
    first, second = two
    model = {
        "phone": Phone,
        "address": Address,
        "account": BankAccount,
        "id_number": IdentityDocument,
    }[field]
    theirs = model.objects.filter(customer=second).first()
    value = {
        "phone": "13700001111",
        "address": "上海市徐汇区漕溪北路1号",
        "account": "6222020200009999888",
        "id_number": resident_id("310101", "1980-05-05", 456),
    }[field]
    before = _state(first, second)
    with pytest.raises(CorrectionError) as refused:
        customer_correct(
            changes=[Change(first.pk, field, value, theirs.pk)],
            principal=Staff(personas["dave"]),
            reason="r",
            as_of=AS_OF,
        )
    assert refused.value.field == "changes[0].record_id"
    assert _state(first, second) == before


def test_correct_to_a_number_already_on_file_removes_the_wrong_record(two, personas):
    """The customer's true number is already on file: the wrong record goes, its history
    (who, why, the old value) stays."""
    first, _ = two
    wrong = Phone.objects.get(customer=first)
    value, kind, bidx, valid = phone_key("13755556666")
    right = Phone.objects.create(
        customer=first, number=value, number_bidx=bidx, kind=kind, valid=valid
    )
    customer_correct(
        changes=[Change(first.pk, "phone", "137 5555 6666", wrong.pk)],
        principal=Staff(personas["dave"]),
        reason="problem item #7",
        as_of=AS_OF,
    )
    assert list(Phone.objects.filter(customer=first)) == [right]
    gone = Phone.history.filter(id=wrong.pk).latest()
    assert (gone.history_type, gone.number, gone.history_user) == (
        "-",
        "+8613811112222",
        personas["dave"],
    )
    assert gone.history_change_reason == "problem item #7"


def test_correct_a_phone_to_its_own_number_keeps_it(two, personas):
    """Confirming the number on file (differently typed) is not a duplicate of itself."""
    first, _ = two
    phone = Phone.objects.get(customer=first)
    customer_correct(
        changes=[Change(first.pk, "phone", "+86 138-1111-2222", phone.pk)],
        principal=Staff(personas["dave"]),
        reason="r",
        as_of=AS_OF,
    )
    assert list(Phone.objects.filter(customer=first).values_list("pk", "number")) == [
        (phone.pk, "+8613811112222")
    ]


def test_correct_to_another_customers_phone_is_allowed_and_shared(two, personas):
    """A phone may truly be shared (the detection rules judge that, not the correction)."""
    first, second = two
    phone = Phone.objects.get(customer=first)
    customer_correct(
        changes=[Change(first.pk, "phone", "13933334444", phone.pk)],
        principal=Staff(personas["dave"]),
        reason="r",
        as_of=AS_OF,
    )
    phone.refresh_from_db()
    assert phone.number_bidx == Phone.objects.get(customer=second).number_bidx


def test_record_values_and_blind_indexes_are_rewritten(two, personas):
    first, _ = two
    address = Address.objects.get(customer=first)
    account = BankAccount.objects.get(customer=first)
    document = IdentityDocument.objects.get(customer=first)
    old_id = document.number
    new_id = resident_id("110101", "1980-05-05", 778)
    customer_correct(
        changes=[
            Change(first.pk, "address", "北京市海淀区中关村大街27号", address.pk),
            Change(first.pk, "account", "6222 0202 0000 7777 888", account.pk),
            Change(first.pk, "id_number", new_id, document.pk),
        ],
        principal=Staff(personas["dave"]),
        reason="r",
        as_of=AS_OF,
    )
    assert (
        Address.objects.get(pk=address.pk).text_bidx == address_key("北京市海淀区中关村大街27号")[1]
    )
    assert (
        BankAccount.objects.get(pk=account.pk).number_bidx == account_key("6222020200007777888")[1]
    )
    document.refresh_from_db()
    assert (document.number, document.number_bidx) == (new_id, id_key("resident_id", new_id)[2])
    assert [h.number for h in document.history.order_by("history_date")] == [old_id, new_id]


def test_facts_corrected_and_rechecked(two, personas):
    first, _ = two
    customer_correct(
        changes=[Change(first.pk, "birth_date", "1980-05-06"), Change(first.pk, "sex", "M")],
        principal=Staff(personas["dave"]),
        reason="r",
        as_of=AS_OF,
    )
    first.refresh_from_db()
    assert (first.birth_date, first.sex) == (date(1980, 5, 6), "M")
    codes = {f.code for f in customer_recheck(first.pk, as_of=AS_OF)}
    assert {"ID_BIRTH_MISMATCH", "ID_SEX_MISMATCH"} <= codes
    assert first.history.earliest("history_date").sex == "F"
