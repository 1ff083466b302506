"""Storing applications and running the truthfulness gate on them (D1.4–D1.6, TG-5, TG-6).

``applications_store`` is the one write path for the API (a batch of one) and for file
imports (batches of hundreds). Each application is checked by ``veracity.core.gate`` and
stored whatever the verdict; a failed one blocks automatic underwriting and opens a
supplement request, which a later passing submission closes. A submission identical to the
last one stored is recognised and changes nothing (imports are idempotent).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from multiprocessing.reduction import ForkingPickler
from types import MappingProxyType
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_append_many
from veracity.core import gate
from veracity.core.completeness import parse_date
from veracity.core.findings import Finding, finding
from veracity.core.identity import infer_id_type
from veracity.core.qualification import SellerSnapshot
from veracity.core.refusals import Refusal
from veracity.core.schema import Rejected, parse_application
from veracity.customers.services import (
    AccountIn,
    PersonIn,
    account_key,
    bank_accounts_resolve,
    customers_resolve,
    id_key,
    insert,
    person_from,
)
from veracity.db.bulk import insert_rows
from veracity.db.fields import blind_index
from veracity.ingest.readers import ImportCounts, RowError
from veracity.policies import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.policies.models import (
    Channel,
    GateCheck,
    Policy,
    PolicyRole,
    PolicyStatus,
    Product,
    ProductType,
    Role,
    SupplementRequest,
)
from veracity.sales import qualification
from veracity.sales.models import Seller

logger = logging.getLogger(__name__)


class RejectedRow(Refusal):
    """An application that cannot be stored at all (no number, no product…); the words are
    the ``application.*`` entries of :mod:`veracity.policies.refusals`. Picklable (a
    refusal is), so a child process can prepare a batch (``applications_import``)."""

    namespace = "application"

    @property
    def reason_zh(self) -> str:
        return self.message_zh

    @property
    def reason_en(self) -> str:
        return self.message_en


@dataclass
class StoreResult:
    application_no: str
    outcome: str  # created | updated | unchanged
    verdict: gate.Verdict
    policy: Policy | None = None
    supplement_request: SupplementRequest | None = None


@dataclass
class _Row:
    payload: Mapping[str, Any]
    verdict: gate.Verdict
    digest: str
    application_no: str
    product_code: str
    channel: str
    applied_on: date | None
    policy_dates: dict[str, date | None]
    policyholder: PersonIn
    insured: PersonIn | None
    insured_relation: str
    beneficiaries: list[tuple[PersonIn | None, dict[str, Any]]]
    account: AccountIn | None
    policy: Policy | None = None
    outcome: str = "created"
    extra: dict[str, Any] = field(default_factory=dict)


def submission_digest(payload: Mapping[str, Any]) -> str:
    """Keyed digest of a submission (keyed, because the payload holds personal data)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    digest = blind_index(text, domain="submission")
    assert digest is not None
    return digest


_CHANNELS = frozenset(Channel.values)


