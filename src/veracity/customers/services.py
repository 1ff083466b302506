"""Writes to the customer register. Applications arrive in batches (one for the API, many for
a file import); a batch resolves every person against the register with a few set-based
queries and inserts what is new in bulk, history rows included."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from django.db import models, transaction

from veracity.access.governance import GovernanceError
from veracity.access.models import Classification, Confidentiality
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core import accounts, contact, gate, identity
from veracity.customers.models import (
    Address,
    BankAccount,
    Customer,
    Email,
    IdentityChange,
    IdentityDocument,
    Phone,
)
from veracity.customers.numbers import archive_no_of_id
from veracity.db.bulk import any_of, bulk_insert, insert_rows, reserve_pks, select
from veracity.db.fields import blind_index
from veracity.org.principals import Principal

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
    # is matched among the insured of the same policyholder by name and birth date; a
    # policyholder without a document only within its own application and role). The key
    # is kept (blind-indexed) on the customer, so a resubmission or a rerun finds it again.
    anchor: str = ""
    # Where the person was submitted (application number, role), for a recorded change.
    submitted_in: tuple[str, str] = ("", "")
    customer_id: int | None = None  # set by ``customers_resolve``
    # Facts (name, sex, birth_date) this submission gives otherwise than the register's
    # customer of the same document; set by ``customers_resolve``, never applied.
    identity_changed: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        if self.document:
            return ("doc", self.document[0], self.document[2])
        return ("anon", self.anchor, self.name, str(self.birth_date))

    @property
    def anchor_bidx(self) -> str | None:
        """The keyed blind index of a person without a document (``None`` without anchor)."""
        if self.document or not self.anchor:
            return None
        return blind_index("\x1f".join(self.key), domain=DOMAIN_ANCHOR)


DOMAIN_ANCHOR = "anchor"


def person_from(block: dict[str, Any] | None, *, birth_date: date | None) -> PersonIn | None:
    """The person of a block (an empty block is a person with nothing known)."""
    if block is None:
        return None
    number = block.get("id_number")
    id_type = str(block.get("id_type") or identity.infer_id_type(number))
    document = id_key(id_type, str(block.get("id_number") or ""))
    phones = [key for raw in block.get("phones") or [] if (key := phone_key(str(raw)))]
    return PersonIn(
        name=str(block.get("name") or "").strip()[:100],
        sex=gate.normalise_sex(block.get("sex")) or "",
        birth_date=birth_date,
        document=document,
        phones=phones,
        address=address_key(str(block.get("address") or "")),
        email=email_key(str(block.get("email") or "")),
    )


def customers_resolve(people: Sequence[PersonIn]) -> None:
    """Attach a customer to every person (``customer_id``): the one the register knows by
    document (or, without one, by anchor), or a new one. Phones, addresses and e-mails not
    yet on file are added. Call it inside the writing transaction.

    A fact the register lacks (a birth date, a sex) is filled in from the submission. A
    fact it holds otherwise — another name, sex or birth date for the same identity
    document — is never overwritten (D1.6: it may be a false identity): the customer keeps
    its values, the submission's are recorded as an ``IdentityChange`` for customer service
    to check, and the person's ``identity_changed`` names the differing facts, so the
    application's check can say so. People are taken in order: within a batch the first
    submission of a new document creates the customer, as if they had come one by one."""
    new = _resolve_documented([p for p in people if p.document])
    new.update(_resolve_anonymous([p for p in people if not p.document]))
    _add_contacts(people, new)


_FACTS = ("name", "sex", "birth_date")


def _resolve_documented(people: Sequence[PersonIn]) -> set[int]:
    """Returns the ids of the customers it created."""
    by_key: dict[tuple[str, ...], list[PersonIn]] = {}
    for person in people:
        by_key.setdefault(person.key, []).append(person)
    known: dict[tuple[str, str], tuple[Any, ...]] = {}
    if by_key:
        # Both columns of the unique (id_type, number_bidx) index, so it is used.
        for id_type, bidx, *customer in select(
            "SELECT d.id_type, d.number_bidx, d.customer_id, c.name, c.sex, c.birth_date"  # noqa: S608
            f" FROM {IdentityDocument._meta.db_table} d"
            f" JOIN {Customer._meta.db_table} c ON c.id = d.customer_id",
            [
                any_of("d.id_type", {key[1] for key in by_key}),
                any_of("d.number_bidx", [key[2] for key in by_key]),
            ],
        ):
            known[(id_type, bidx)] = (*customer[:3], _as_date(customer[3]))
    new: list[tuple[PersonIn, list[PersonIn]]] = []
    filled: dict[int, dict[str, Any]] = {}
    changes: list[tuple[PersonIn, dict[str, Any]]] = []
    for key, group in by_key.items():
        found = known.get((key[1], key[2]))
        if found is None:
            # A new customer starts with the first submission's facts (they arrive in order).
            on_file = {attr: getattr(group[0], attr) for attr in _FACTS}
        else:
            on_file = dict(zip(_FACTS, found[1:], strict=True))
        fixes = _fixes(on_file, group, _told_by_number(key[1], group[0].document))
        on_file.update(fixes)
        if found is None:
            new.append((replace(group[0], **on_file), group))
        else:
            for person in group:
                person.customer_id = found[0]
            if fixes:
                filled[found[0]] = fixes
        for person in group:
            differing = tuple(
                attr
                for attr in _FACTS
                if (value := getattr(person, attr)) and value != on_file[attr]
            )
            person.identity_changed = differing
            if differing:
                changes.append((person, {attr: on_file[attr] for attr in differing}))
    if filled:
        for customer_obj in Customer.objects.filter(pk__in=filled).order_by("pk"):
            for attr, value in filled[customer_obj.pk].items():
                setattr(customer_obj, attr, value)
            customer_obj.save()
    ids = _insert_customers(new)
    documents = []
    for customer_id, (first, _) in zip(ids, new, strict=True):
        doc = first.document
        assert doc is not None
        documents.append((customer_id, doc[0], doc[1], doc[2]))
    insert_rows(IdentityDocument, ("customer_id", "id_type", "number", "number_bidx"), documents)
    _record_identity_changes(changes)
    return set(ids)


def _told_by_number(id_type: str, document: tuple[str, str, str] | None) -> dict[str, Any]:
    """The sex and birth date a resident ID (or residence permit) number states."""
    if document is None or id_type not in _NUMBER_STATES_FACTS:
        return {}
    try:
        facts = identity.parse_resident_id(document[1])
    except ValueError:
        return {}
    return {"sex": facts.sex, "birth_date": facts.birth_date}


_NUMBER_STATES_FACTS = frozenset(
    {identity.IdType.RESIDENT_ID.value, identity.IdType.HMT_RESIDENCE_PERMIT.value}
)


def _fixes(
    on_file: dict[str, Any], group: Sequence[PersonIn], told: dict[str, Any]
) -> dict[str, Any]:
    """The facts the submissions may set: one the register lacks is filled in; one it holds
    against its own ID number is corrected by a submission that agrees with the number.
    Each the first such submission's, in order."""
    fixes: dict[str, Any] = {}
    for attr in _FACTS:
        held = on_file[attr]
        for person in group:
            value = getattr(person, attr)
            if value and (not held or (attr in told and held != told[attr] == value)):
                fixes[attr] = value
                break
    return fixes


