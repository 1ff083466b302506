"""Loading sellers: agents, bancassurance specialists and agencies, idempotent by code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.core.completeness import parse_date
from veracity.core.refusals import Refusal
from veracity.core.schema import YES_WORDS, Rejected, RelativeIn, describe, parse_seller
from veracity.customers.services import address_key, phone_key
from veracity.ingest.readers import ImportCounts, RowError
from veracity.org.actions import may
from veracity.org.principals import Principal, is_signed_in
from veracity.sales import qualification
from veracity.sales import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.sales.models import Seller, SellerContact, SellerKind, SellerRelative, TrainingRecord

KIND_ALIASES = {
    "agent": SellerKind.AGENT,
    "banca_specialist": SellerKind.BANCA_SPECIALIST,
    "bancassurance_specialist": SellerKind.BANCA_SPECIALIST,
    "agency": SellerKind.AGENCY,
}
TRUE_WORDS = YES_WORDS
#: The source of a legacy qualification read from a seller file's ``qualified`` flag.
LEGACY_SOURCE = "销售人员导入（原系统资格标记）"


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
    if _add_relatives(seller, record) and outcome == "unchanged":
        outcome = "updated"
    legacy = values["qualified"] and kind != SellerKind.AGENCY  # agencies are not asked
    if legacy and _add_legacy(seller, record) and outcome == "unchanged":
        outcome = "updated"
    if outcome != "unchanged":
        transaction.on_commit(qualification.invalidate)
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


def _add_legacy(seller: Seller, record: Mapping[str, Any]) -> bool:
    """The ``qualified`` flag of a seller file is an imported legacy qualification: a
    ``legacy`` training record with its source, counting as hours and test from its date
    (``qualified_on``, else the day of the import). Without a date, a seller that already has
    a legacy record gets no second one (the file may be imported again on another day)."""
    raw_on = record.get("qualified_on")
    on = parse_date(raw_on) if raw_on else None
    if raw_on and on is None:
        raise _Rejected(
            "schema",
            "qualified_on",
            message_zh="应为日期，如2026-03-02",
            message_en="expected a date",
        )
    legacy = seller.training.filter(kind=TrainingRecord.Kind.LEGACY)
    if on is None:
        if legacy.exists():
            return False
        on = timezone.localdate()
    elif legacy.filter(date=on).exists():
        return False
    TrainingRecord.objects.create(
        seller=seller, kind=TrainingRecord.Kind.LEGACY, date=on, source=LEGACY_SOURCE
    )
    return True


def _contact_keys(phones: Iterable[object], address: object) -> list[tuple[str, str, str]]:
    wanted: list[tuple[str, str, str]] = []
    for raw in phones:
        key = phone_key(str(raw))
        if key:
            wanted.append((SellerContact.Kind.PHONE, key[0], key[2]))
    found = address_key(str(address or ""))
    if found:
        wanted.append((SellerContact.Kind.ADDRESS, found[0], found[1]))
    return wanted


def _add_relatives(seller: Seller, record: Mapping[str, Any]) -> bool:
    """The seller's registered relatives (SD-2) with their phones and address: added or
    updated by name; a relative or a contact not in the file is kept (the register forgets
    nothing silently)."""
    added = False
    seen: set[str] = set()
    for i, raw in enumerate(record.get("relatives") or ()):
        name = raw["name"].strip()
        if name in seen:
            raise _Rejected("relative", f"relatives[{i}].name", name=name)
        seen.add(name)
        relation = raw["relation"].strip()
        relative, created = SellerRelative.objects.get_or_create(
            seller=seller, name=name, defaults={"relation": relation}
        )
        if not created and relative.relation != relation:
            relative.relation = relation
            relative.save(update_fields=["relation"])
            added = True
        added = added or created
        have = set(relative.contacts.values_list("kind", "value_bidx"))
        for kind, value, bidx in _contact_keys(raw.get("phones") or (), raw.get("address")):
            if (kind, bidx) not in have:
                SellerContact.objects.create(
                    seller=seller, relative=relative, kind=kind, value=value, value_bidx=bidx
                )
                have.add((kind, bidx))
                added = True
    return added


def _add_contacts(seller: Seller, record: Mapping[str, Any]) -> bool:
    wanted = _contact_keys(record.get("phones") or (), record.get("address"))
    have = set(seller.contacts.filter(relative=None).values_list("kind", "value_bidx"))
    added = False
    for kind, value, bidx in wanted:
        if (kind, bidx) not in have:
            SellerContact.objects.create(seller=seller, kind=kind, value=value, value_bidx=bidx)
            have.add((kind, bidx))
            added = True
    return added


def seller_relative_add(
    *,
    principal: Principal,
    seller_id: int,
    name: str,
    relation: str,
    phones: Sequence[str] = (),
    address: str = "",
) -> SellerRelative:
    """Register a seller's relative (亲属, SD-2) with their phones and address, on the
    seller's page (``sellers.manage``). A refused attempt is audited and changes nothing; a
    value that does not fit the schema (``core.schema.RelativeIn``) is refused naming it."""
    if not may(principal, "sellers.manage"):
        if is_signed_in(principal):
            record_refusal(
                actor=Actor.of_principal(principal),
                action="sellers.manage",
                object_type="seller",
                object_id=str(seller_id),
            )
        raise _Rejected("forbidden", "")
    raw: dict[str, Any] = {"name": name, "relation": relation}
    if phones:
        raw["phones"] = [p for p in phones if p]
    if address:
        raw["address"] = address
    try:
        relative = RelativeIn.model_validate(raw).model_dump(exclude_unset=True)
    except ValidationError as exc:
        first = describe(exc.errors(include_url=False))[0]
        raise _Rejected(
            "schema", first.field, message_zh=first.reason_zh, message_en=first.reason_en
        ) from None
    with transaction.atomic():
        seller = Seller.objects.select_for_update().filter(pk=seller_id).first()
        if seller is None:
            raise _Rejected("not_found", "seller")
        _add_relatives(seller, {"relatives": [relative]})
        made = SellerRelative.objects.get(seller=seller, name=relative["name"].strip())
        audit_record_many(
            actor=Actor.acting(principal),
            events=[
                Event(
                    action=Action.CHANGE,
                    object_type="seller",
                    object_id=str(seller.pk),
                    detail={"code": seller.code, "relative": made.pk},
                )
            ],
        )
    return made