def prepare(
    payload: Mapping[str, Any],
    *,
    as_of: date,
    id_type_aliases: Mapping[str, str] | None = None,
    sellers: SellerSnapshot | None = None,
) -> _Row:
    """Check one application and turn it into what is stored; ``RejectedRow`` when it
    does not fit the schema (``core.schema``), which then stores nothing of it. ``sellers``
    is the seller register's snapshot (``sales.qualification.snapshot()``, taken once per
    batch): the gate checks the seller's qualification with it."""
    try:
        payload = parse_application(payload, id_type_aliases=id_type_aliases)
    except Rejected as rejected:
        raise RejectedRow(
            "schema",
            rejected.field,
            message_zh=rejected.reason_zh,
            message_en=rejected.reason_en,
        ) from None
    application_no = payload["application_no"]
    product_code = payload["product"]["code"]
    channel = payload["channel"]
    policyholder_block = payload["policyholder"]
    verdict = gate.evaluate(payload, as_of=as_of, sellers=sellers)
    policyholder = person_from(
        policyholder_block, birth_date=parse_date(policyholder_block.get("birth_date"))
    )
    assert policyholder is not None
    insured_block = _block(payload, "insured") or {}
    relation = str(insured_block.get("relation") or "self")
    insured = None
    if relation != "self" and insured_block:
        insured = person_from(insured_block, birth_date=parse_date(insured_block.get("birth_date")))
    beneficiaries: list[tuple[PersonIn | None, dict[str, Any]]] = []
    for raw in payload.get("beneficiaries") or []:
        if not isinstance(raw, Mapping):
            continue
        person = None
        if raw.get("id_number"):
            person = person_from(dict(raw), birth_date=parse_date(raw.get("birth_date")))
        beneficiaries.append((person, dict(raw)))
    account = None
    payer = _block(payload, "payer_account")
    if payer and (number := account_key(str(payer.get("number") or ""))):
        holder_doc = id_key(
            str(payer.get("holder_id_type") or infer_id_type(payer.get("holder_id_number"))),
            str(payer.get("holder_id_number") or ""),
        )
        account = AccountIn(
            owner=policyholder,
            number=number,
            holder_name=str(payer.get("holder_name") or ""),
            holder_document=holder_doc,
        )
    _place(application_no, policyholder, insured, beneficiaries)
    return _Row(
        payload=payload,
        verdict=verdict,
        digest=submission_digest(payload),
        application_no=application_no,
        product_code=product_code,
        channel=channel,
        applied_on=parse_date(payload.get("applied_on")),
        policy_dates={name: parse_date(payload.get(name)) for name in gate.POLICY_DATES},
        policyholder=policyholder,
        insured=insured,
        insured_relation=relation[:20],
        beneficiaries=beneficiaries,
        account=account,
    )


def _place(
    application_no: str,
    policyholder: PersonIn,
    insured: PersonIn | None,
    beneficiaries: Sequence[tuple[PersonIn | None, Mapping[str, Any]]],
) -> None:
    """Where each person was submitted, and the anchor a person without a document is
    found by again (a resubmission, a rerun after a crash): a minor insured among the
    insured of the same documented policyholder (by name and birth date, so one child on
    two applications is one customer); anyone else by application and role."""
    policyholder.submitted_in = (application_no, "policyholder")
    policyholder.anchor = f"policyholder-of:{application_no}"
    if insured is not None:
        insured.submitted_in = (application_no, "insured")
        insured.anchor = (
            f"insured-of:{policyholder.document[2]}"
            if policyholder.document
            else f"insured-of:{application_no}"
        )
    for position, (person, _) in enumerate(beneficiaries):
        if person is not None:
            person.submitted_in = (application_no, f"beneficiaries[{position}]")
            person.anchor = f"beneficiary-of:{application_no}:{position}"


