"""Loading sellers: agents, bancassurance specialists and agencies, idempotent by code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.core.refusals import Refusal
from veracity.core.schema import Rejected, parse_seller
from veracity.customers.services import address_key, phone_key
from veracity.ingest.readers import ImportCounts, RowError
from veracity.sales import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.sales.models import Seller, SellerContact, SellerKind

KIND_ALIASES = {
    "agent": SellerKind.AGENT,
    "banca_specialist": SellerKind.BANCA_SPECIALIST,
    "bancassurance_specialist": SellerKind.BANCA_SPECIALIST,
    "agency": SellerKind.AGENCY,
}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "合格"}


class SellerImportReport(ImportCounts):
    """Counts of a seller import."""


def sellers_import(
    records: Iterable[tuple[int, dict[str, Any] | RowError]], *, actor: Actor
) -> SellerImportReport:
    """Agencies are stored before their staff, so a file may list them in any order."""
    report = SellerImportReport()
    rows: list[tuple[int, Mapping[str, Any]]] = []
    for line, record in records:
        report.rows += 1
        if isinstance(record, RowError):
            report.errors.append(record)
        else:
            rows.append((line, record))
    rows.sort(key=lambda item: _kind(item[1]) != SellerKind.AGENCY)
    for line, row in rows:
        try:
            with transaction.atomic():
                outcome = seller_upsert(row, actor=actor)
        except _Rejected as rejected:
            report.errors.append(
                RowError(line, rejected.field, rejected.message_zh, rejected.message_en)
            )
            continue
        report.count(outcome)
    report.errors.sort(key=lambda e: e.line)
    return report


class _Rejected(Refusal):
    """A seller row left out (the ``seller.*`` entries of :mod:`veracity.sales.refusals`)."""

    namespace = "seller"


def _kind(record: Mapping[str, Any]) -> SellerKind | None:
    return KIND_ALIASES.get(str(record.get("kind") or "").strip().lower())


def seller_upsert(record: Mapping[str, Any], *, actor: Actor) -> str:
    """Create or update one seller with its phones and address; returns the outcome. The
    record must fit the schema of every entry path (``core.schema.SellerIn``)."""
    try:
        record = parse_seller(record)
    except Rejected as rejected:
        raise _Rejected(
            "schema",
            rejected.field,
            message_zh=rejected.reason_zh,
            message_en=rejected.reason_en,
        ) from None
    code = record["code"]
    kind = _kind(record)
    if kind is None:
        raise _Rejected("kind", "kind")
    name = str(record.get("name") or "").strip()
    if not name:
        raise _Rejected("name", "name")
    agency = None
    agency_code = str(record.get("agency_code") or "").strip()
    if agency_code:
        agency = Seller.objects.filter(code=agency_code, kind=SellerKind.AGENCY).first()
        if agency is None:
            raise _Rejected("agency", "agency_code", agency_code=agency_code)
    qualified = str(record.get("qualified") if record.get("qualified") is not None else "")
    values = {
        "kind": kind,
        "name": name,
        "agency": agency,
        "qualified": qualified.strip().lower() in TRUE_WORDS,
    }
    seller = Seller.objects.filter(code=code).first()
    outcome = "created"
    if seller is None:
        seller = Seller.objects.create(code=code, **values)
    elif any(getattr(seller, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(seller, k, v)
        seller.save()
        outcome = "updated"
    else:
        outcome = "unchanged"
    if _add_contacts(seller, record) and outcome == "unchanged":
        outcome = "updated"
    if outcome != "unchanged":
        audit_record_many(
            actor=actor,
            events=[
                Event(
                    action=Action.CREATE if outcome == "created" else Action.CHANGE,
                    object_type="seller",
                    object_id=str(seller.pk),
                    detail={"code": code},
                )
            ],
        )
    return outcome


def _add_contacts(seller: Seller, record: Mapping[str, Any]) -> bool:
    phones = record.get("phones") or []
    wanted: list[tuple[str, str, str]] = []
    for raw in phones:
        key = phone_key(str(raw))
        if key:
            wanted.append((SellerContact.Kind.PHONE, key[0], key[2]))
    address = address_key(str(record.get("address") or ""))
    if address:
        wanted.append((SellerContact.Kind.ADDRESS, address[0], address[1]))
    have = set(seller.contacts.values_list("kind", "value_bidx"))
    added = False
    for kind, value, bidx in wanted:
        if (kind, bidx) not in have:
            SellerContact.objects.create(seller=seller, kind=kind, value=value, value_bidx=bidx)
            have.add((kind, bidx))
            added = True
    return added