def _record_identity_changes(changes: Sequence[tuple[PersonIn, dict[str, Any]]]) -> None:
    """One ``IdentityChange`` per submission giving other facts; one already recorded for
    the same submission (a rerun, a resubmission) is not recorded again."""
    if not changes:
        return
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for person, on_file in changes:
        application_no, role = person.submitted_in
        submitted = tuple(
            getattr(person, attr) if attr in on_file else ("" if attr != "birth_date" else None)
            for attr in _FACTS
        )
        key = (person.customer_id, application_no[:40], role[:20], *submitted)
        stored_on_file = {
            attr: value.isoformat() if isinstance(value, date) else value
            for attr, value in on_file.items()
        }
        rows.setdefault(key, (*key, stored_on_file))
    have = set(
        IdentityChange.objects.filter(customer_id__in={key[0] for key in rows}).values_list(
            "customer_id", "application_no", "role", *_FACTS
        )
    )
    insert_rows(
        IdentityChange,
        ("customer_id", "application_no", "role", *_FACTS, "on_file"),
        [row for key, row in rows.items() if key not in have],
    )


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _resolve_anonymous(people: Sequence[PersonIn]) -> set[int]:
    """A person without a document is the customer of the same anchor, name and birth date
    if the register has one (found by the key's blind index), else a new one; returns the
    ids of the new ones. Without an anchor, a new customer each time."""
    by_key: dict[tuple[str, ...], list[PersonIn]] = {}
    for person in people:
        by_key.setdefault(person.key, []).append(person)
    anchors = {key: group[0].anchor_bidx for key, group in by_key.items()}
    wanted = [bidx for bidx in anchors.values() if bidx]
    known: dict[str, int] = (
        dict(
            select(
                f"SELECT anchor_bidx, id FROM {Customer._meta.db_table}",  # noqa: S608
                [any_of("anchor_bidx", wanted)],
            )
        )
        if wanted
        else {}
    )
    new: list[tuple[PersonIn, list[PersonIn]]] = []
    refreshed: dict[int, PersonIn] = {}
    for key, group in by_key.items():
        found = known.get(anchors[key] or "")
        if found is None:
            new.append((group[-1], group))
            continue
        for person in group:
            person.customer_id = found
        refreshed[found] = group[-1]
    if refreshed:
        # Same anchor, name and birth date: the sex may have been filled in or corrected.
        for customer_obj in Customer.objects.filter(pk__in=refreshed).order_by("pk"):
            if _apply_facts(customer_obj, refreshed[customer_obj.pk]):
                customer_obj.save()
    return set(_insert_customers(new))


