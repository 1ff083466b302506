"""Correcting a customer's data found wrong by an investigation (PW-5, D1.7).

A correction is a recorded change: each value is replaced on its own record, the history
table keeps the old one with who changed it and why, and the corrected file is re-checked by
the truthfulness gate's person rules. Nothing is written unless every change is valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models, transaction

from veracity.core import accounts, contact, gate, identity
from veracity.core.findings import Finding
from veracity.core.refusals import Refusal
from veracity.customers import numbers
from veracity.customers import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.customers.models import Address, BankAccount, Customer, IdentityDocument, Phone
from veracity.customers.services import account_key, address_key, id_key, phone_key
from veracity.org.principals import Principal, acting_user

#: What an investigation may correct: the facts on the customer row, and the values on the
#: customer's own phone, address, bank-account and identity-document records.
FIELDS = ("name", "sex", "birth_date", "phone", "address", "account", "id_number")
_RECORDS: dict[str, type[models.Model]] = {
    "phone": Phone,
    "address": Address,
    "account": BankAccount,
    "id_number": IdentityDocument,
}
FIELD_NAMES = {
    "name": ("姓名", "name"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "birth date"),
    "phone": ("电话", "phone"),
    "address": ("地址", "address"),
    "account": ("银行账号", "bank account"),
    "id_number": ("证件号码", "ID number"),
}


class CorrectionError(Refusal):
    """A change that cannot be made; ``field`` is ``changes[i].<name>``; the words are the
    ``correction.*`` entries of :mod:`veracity.customers.refusals`."""

    namespace = "correction"


@dataclass(frozen=True, slots=True)
class Change:
    customer_id: int
    field: str
    value: str
    record_id: int | None = None


def changes_parse(raw: Sequence[Mapping[str, Any]], *, allowed_customers: set[int]) -> list[Change]:
    """Changes as submitted (the customer by ``archive_no`` — the file number as typed — or
    ``customer_id``; ``field``, ``value``, ``record_id`` for the record-held values) →
    checked :class:`Change` objects, or the first error."""
    out = []
    if not raw:
        raise CorrectionError("required", "changes")
    for i, item in enumerate(raw):
        where = f"changes[{i}]"
        if not isinstance(item, Mapping):
            raise CorrectionError("malformed", where)
        name = str(item.get("field") or "")
        if name not in FIELDS:
            raise CorrectionError(
                "field",
                f"{where}.field",
                name=name,
                allowed_zh="、".join(v[0] for v in FIELD_NAMES.values()),
                allowed_en=", ".join(FIELDS),
            )
        number = item.get("archive_no")
        found: int | None = None
        if number not in (None, ""):
            # the file number as people type it, before the internal id kept for old clients
            found = numbers.customer_id(str(number))
            if found is None or found not in allowed_customers:
                raise CorrectionError("customer", f"{where}.archive_no")
        try:
            customer_id = found if number not in (None, "") else int(item.get("customer_id") or 0)
            record_id = int(item["record_id"]) if item.get("record_id") not in (None, "") else None
        except (TypeError, ValueError):
            raise CorrectionError("bad_id", where) from None
        if customer_id not in allowed_customers:
            raise CorrectionError("customer", f"{where}.customer_id")
        if name in _RECORDS and record_id is None:
            raise CorrectionError("record_required", f"{where}.record_id")
        value = str(item.get("value") or "").strip()
        _check_value(f"{where}.value", name, value)
        out.append(Change(customer_id, name, value, record_id))
    return out


def _check_value(where: str, name: str, value: str) -> None:
    zh, en = FIELD_NAMES[name]
    if not value:
        raise CorrectionError("empty", where, what_zh=zh, what_en=en)
    if name == "sex" and gate.normalise_sex(value) is None:
        raise CorrectionError("sex", where)
    if name == "birth_date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise CorrectionError("birth_date", where) from None
    if name == "phone" and not contact.normalise_phone(value).valid:
        raise CorrectionError("phone", where)
    if name == "account":
        # the gate's rule: digits only, 8 to 30 of them (a Luhn failure is only a warning)
        _n, found = accounts.check_account(value, field=where)
        errors = [f for f in found if str(f.severity) == "error"]
        if not accounts.normalise_account(value) or errors:
            raise CorrectionError("account", where)
    if name == "address" and not contact.normalise_address(value):
        raise CorrectionError("address", where)


@transaction.atomic
def customer_correct(
    *, changes: Sequence[Change], principal: Principal, reason: str, as_of: date
) -> None:
    """Apply every change or none; each changed record's history row names ``principal``'s
    acting user (``org.principals.acting_user``; nobody for a system without a person) and
    ``reason``."""
    user = acting_user(principal)
    for i, change in enumerate(changes):
        where = f"changes[{i}]"
        if change.field in _RECORDS:
            _correct_record(where, change, user, reason, as_of)
        else:
            _correct_fact(change, user, reason)


def _stamp(obj: models.Model, user: Any, reason: str) -> None:
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason[:100]  # type: ignore[attr-defined]


def _correct_fact(change: Change, user: Any, reason: str) -> None:
    customer = Customer.objects.select_for_update().get(pk=change.customer_id)
    if change.field == "name":
        customer.name = change.value[:100]
    elif change.field == "sex":
        customer.sex = gate.normalise_sex(change.value) or ""
    else:
        customer.birth_date = date.fromisoformat(change.value)
    _stamp(customer, user, reason)
    customer.save()


def _correct_record(where: str, change: Change, user: Any, reason: str, as_of: date) -> None:
    model = _RECORDS[change.field]
    record: Any = (
        model.objects.select_for_update()  # type: ignore[attr-defined]
        .filter(pk=change.record_id, customer_id=change.customer_id)
        .first()
    )
    if record is None:
        raise CorrectionError("no_record", f"{where}.record_id")
    if change.field == "phone":
        value, kind, bidx, valid = phone_key(change.value) or ("", "", "", False)
        others = Phone.objects.filter(customer_id=change.customer_id, number_bidx=bidx)
        if others.exclude(pk=record.pk).exists():
            # the true number is already on file: the wrong one goes (history keeps it)
            _stamp(record, user, reason)
            record.delete()
            return
        record.number, record.number_bidx, record.kind, record.valid = value, bidx, kind, valid
    elif change.field == "address":
        text, bidx = address_key(change.value) or ("", "")
        record.text, record.text_bidx = text, bidx
    elif change.field == "account":
        number, bidx = account_key(change.value) or ("", "")
        record.number, record.number_bidx = number, bidx
    else:
        _correct_document(where, record, change, as_of)
    _stamp(record, user, reason)
    record.save()


def _correct_document(where: str, record: Any, change: Change, as_of: date) -> None:
    _facts, found = identity.check_id(record.id_type, change.value, as_of=as_of, field=where)
    errors = [f for f in found if str(f.severity) == "error"]
    if errors:
        raise CorrectionError(
            "id_number",
            f"{where}.value",
            message_zh=errors[0].message_zh,
            message_en=errors[0].message_en,
        )
    key = id_key(record.id_type, change.value)
    assert key is not None
    taken = IdentityDocument.objects.filter(id_type=key[0], number_bidx=key[2]).exclude(
        customer_id=change.customer_id
    )
    if taken.exists():
        raise CorrectionError("id_taken", f"{where}.value")
    record.number, record.number_bidx = key[1], key[2]


def customer_recheck(customer_id: int, *, as_of: date) -> list[Finding]:
    """The gate's person rules over the customer's file as it now stands (every document,
    phone and declared fact): what is still wrong after a correction."""
    customer = Customer.objects.get(pk=customer_id)
    phones = [p.number for p in Phone.objects.filter(customer_id=customer_id)]
    out: list[Finding] = []
    documents: list[IdentityDocument | None] = list(
        IdentityDocument.objects.filter(customer_id=customer_id)
    ) or [None]
    for i, doc in enumerate(documents):
        block = {
            "name": customer.name,
            "sex": customer.sex,
            "birth_date": customer.birth_date.isoformat() if customer.birth_date else "",
            "id_type": doc.id_type if doc else "",
            "id_number": doc.number if doc else None,
            "phones": phones if i == 0 else None,
        }
        out += gate.person_findings(block, prefix="customer", as_of=as_of)
    return out
