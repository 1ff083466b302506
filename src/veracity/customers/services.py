"""Writes to the customer register. Applications arrive in batches (one for the API, many for
a file import); a batch resolves every person against the register with a few set-based
queries and inserts what is new in bulk, history rows included."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db import models

from veracity.access.fields import blind_index
from veracity.core import accounts, contact, identity
from veracity.db.bulk import bulk_insert
from veracity.customers.models import (
    Address,
    BankAccount,
    Customer,
    Email,
    IdentityDocument,
    Phone,
)

M = TypeVar("M", bound=models.Model)

# Blind-index domains: one per kind of value, so equal strings of different kinds never match.
DOMAIN_ID = "id"
DOMAIN_PHONE = "phone"
DOMAIN_ADDRESS = "address"
DOMAIN_EMAIL = "email"
DOMAIN_ACCOUNT = "account"


def id_key(id_type: str, number: str) -> tuple[str, str, str] | None:
    """(id_type, normalised number, blind index) of a document, or None when absent."""
    kind = (identity.parse_id_type(id_type) or identity.IdType.OTHER).value
    normalised = identity.normalise_id(kind, number or "")
    if not normalised:
        return None
    bidx = blind_index(f"{kind}:{normalised}", domain=DOMAIN_ID)
    assert bidx is not None
    return kind, normalised, bidx


def phone_key(raw: str) -> tuple[str, str, str, bool] | None:
    """(stored value, kind, blind index, valid): E.164 when the number is valid."""
    facts = contact.normalise_phone(raw or "")
    value = facts.e164 or "".join(ch for ch in raw if not ch.isspace())
    if not value:
        return None
    bidx = blind_index(value, domain=DOMAIN_PHONE)
    assert bidx is not None
    return value, facts.kind, bidx, facts.valid


def address_key(raw: str) -> tuple[str, str] | None:
    normalised = contact.normalise_address(raw or "")
    if not normalised:
        return None
    bidx = blind_index(normalised, domain=DOMAIN_ADDRESS)
    assert bidx is not None
    return raw.strip(), bidx


def account_key(raw: str) -> tuple[str, str] | None:
    normalised = accounts.normalise_account(raw or "")
    if not normalised:
        return None
    bidx = blind_index(normalised, domain=DOMAIN_ACCOUNT)
    assert bidx is not None
    return normalised, bidx


def email_key(raw: str) -> tuple[str, str] | None:
    normalised = contact.normalise_email(raw or "")
    if not normalised:
        return None
    bidx = blind_index(normalised, domain=DOMAIN_EMAIL)
    assert bidx is not None
    return normalised, bidx


@dataclass
class PersonIn:
    """One person as submitted: identity, facts and contacts (already normalised keys)."""

    name: str
    sex: str
    birth_date: date | None
    document: tuple[str, str, str] | None  # id_type, normalised number, bidx
    phones: list[tuple[str, str, str, bool]] = field(default_factory=list)
    address: tuple[str, str] | None = None
    email: tuple[str, str] | None = None
    # A person without a document is only matched within ``anchor`` (e.g. a minor insured
    # is matched among the insured of the same policyholder by name and birth date).
    anchor: str = ""
    customer: Customer | None = None

    @property
    def key(self) -> tuple[str, ...]:
        if self.document:
            return ("doc", self.document[0], self.document[2])
        return ("anon", self.anchor, self.name, str(self.birth_date))


def sex_code(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text in {"m", "male", "男", "1"}:
        return "M"
    if text in {"f", "female", "女", "2"}:
        return "F"
    return ""


def person_from(block: dict[str, Any] | None, *, birth_date: date | None) -> PersonIn | None:
    if not block:
        return None
    id_type = str(block.get("id_type") or identity.IdType.RESIDENT_ID.value)
    document = id_key(id_type, str(block.get("id_number") or ""))
    phones = [key for raw in block.get("phones") or [] if (key := phone_key(str(raw)))]
    return PersonIn(
        name=str(block.get("name") or "").strip()[:100],
        sex=sex_code(block.get("sex")),
        birth_date=birth_date,
        document=document,
        phones=phones,
        address=address_key(str(block.get("address") or "")),
        email=email_key(str(block.get("email") or "")),
    )


def customers_resolve(people: Sequence[PersonIn]) -> None:
    """Attach a customer to every person: the one the register knows by document, or a new
    one. Differences in name, sex or birth date update the customer (history keeps the old
    values). Phones, addresses and e-mails not yet on file are added."""
    _resolve_documented([p for p in people if p.document])
    _resolve_anonymous([p for p in people if not p.document])
    _add_contacts(people)


def _resolve_documented(people: Sequence[PersonIn]) -> None:
    bidxs = {p.document[2] for p in people if p.document}
    known: dict[tuple[str, str], Customer] = {}
    for doc in IdentityDocument.objects.filter(number_bidx__in=bidxs).select_related("customer"):
        known[(doc.id_type, doc.number_bidx)] = doc.customer
    by_key: dict[tuple[str, ...], list[PersonIn]] = {}
    for person in people:
        by_key.setdefault(person.key, []).append(person)
    new: list[tuple[Customer, list[PersonIn]]] = []
    changed: dict[int, Customer] = {}
    for key, group in by_key.items():
        latest = group[-1]
        customer = known.get((key[1], key[2]))
        if customer is None:
            new.append((_customer_from(latest), group))
            continue
        if _apply_facts(customer, latest):
            changed[customer.pk] = customer
        for person in group:
            person.customer = customer
    for customer in changed.values():
        customer.save()
    _insert_customers(new)
    documents = []
    for customer, group in new:
        doc = group[-1].document
        assert doc is not None
        documents.append(
            IdentityDocument(customer=customer, id_type=doc[0], number=doc[1], number_bidx=doc[2])
        )
    insert(IdentityDocument, documents)


def _resolve_anonymous(people: Sequence[PersonIn]) -> None:
    new: list[tuple[Customer, list[PersonIn]]] = []
    by_key: dict[tuple[str, ...], list[PersonIn]] = {}
    for person in people:
        by_key.setdefault(person.key, []).append(person)
    for group in by_key.values():
        new.append((_customer_from(group[-1]), group))
    _insert_customers(new)


def _customer_from(person: PersonIn) -> Customer:
    return Customer(name=person.name, sex=person.sex, birth_date=person.birth_date)


def _apply_facts(customer: Customer, person: PersonIn) -> bool:
    changed = False
    for attr in ("name", "sex", "birth_date"):
        value = getattr(person, attr)
        if value and getattr(customer, attr) != value:
            setattr(customer, attr, value)
            changed = True
    return changed


def _insert_customers(new: list[tuple[Customer, list[PersonIn]]]) -> None:
    if not new:
        return
    customers = bulk_insert(
        Customer, [customer for customer, _ in new], prepare=_assign_archive_no
    )
    for customer, (_, group) in zip(customers, new, strict=True):
        for person in group:
            person.customer = customer


def _assign_archive_no(customer: Customer) -> None:
    """CA-1: every new customer gets an archive at once, numbered from its key."""
    if customer.archive_no is None:
        customer.archive_no = f"C{customer.pk:010d}"


def _add_contacts(people: Sequence[PersonIn]) -> None:
    ids = {p.customer.pk for p in people if p.customer}
    have_phone = set(
        Phone.objects.filter(customer_id__in=ids).values_list("customer_id", "number_bidx")
    )
    have_address = set(
        Address.objects.filter(customer_id__in=ids).values_list("customer_id", "text_bidx")
    )
    have_email = set(
        Email.objects.filter(customer_id__in=ids).values_list("customer_id", "address_bidx")
    )
    phones, addresses, emails = [], [], []
    for person in people:
        assert person.customer is not None
        cid = person.customer.pk
        for value, kind, bidx, valid in person.phones:
            if (cid, bidx) not in have_phone:
                have_phone.add((cid, bidx))
                phones.append(
                    Phone(customer_id=cid, number=value, number_bidx=bidx, kind=kind, valid=valid)
                )
        if person.address and (cid, person.address[1]) not in have_address:
            have_address.add((cid, person.address[1]))
            addresses.append(
                Address(customer_id=cid, text=person.address[0], text_bidx=person.address[1])
            )
        if person.email and (cid, person.email[1]) not in have_email:
            have_email.add((cid, person.email[1]))
            emails.append(
                Email(customer_id=cid, address=person.email[0], address_bidx=person.email[1])
            )
    insert(Phone, phones)
    insert(Address, addresses)
    insert(Email, emails)


@dataclass
class AccountIn:
    owner: PersonIn
    number: tuple[str, str]
    holder_name: str
    holder_document: tuple[str, str, str] | None
    account: BankAccount | None = None


def bank_accounts_resolve(items: Sequence[AccountIn]) -> None:
    """The account as it appears in its owner's data: reuse the one on file or add it."""
    ids = {item.owner.customer.pk for item in items if item.owner.customer}
    bidxs = {item.number[1] for item in items}
    known = {
        (acc.customer_id, acc.number_bidx): acc
        for acc in BankAccount.objects.filter(customer_id__in=ids, number_bidx__in=bidxs)
    }
    new: list[BankAccount] = []
    for item in items:
        assert item.owner.customer is not None
        key = (item.owner.customer.pk, item.number[1])
        account = known.get(key)
        if account is None:
            doc = item.holder_document
            account = BankAccount(
                customer_id=key[0],
                number=item.number[0],
                number_bidx=key[1],
                holder_name=item.holder_name[:100],
                holder_id_type=doc[0] if doc else "",
                holder_id_number=doc[1] if doc else None,
                holder_id_bidx=doc[2] if doc else None,
            )
            known[key] = account
            new.append(account)
        item.account = account
    insert(BankAccount, new)


def insert(model: type[M], objs: Iterable[M]) -> list[M]:
    """Bulk insert with history rows; returns the objects with their primary keys."""
    return bulk_insert(model, objs)