def _apply_facts(customer: Customer, person: PersonIn) -> bool:
    changed = False
    for attr in _FACTS:
        value = getattr(person, attr)
        if value and getattr(customer, attr) != value:
            setattr(customer, attr, value)
            changed = True
    return changed


def _insert_customers(new: list[tuple[PersonIn, list[PersonIn]]]) -> list[int]:
    """One new customer per group, with the facts of its latest submission; CA-1: every
    new customer gets an archive at once, numbered from its key."""
    if not new:
        return []
    with transaction.atomic(savepoint=False):
        ids = reserve_pks(Customer, len(new))
        insert_rows(
            Customer,
            ("id", "name", "sex", "birth_date", "archive_no", "anchor_bidx"),
            [
                (
                    pk,
                    latest.name,
                    latest.sex,
                    latest.birth_date,
                    archive_no_of_id(pk),
                    latest.anchor_bidx,
                )
                for pk, (latest, _) in zip(ids, new, strict=True)
            ],
        )
    for pk, (_, group) in zip(ids, new, strict=True):
        for person in group:
            person.customer_id = pk
    return ids


def _add_contacts(people: Sequence[PersonIn], new: set[int]) -> None:
    # A customer created in this batch has no contacts on file yet.
    ids = {p.customer_id for p in people if p.customer_id is not None} - new
    have_phone: set[tuple[int, str]] = set()
    have_address: set[tuple[int, str]] = set()
    have_email: set[tuple[int, str]] = set()
    if ids:
        have_phone = _pairs(Phone, "number_bidx", ids)
        have_address = _pairs(Address, "text_bidx", ids)
        have_email = _pairs(Email, "address_bidx", ids)
    phones, addresses, emails = [], [], []
    for person in people:
        cid = person.customer_id
        assert cid is not None
        for value, kind, bidx, valid in person.phones:
            if (cid, bidx) not in have_phone:
                have_phone.add((cid, bidx))
                phones.append((cid, value, bidx, kind, valid))
        if person.address and (cid, person.address[1]) not in have_address:
            have_address.add((cid, person.address[1]))
            addresses.append((cid, person.address[0], person.address[1]))
        if person.email and (cid, person.email[1]) not in have_email:
            have_email.add((cid, person.email[1]))
            emails.append((cid, person.email[0], person.email[1]))
    insert_rows(Phone, ("customer_id", "number", "number_bidx", "kind", "valid"), phones)
    insert_rows(Address, ("customer_id", "text", "text_bidx"), addresses)
    insert_rows(Email, ("customer_id", "address", "address_bidx"), emails)