def _block(payload: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = payload.get(name)
    return dict(value) if isinstance(value, Mapping) else None


def applications_store(
    payloads: Sequence[Mapping[str, Any]],
    *,
    source: str,
    actor: Actor,
    as_of: date,
    id_type_aliases: Mapping[str, str] | None = None,
    scope: ClientScope | None = None,
    sellers: SellerSnapshot | None = None,
) -> list[StoreResult | RejectedRow]:
    """Check and store a batch of applications, one result per payload, in order.
    ``sellers``: the seller register's snapshot (taken here when not given).

    Rows that cannot be stored come back as ``RejectedRow`` and leave nothing behind; the
    others are written in one transaction. With the ``scope`` of an API client, an
    application outside it (another system's, another channel's) comes back as
    ``OutOfScope``, changes nothing and is audited; without one (file imports, a system
    actor) every application may be written.
    """
    if sellers is None:
        sellers = qualification.snapshot()
    return _store_prepared(
        _prepare_all(payloads, as_of=as_of, id_type_aliases=id_type_aliases, sellers=sellers),
        source=source,
        actor=actor,
        scope=scope,
    )


def _prepare_all(
    payloads: Sequence[Mapping[str, Any]],
    *,
    as_of: date,
    id_type_aliases: Mapping[str, str] | None = None,
    sellers: SellerSnapshot | None = None,
) -> list[_Row | RejectedRow]:
    """``prepare`` every payload; touches no database (an import runs it in a thread)."""
    prepared: list[_Row | RejectedRow] = []
    for payload in payloads:
        try:
            prepared.append(
                prepare(payload, as_of=as_of, id_type_aliases=id_type_aliases, sellers=sellers)
            )
        except RejectedRow as rejected:
            prepared.append(rejected)
        except Exception:  # a bug must cost its row, never the file (the log has the trace)
            logger.exception("an application could not be prepared")
            prepared.append(RejectedRow("unprocessable", ""))
    return prepared


def _store_prepared(
    prepared: list[_Row | RejectedRow],
    *,
    source: str,
    actor: Actor,
    scope: ClientScope | None = None,
) -> list[StoreResult | RejectedRow]:
    results: list[StoreResult | RejectedRow] = []
    last: dict[str, int] = {}  # application number -> position of its last row
    for index, row in enumerate(prepared):
        if isinstance(row, RejectedRow):
            results.append(row)
            continue
        last[row.application_no] = index
        results.append(
            StoreResult(application_no=row.application_no, outcome="", verdict=row.verdict)
        )
    # The last submission of an application in a batch wins; the earlier ones are
    # superseded (stored never, counted as such).
    rows = [
        row
        for i, row in enumerate(prepared)
        if isinstance(row, _Row) and last[row.application_no] == i
    ]
    with transaction.atomic():
        stored = _store_rows(rows, source=source, actor=actor, scope=scope)
    for index, result in enumerate(results):
        if not isinstance(result, StoreResult):
            continue
        if last[result.application_no] != index:
            result.outcome = "superseded"
            continue
        row = stored[result.application_no]
        if (refusal := row.extra.get("refusal")) is not None:
            results[index] = refusal
            continue
        result.outcome = row.outcome
        result.policy = row.policy
        result.supplement_request = row.extra.get("supplement_request")
        if row.outcome != "unchanged":
            result.verdict = row.verdict
    return results


def _store_rows(
    rows: list[_Row], *, source: str, actor: Actor, scope: ClientScope | None = None
) -> dict[str, _Row]:
    existing = {
        p.application_no: p
        for p in Policy.objects.filter(application_no__in=[r.application_no for r in rows])
    }
    if scope is not None:
        # Judged on the policies read in this transaction, the ones it would change.
        rows = _within_scope(rows, existing, scope=scope, actor=actor)
    digests = _last_digests(existing.values())
    todo: list[_Row] = []
    for row in rows:
        if "refusal" in row.extra:
            continue
        row.policy = existing.get(row.application_no)
        if row.policy is not None and digests.get(row.policy.pk) == row.digest:
            row.outcome = "unchanged"
            continue
        row.outcome = "updated" if row.policy is not None else "created"
        todo.append(row)
    if todo:
        _write(todo, source=source, actor=actor)
    return {row.application_no: row for row in rows}


def _last_digests(policies: Any) -> dict[int, str]:
    ids = [p.pk for p in policies]
    latest: dict[int, str] = {}
    for policy_id, digest in (
        GateCheck.objects.filter(policy_id__in=ids)
        .order_by("id")
        .values_list("policy_id", "digest")
    ):
        latest[policy_id] = digest
    return latest


def _write(rows: list[_Row], *, source: str, actor: Actor) -> None:
    people: list[PersonIn] = []
    for row in rows:
        people.append(row.policyholder)
        if row.insured:
            people.append(row.insured)
        people.extend(person for person, _ in row.beneficiaries if person)
    customers_resolve(people)
    for row in rows:
        _note_identity_changes(row)
    bank_accounts_resolve([row.account for row in rows if row.account])
    products = _products({row.product_code: row.payload.get("product") or {} for row in rows})
    sellers = _sellers(rows)
    _write_policies(rows, products, sellers)
    _write_roles(rows)
    _write_checks(rows, source=source)
    audit_append_many(
        actor=actor,
        events=[
            Event(
                action=Action.CREATE if row.outcome == "created" else Action.CHANGE,
                object_type="policy",
                object_id=str(row.policy.pk if row.policy else ""),
                customer_id=row.policyholder.customer_id,
                detail={
                    "application_no": row.application_no,
                    "source": source,
                    "verdict": row.verdict.verdict,
                    "codes": sorted({f.code for f in row.verdict.findings}),
                },
            )
            for row in rows
        ],
    )


def _note_identity_changes(row: _Row) -> None:
    """The register holds other facts for a person's document (``customers_resolve`` kept
    them and recorded the submission's): the application's check says so, per fact. Known
    only once the register is read, so added here, not by the gate (which has no database)."""
    people = [row.policyholder, row.insured, *(person for person, _ in row.beneficiaries)]
    found = tuple(
        finding("IDENTITY_CHANGED", f"{person.submitted_in[1]}.{attr}", fact=attr)
        for person in people
        if person is not None
        for attr in person.identity_changed
    )
    if found:
        findings = row.verdict.findings + found
        blocking = any(f.severity == "error" for f in findings)
        row.verdict = replace(
            row.verdict, verdict="fail" if blocking else row.verdict.verdict, findings=findings
        )


def _products(specs: dict[str, Any]) -> dict[str, Product]:
    known = {p.code: p for p in Product.objects.filter(code__in=specs)}
    for code, spec in specs.items():
        if code in known:
            continue
        spec = spec if isinstance(spec, Mapping) else {}
        kind = str(spec.get("type") or "")
        known[code] = Product.objects.create(
            code=code,
            name=str(spec.get("name") or code)[:200],
            type=kind if kind in ProductType.values else ProductType.OTHER,
            term_years=_decimal(spec.get("term_years")),
        )
    return known


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return number if number.is_finite() and 0 <= number < 10_000 else Decimal(0)


def _sellers(rows: Sequence[_Row]) -> dict[str, Seller]:
    codes: set[str] = set()
    for row in rows:
        seller = row.payload.get("seller") or {}
        if isinstance(seller, Mapping):
            codes.update(str(seller.get(k) or "") for k in ("code", "agency_code"))
    codes.discard("")
    return {s.code: s for s in Seller.objects.filter(code__in=codes)}


def _seller_codes(row: _Row) -> tuple[str, str]:
    seller = row.payload.get("seller") or {}
    if not isinstance(seller, Mapping):
        return "", ""
    return str(seller.get("code") or "")[:32], str(seller.get("agency_code") or "")[:32]


def _write_policies(
    rows: list[_Row], products: dict[str, Product], sellers: dict[str, Seller]
) -> None:
    new: list[Policy] = []
    for row in rows:
        seller_code, agency_code = _seller_codes(row)
        seller = sellers.get(seller_code)
        agency = sellers.get(agency_code) or (seller.agency if seller else None)
        payer_account_id = row.account.account_id if row.account else None
        if row.policy is None:
            row.policy = Policy(
                application_no=row.application_no,
                product_id=products[row.product_code].pk,
                channel=row.channel,
                seller_id=seller.pk if seller else None,
                agency_id=agency.pk if agency else None,
                seller_code=seller_code,
                applied_on=row.applied_on,
                **row.policy_dates,
                payer_account_id=payer_account_id,
                verdict=row.verdict.verdict,
                source_system=row.extra.get("system", ""),
                status=(
                    PolicyStatus.BLOCKED
                    if row.verdict.blocking
                    else PolicyStatus.PENDING_UNDERWRITING
                ),
            )
            new.append(row.policy)
            continue
        policy = row.policy
        policy.product = products[row.product_code]
        policy.channel = row.channel
        policy.seller = seller
        policy.agency = agency
        policy.seller_code = seller_code
        policy.applied_on = row.applied_on
        for name, value in row.policy_dates.items():
            if value is not None:  # a resubmission without the date keeps the one on file
                setattr(policy, name, value)
        policy.payer_account_id = payer_account_id
        policy.verdict = row.verdict.verdict
        if policy.status in (
            PolicyStatus.APPLIED,
            PolicyStatus.BLOCKED,
            PolicyStatus.PENDING_UNDERWRITING,
        ):
            policy.status = (
                PolicyStatus.BLOCKED if row.verdict.blocking else PolicyStatus.PENDING_UNDERWRITING
            )
        policy.save()
    insert(Policy, new)
    # A resubmission replaces the parties; their history keeps the previous ones.
    updated = [row.policy.pk for row in rows if row.outcome == "updated" and row.policy]
    if updated:
        for role in PolicyRole.objects.filter(policy_id__in=updated):
            role.delete()


_ROLE_COLUMNS = ("policy_id", "customer_id", "role", "relation", "name", "share", "position")


def _write_roles(rows: list[_Row]) -> None:
    roles: list[tuple[Any, ...]] = []
    for row in rows:
        assert row.policy is not None
        policy_id = row.policy.pk
        holder = row.policyholder
        roles.append(
            (policy_id, holder.customer_id, Role.POLICYHOLDER, "self", holder.name, None, 0)
        )
        insured = row.insured or holder
        roles.append(
            (
                policy_id,
                insured.customer_id,
                Role.INSURED,
                row.insured_relation,
                insured.name,
                None,
                0,
            )
        )
        for position, (person, raw) in enumerate(row.beneficiaries):
            roles.append(
                (
                    policy_id,
                    person.customer_id if person else None,
                    Role.BENEFICIARY,
                    str(raw.get("relation") or "")[:20],
                    str(raw.get("name") or "")[:100],
                    _decimal(raw.get("share")) if raw.get("share") is not None else None,
                    position,
                )
            )
    insert_rows(PolicyRole, _ROLE_COLUMNS, roles)


def _write_checks(rows: list[_Row], *, source: str) -> None:
    policy_ids: list[int] = []
    for row in rows:
        assert row.policy is not None
        policy_ids.append(row.policy.pk)
    check_ids = insert_rows(
        GateCheck,
        ("policy_id", "source", "verdict", "findings", "digest"),
        [
            (
                policy_id,
                source,
                row.verdict.verdict,
                [f.to_dict() for f in row.verdict.findings],
                row.digest,
            )
            for policy_id, row in zip(policy_ids, rows, strict=True)
        ],
    )
    # Only a policy stored before this batch can have an open request.
    resubmitted = [
        pid for pid, row in zip(policy_ids, rows, strict=True) if row.outcome == "updated"
    ]
    open_requests = (
        {
            req.policy_id: req
            for req in SupplementRequest.objects.filter(
                policy_id__in=resubmitted, status=SupplementRequest.Status.OPEN
            )
        }
        if resubmitted
        else {}
    )
    now = timezone.now()
    new: list[SupplementRequest] = []
    for row, policy_id, check_id in zip(rows, policy_ids, check_ids, strict=True):
        row.extra["check_id"] = check_id
        request = open_requests.get(policy_id)
        if row.verdict.blocking:
            items = supplement_items(row.verdict.findings)
            if request is None:
                request = SupplementRequest(
                    policy=row.policy,
                    status=SupplementRequest.Status.OPEN,
                    opened_by_check_id=check_id,
                    items=items,
                )
                new.append(request)
            else:
                request.items = items
                request.save(update_fields=["items"])
        elif request is not None:
            request.status = SupplementRequest.Status.CLOSED
            request.closed_by_check_id = check_id
            request.closed_at = now
            request.save(update_fields=["status", "closed_by_check", "closed_at"])
        row.extra["supplement_request"] = request
    insert(SupplementRequest, new)


# --- API clients bound to their system ------------------------------------------------------


@dataclass(frozen=True)
class ClientScope:
    """What an API client may write: applications of its own ``system`` (core,
    bancassurance…) in the sales ``channels`` configured for it."""

    system: str
    channels: frozenset[str]


class OutOfScope(RejectedRow):
    """An application the calling system may not check, create or update: another
    system's, or of a channel the system does not sell through (HTTP 403)."""


def _channel_names(channels: Iterable[str]) -> tuple[str, str]:
    codes = sorted(channels)
    with translation.override("zh-hans"):
        zh = "、".join(str(Channel(c).label) for c in codes if c in _CHANNELS)
    with translation.override("en"):
        en = ", ".join(str(Channel(c).label) for c in codes if c in _CHANNELS)
    return zh or "无", en or "none"


def scope_refusal(
    scope: ClientScope, *, channel: str, existing: Policy | None = None
) -> OutOfScope | None:
    """Why ``scope`` may not write an application of ``channel`` (over ``existing``, the
    application stored under its number), or ``None`` when it may.

    An application created by another system is that system's; one loaded from a file
    (no system recorded) belongs to whichever system sells through its channel.
    """
    allowed_zh, allowed_en = _channel_names(scope.channels)
    if existing is not None and existing.source_system not in ("", scope.system):
        return OutOfScope(
            "other_system",
            "application_no",
            source_system=existing.source_system,
            system=scope.system,
        )
    for value in ((existing.channel,) if existing is not None else ()) + (channel,):
        if value not in scope.channels:
            zh, en = _channel_names([value]) if value in _CHANNELS else (value, value)
            return OutOfScope(
                "channel_not_allowed",
                "channel",
                channel_zh=zh,
                channel_en=en,
                allowed_zh=allowed_zh,
                allowed_en=allowed_en,
            )
    return None


def _refusal_event(
    refusal: OutOfScope,
    *,
    operation: str,
    application_no: str,
    channel: str,
    scope: ClientScope,
    existing: Policy | None = None,
) -> Event:
    return Event(
        action=Action.API_CALL,
        object_type="policy",
        object_id=str(existing.pk) if existing is not None else "",
        detail={
            "operation": operation,
            "refused": refusal.code,
            "application_no": application_no,
            "channel": channel,
            "system": scope.system,
            "stored_channel": existing.channel if existing is not None else "",
            "stored_system": existing.source_system if existing is not None else "",
        },
    )


def _within_scope(
    rows: list[_Row], existing: Mapping[str, Policy], *, scope: ClientScope, actor: Actor
) -> list[_Row]:
    """Mark the rows ``scope`` may not write with their refusal (audited); the others are
    created as the scope's system's."""
    refused: list[Event] = []
    for row in rows:
        policy = existing.get(row.application_no)
        refusal = scope_refusal(scope, channel=row.channel, existing=policy)
        if refusal is None:
            row.extra["system"] = scope.system
            continue
        row.extra["refusal"] = refusal
        refused.append(
            _refusal_event(
                refusal,
                operation="store",
                application_no=row.application_no,
                channel=row.channel,
                scope=scope,
                existing=policy,
            )
        )
    audit_append_many(actor=actor, events=refused)
    return rows


def application_check(
    payload: Mapping[str, Any], *, as_of: date, scope: ClientScope, actor: Actor
) -> gate.Verdict:
    """The gate's verdict on an application the calling system is about to submit; nothing
    is stored. ``OutOfScope`` (audited) for a channel the system does not sell through: a
    system checks only what it may submit. Another system's application of the same number
    is not looked at — the answer must not tell whether it exists."""
    channel = str(payload.get("channel") or "").strip() if isinstance(payload, Mapping) else ""
    # An unknown channel is the gate's to report (a finding), as for any other field.
    if channel in _CHANNELS and (refusal := scope_refusal(scope, channel=channel)) is not None:
        number = payload.get("application_no") if isinstance(payload, Mapping) else None
        with transaction.atomic():
            audit_append_many(
                actor=actor,
                events=[
                    _refusal_event(
                        refusal,
                        operation="check",
                        application_no=str(number or "")[:40],
                        channel=channel[:20],
                        scope=scope,
                    )
                ],
            )
        raise refusal
    return gate.evaluate(payload, as_of=as_of, sellers=qualification.snapshot())


def supplement_items(findings: Sequence[Finding]) -> list[dict[str, object]]:
    """What the customer must supplement or correct: every blocking finding."""
    return [
        {"code": f.code, "field": f.field, "message_zh": f.message_zh, "message_en": f.message_en}
        for f in findings
        if f.severity == "error"
    ]


@dataclass
class ImportReport(ImportCounts):
    """An application import: the common counts, plus the gate's verdicts."""

    superseded: int = 0
    passed: int = 0
    failed: int = 0
    failed_rows: list[tuple[int, str, list[str]]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            **super().summary(),
            "superseded": self.superseded,
            "gate_pass": self.passed,
            "gate_fail": self.failed,
        }


def applications_import(
    records: Iterable[tuple[int, dict[str, Any] | RowError]],
    *,
    actor: Actor,
    as_of: date,
    batch_size: int = 500,
    source: str = "import",
    id_type_aliases: Mapping[str, str] | None = None,
) -> ImportReport:
    """Store every readable, storable row; report the others with their line numbers.

    A batch is written in one transaction; if the database refuses it, its rows are retried
    one by one so a single bad row costs only itself, never half a record.

    While a batch is written, a child process checks the next ones (``prepare`` is pure
    Python and touches no database), on the other core; every database access stays in
    this process, on the calling thread and its connection. A single batch is checked
    and written here, without a child.
    """
    report = ImportReport()
    # Nothing allocated before the import is garbage the import's collections need to
    # traverse again and again; a batch allocates far more than the default threshold.
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    aliases = dict(id_type_aliases or {})
    # The seller register as the file's applications are checked against it: taken once,
    # here, and inherited by the preparing child (which never touches the database).
    sellers = qualification.snapshot()
    context: dict[str, Any] = {
        "actor": actor,
        "as_of": as_of,
        "source": source,
        "id_type_aliases": aliases,
        "sellers": sellers,
    }
    try:
        batches = _batches(records, report, batch_size)
        first = next(batches, None)
        second = next(batches, None) if first is not None else None
        if first is None or second is None:
            # One batch (the API, a small file): nothing to overlap.
            if first is not None:
                _import_batch(first, None, report, **context)
        else:
            with _preparer(sellers) as pool:
                ahead: deque[tuple[list[tuple[int, dict[str, Any]]], Future[Any]]] = deque()
                ahead.append((second, _submit(pool, second, as_of, aliases, sellers)))
                # The first batch is checked here while the preparer starts on the next.
                _import_batch(first, None, report, **context)
                for batch in batches:
                    ahead.append((batch, _submit(pool, batch, as_of, aliases, sellers)))
                    while len(ahead) > _AHEAD:
                        _import_batch(*ahead.popleft(), report, **context)
                while ahead:
                    _import_batch(*ahead.popleft(), report, **context)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    report.errors.sort(key=lambda e: e.line)
    return report


# Batches checked ahead of the one being written (bounds the memory they hold).
_AHEAD = 2


def _preparer(sellers: SellerSnapshot | None = None) -> Executor:
    """Where batches are checked while another is written: a forked process (it inherits
    settings and keys, and never touches the database), or a thread where ``fork`` is not
    available (the GIL then lets it overlap only the waits for the database)."""
    if "fork" in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_child,
            initargs=(os.getpid(), sellers),
        )
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-prepare")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h