def _pairs(model: type[models.Model], bidx: str, ids: set[int]) -> set[tuple[int, str]]:
    """(customer id, blind index) of the ``model`` rows of these customers."""
    table = model._meta.db_table
    return set(
        select(
            f"SELECT customer_id, {bidx} FROM {table}",  # noqa: S608
            [any_of("customer_id", ids)],
        )
    )


@dataclass
class AccountIn:
    owner: PersonIn
    number: tuple[str, str]
    holder_name: str
    holder_document: tuple[str, str, str] | None
    account_id: int | None = None  # set by ``bank_accounts_resolve``


def bank_accounts_resolve(items: Sequence[AccountIn]) -> None:
    """The account as it appears in its owner's data: reuse the one on file or add it.
    Call it after ``customers_resolve``, inside the writing transaction."""
    ids = {item.owner.customer_id for item in items}
    bidxs = {item.number[1] for item in items}
    known: dict[tuple[int, str], int] = (
        {
            (customer_id, bidx): pk
            for customer_id, bidx, pk in select(
                f"SELECT customer_id, number_bidx, id FROM {BankAccount._meta.db_table}",  # noqa: S608
                [any_of("number_bidx", bidxs), any_of("customer_id", ids)],
            )
        }
        if items
        else {}
    )
    new: dict[tuple[int, str], tuple[Any, ...]] = {}
    waiting: list[AccountIn] = []
    for item in items:
        assert item.owner.customer_id is not None
        key = (item.owner.customer_id, item.number[1])
        item.account_id = known.get(key)
        if item.account_id is not None:
            continue
        waiting.append(item)
        if key not in new:
            doc = item.holder_document
            new[key] = (
                key[0],
                item.number[0],
                key[1],
                item.holder_name[:100],
                doc[0] if doc else "",
                doc[1] if doc else None,
                doc[2] if doc else None,
            )
    pks = insert_rows(
        BankAccount,
        (
            "customer_id",
            "number",
            "number_bidx",
            "holder_name",
            "holder_id_type",
            "holder_id_number",
            "holder_id_bidx",
        ),
        list(new.values()),
    )
    known.update(zip(new, pks, strict=True))
    for item in waiting:
        assert item.owner.customer_id is not None
        item.account_id = known[(item.owner.customer_id, item.number[1])]


def insert(model: type[M], objs: Iterable[M]) -> list[M]:
    """Bulk insert with history rows; returns the objects with their primary keys."""
    return bulk_insert(model, objs)


# --- classification (D4.22) ------------------------------------------------------------------


def customer_classify(
    *,
    customer_id: int,
    classification: str,
    confidentiality: str,
    custodian: Any,
    principal: Principal,
) -> Any:
    """Set a file's classification (一般/特殊客户), confidentiality level and custodian; a
    classified file must have a custodian. Audited as ``principal``'s acting person
    (``Actor.acting``)."""
    if classification not in Classification.values:
        raise GovernanceError("access.classification_invalid", "classification")
    if confidentiality not in Confidentiality.values:
        raise GovernanceError("access.confidentiality_invalid", "confidentiality")
    if confidentiality != Confidentiality.NORMAL and custodian is None:
        raise GovernanceError("access.custodian_required", "custodian")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        before = (customer.classification, customer.confidentiality, customer.custodian_id)
        customer.classification = classification
        customer.confidentiality = confidentiality
        customer.custodian = custodian
        customer.save(
            update_fields=["classification", "confidentiality", "custodian", "updated_at"]
        )
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.CLASSIFY,
                object_type="customer",
                object_id=str(customer.pk),
                customer_id=customer.pk,
                detail={
                    "before": list(before),
                    "after": [classification, confidentiality, getattr(custodian, "pk", None)],
                },
            ),
        )
    return customer