# The seller register's snapshot in the preparing child (forked: inherited, not pickled).
_CHILD_SELLERS: SellerSnapshot | None = None


def _start_child(parent: int, sellers: SellerSnapshot | None) -> None:
    global _CHILD_SELLERS
    _CHILD_SELLERS = sellers
    _end_with_parent(parent)


def _end_with_parent(parent: int) -> None:
    """In the preparing child: end as soon as the importing process ends, however it ends.
    Killed (kill -9, out of memory), the parent cannot shut the pool down, and the child
    would go on preparing batches no one will read. Linux signals the child when its parent
    dies; elsewhere (and as a second guard) a thread watches for the parent to go."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler inherited from the parent
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # died before the request took effect
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent,), name="import-parent-watch", daemon=True
    ).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _submit(
    pool: Executor,
    batch: list[tuple[int, dict[str, Any]]],
    as_of: date,
    aliases: Mapping[str, str],
    sellers: SellerSnapshot,
) -> Future[list[_Row | RejectedRow]]:
    payloads = [record for _, record in batch]
    if isinstance(pool, ProcessPoolExecutor):
        future: Future[list[_Row | RejectedRow]] = Future()
        child = pool.submit(_prepare_detached, payloads, as_of=as_of, id_type_aliases=aliases)
        child.add_done_callback(lambda done: _reattach(done, payloads, future))
        return future
    return pool.submit(
        _prepare_all, payloads, as_of=as_of, id_type_aliases=aliases, sellers=sellers
    )


def _prepare_detached(
    payloads: Sequence[Mapping[str, Any]],
    *,
    as_of: date,
    id_type_aliases: Mapping[str, str],
) -> list[_Row | RejectedRow]:
    """``_prepare_all`` in the child process; the payloads are not sent back (the parent
    has them)."""
    prepared = _prepare_all(
        payloads, as_of=as_of, id_type_aliases=id_type_aliases, sellers=_CHILD_SELLERS
    )
    for row in prepared:
        if isinstance(row, _Row):
            row.payload = _DETACHED
    return prepared


_DETACHED: Mapping[str, Any] = {}


def _reduce_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return (_proxy, (dict(proxy),))


def _proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


# A finding's evidence is a read-only mapping; it crosses to the parent as one.
ForkingPickler.register(MappingProxyType, _reduce_proxy)


def _reattach(
    done: Future[list[_Row | RejectedRow]],
    payloads: Sequence[Mapping[str, Any]],
    future: Future[list[_Row | RejectedRow]],
) -> None:
    error = done.exception()
    if error is not None:
        future.set_exception(error)
        return
    prepared = done.result()
    for row, payload in zip(prepared, payloads, strict=True):
        if isinstance(row, _Row):
            row.payload = payload
    future.set_result(prepared)


def _batches(
    records: Iterable[tuple[int, dict[str, Any] | RowError]],
    report: ImportReport,
    batch_size: int,
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    batch: list[tuple[int, dict[str, Any]]] = []
    for line, record in records:
        report.rows += 1
        if isinstance(record, RowError):
            report.errors.append(record)
            continue
        batch.append((line, record))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _import_batch(
    batch: list[tuple[int, dict[str, Any]]],
    prepared: Future[list[_Row | RejectedRow]] | None,
    report: ImportReport,
    *,
    actor: Actor,
    as_of: date,
    source: str,
    id_type_aliases: Mapping[str, str],
    sellers: SellerSnapshot | None = None,
) -> None:
    try:
        with transaction.atomic():
            _commit_without_waiting_for_disk()
            if prepared is None:
                results = applications_store(
                    [record for _, record in batch],
                    source=source,
                    actor=actor,
                    as_of=as_of,
                    id_type_aliases=id_type_aliases,
                    sellers=sellers,
                )
            else:
                results = _store_prepared(prepared.result(), source=source, actor=actor)
    except (DatabaseError, psycopg.Error) as exc:
        # psycopg's own errors arrive unwrapped from COPY (``db.bulk``).
        if len(batch) == 1:
            line = batch[0][0]
            logger.warning("line %s refused by the database: %s", line, type(exc).__name__)
            report.errors.append(
                RowError(
                    line,
                    "",
                    f"数据库拒绝了该行（{type(exc).__name__}）",
                    f"the database refused this row ({type(exc).__name__})",
                )
            )
            return
        # Checked again from the payload: the failed attempt left its marks on the rows.
        for item in batch:
            _import_batch(
                [item],
                None,
                report,
                actor=actor,
                as_of=as_of,
                source=source,
                id_type_aliases=id_type_aliases,
                sellers=sellers,
            )
        return
    for (line, _), result in zip(batch, results, strict=True):
        if isinstance(result, RejectedRow):
            report.errors.append(RowError(line, result.field, result.reason_zh, result.reason_en))
            continue
        report.count(result.outcome)
        if result.outcome == "superseded":
            continue
        if result.verdict.blocking:
            report.failed += 1
            report.failed_rows.append(
                (
                    line,
                    result.application_no,
                    [
                        f"{f.code}@{f.field}"
                        for f in result.verdict.findings
                        if f.severity == "error"
                    ],
                )
            )
        else:
            report.passed += 1


def _commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let this import transaction commit without waiting for its WAL to
    reach the disk (``synchronous_commit = off``, for this transaction only).

    A crash of the database server may lose the last few hundred milliseconds of committed
    batches, never half a batch: the database stays consistent, and the import is
    idempotent, so running the file again stores what was lost. Other transactions keep
    the server's setting.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
