"""The complaints register (SF-2, D1.14): intake, investigation and verification (查实).

One service per step, the same for the web pages, the API and ``veracity import
complaints``:

- :func:`complaint_record` takes a complaint in (or updates it from its source system, by
  ``complaint_no``: same content → unchanged; changed → updated and audited);
- :func:`complaint_investigate` — customer service or compliance takes it on;
- :func:`complaint_verify` — verified (查实) or not, with the basis and the date.

Investigation and verification are never by the person complained about, their team
leader, nor (for an agency) its staff (:func:`veracity.core.complaints.verifier_conflict`).
A refusal changes nothing; a forbidden attempt is written to the audit trail.
Verified misselling complaints feed SD-4 (``REPEAT_MISSELLING``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from veracity.access.policy import record_refusal
from veracity.access.roles import RoleName
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.conduct import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.conduct.models import Complaint
from veracity.core.complaints import (
    ComplaintParties,
    parse_complaint,
    verifier_conflict,
)
from veracity.core.conduct import ComplaintCategory
from veracity.core.refusals import Kind, Refusal
from veracity.core.schema import Rejected
from veracity.ingest.readers import ImportCounts, RowError
from veracity.notify.services import tell
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user
from veracity.policies.models import Policy
from veracity.sales.models import Seller, SellerKind

MAX_BASIS = 4000

#: The fields a complaint's source system owns (an update compares them).
CONTENT = ("received_on", "policy_id", "seller_id", "agency_id", "category", "summary")
VERIFICATION = ("verified", "verified_on")


class ComplaintError(Refusal):
    """A refused complaint step: the ``complaint.*`` and ``callback.*`` entries of
    :mod:`veracity.conduct.refusals`."""

    namespace = "complaint"


T = TypeVar("T")


def _refused_audited(principal: Principal, action: str, object_id: Any, step: Callable[[], T]) -> T:
    """Run ``step`` in one transaction; a refusal changes nothing and a forbidden one is
    recorded (after the rollback, so the record stays)."""
    try:
        with transaction.atomic():
            return step()
    except Refusal as error:
        if error.kind is Kind.FORBIDDEN:
            record_refusal(
                actor=Actor.of_principal(principal),
                action=action,
                object_type="complaint",
                object_id=str(object_id),
                detail={"code": error.key},
            )
        raise


def _user_pk(principal: Principal) -> int | None:
    return getattr(acting_user(principal), "pk", None)


def _name(principal: Principal) -> str:
    user = acting_user(principal)
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _require(principal: Principal, action: str, zh: str, en: str) -> None:
    if not may(principal, action):
        raise ComplaintError("role", "user", action_zh=zh, action_en=en)


# --- reading ---------------------------------------------------------------------------------


def complaints_visible_to(
    *, principal: Principal, action: str = "complaints.view"
) -> QuerySet[Complaint]:
    """The complaints ``principal`` may read for ``action``: all of them for the roles of
    the action (customer service, compliance, channel management, the managers), none
    otherwise. Sellers see their complaints on their own seller page (the seller register)."""
    base = Complaint.objects.select_related("seller", "agency", "policy", "verified_by")
    if not may(principal, action) and not may(principal, "complaints.view"):
        return base.none()
    return base


def complaint_for(*, principal: Principal, complaint_id: int, lock: bool = False) -> Complaint:
    query = complaints_visible_to(principal=principal).filter(pk=complaint_id)
    if lock:
        query = query.select_for_update(of=("self",))
    complaint = query.first()
    if complaint is None:
        raise ComplaintError("not_found", "complaint")
    found: Complaint = complaint
    return found


def complaint_id_of(complaint_no: str) -> int | None:
    return Complaint.objects.filter(complaint_no=complaint_no).values_list("pk", flat=True).first()


def parties_of(complaint: Complaint) -> ComplaintParties:
    """The staff users behind a complaint, for the separation rule."""
    seller = complaint.seller
    leader_user = None
    if seller is not None and seller.leader_id:
        leader_user = (
            Seller.objects.filter(pk=seller.leader_id).values_list("user_id", flat=True).first()
        )
    agency_ids = {a for a in (complaint.agency_id, getattr(seller, "agency_id", None)) if a}
    agency_users: list[int | None] = []
    if agency_ids:
        agency_users = list(
            Seller.objects.filter(Q(pk__in=agency_ids) | Q(agency_id__in=agency_ids))
            .exclude(user__isnull=True)
            .values_list("user_id", flat=True)
        )
    return ComplaintParties.of(
        seller_user=getattr(seller, "user_id", None),
        leader_user=leader_user,
        agency_users=agency_users,
    )


def _check_independent(principal: Principal, complaint: Complaint) -> None:
    conflict = verifier_conflict(_user_pk(principal), parties_of(complaint))
    if conflict is not None:
        raise ComplaintError(f"conflict.{conflict.value}", "user")


def against(complaint: Complaint) -> str:
    """Who the complaint is against, by code and name."""
    return "、".join(str(s) for s in (complaint.seller, complaint.agency) if s is not None)


# --- intake ----------------------------------------------------------------------------------


def _text(value: Any, field: str, *, required: bool, zh: str, en: str, limit: int) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ComplaintError("required", field, what_zh=zh, what_en=en)
    if len(text) > limit:
        raise ComplaintError("too_long", field, what_zh=zh, what_en=en, limit=limit)
    return text


def _resolve(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's codes as rows: the seller (an agent or a specialist), the agency, the
    policy; a code that names nothing is refused with its field."""
    seller = agency = policy = None
    if record.get("seller_code"):
        seller = (
            Seller.objects.filter(code=record["seller_code"])
            .exclude(kind=SellerKind.AGENCY)
            .first()
        )
        if seller is None:
            raise ComplaintError("seller", "seller_code", code=record["seller_code"])
    if record.get("agency_code"):
        agency = Seller.objects.filter(code=record["agency_code"], kind=SellerKind.AGENCY).first()
        if agency is None:
            raise ComplaintError("agency", "agency_code", code=record["agency_code"])
    if seller is None and agency is None:
        raise ComplaintError("no_party", "seller_code")
    if record.get("policy_no"):
        policy = Policy.objects.filter(policy_no=record["policy_no"]).first()
        if policy is None:
            raise ComplaintError("policy", "policy_no", policy_no=record["policy_no"])
    return {
        "received_on": record["received_on"],
        "policy_id": getattr(policy, "pk", None),
        "seller_id": getattr(seller, "pk", None),
        "agency_id": getattr(agency, "pk", None),
        "category": record["category"],
        "summary": record.get("summary") or "",
    }


def _parse(record: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return parse_complaint(record)
    except Rejected as rejected:
        raise ComplaintError(
            "schema",
            rejected.field,
            message_zh=rejected.reason_zh,
            message_en=rejected.reason_en,
        ) from None


def complaint_record(
    *,
    record: Mapping[str, Any],
    principal: Principal,
    source: str = "",
    update: bool = True,
    actor: Actor | None = None,
) -> tuple[Complaint, str]:
    """Take a complaint in, or bring it up to date from its source (``update``), by its
    number; returns the complaint and ``created`` / ``updated`` / ``unchanged``.

    ``record`` has the fields of :class:`veracity.core.complaints.ComplaintIn`. A decision
    it carries (``verified`` true or false, with ``verified_on``) is recorded as taken in
    the source system (``source``), without a verifier; ``verified`` null leaves the
    register's decision as it is. A verified complaint is never un-verified by its source
    (``complaint.unverify``). ``actor``: who the trail records (a file import's system)."""
    who = actor or Actor.of_principal(principal)

    def step() -> tuple[Complaint, str]:
        if actor is None:
            _require(principal, "complaints.record", "登记投诉", "record complaints")
        parsed = _parse(record)
        values = _resolve(parsed)
        complaint = (
            Complaint.objects.select_for_update()
            .filter(complaint_no=parsed["complaint_no"])
            .first()
        )
        decision: dict[str, Any] = {}
        if parsed["verified"] is not None:
            decision = {"verified": parsed["verified"], "verified_on": parsed["verified_on"]}
        if complaint is None:
            complaint = Complaint(complaint_no=parsed["complaint_no"], **values)
            complaint.received_by_id = _user_pk(principal)
            complaint.source = source[:200]
            if decision:
                _decided_at_source(complaint, decision, parsed, source)
            complaint.save()
            _audit(who, complaint, Action.CREATE, {"no": complaint.complaint_no})
            _tell_received(complaint, principal)
            if complaint.verified and complaint.category == ComplaintCategory.MISSELLING:
                _tell_misselling(complaint, principal)
            return complaint, "created"
        if not update:
            raise ComplaintError("exists", "complaint_no", complaint_no=complaint.complaint_no)
        changed = [f for f in CONTENT if getattr(complaint, f) != values[f]]
        if complaint.verified is True and decision.get("verified") is False:
            raise ComplaintError("unverify", "verified")
        changed_decision = [
            f for f in VERIFICATION if decision and getattr(complaint, f) != decision[f]
        ]
        if not changed and not changed_decision:
            return complaint, "unchanged"
        before = {f: _plain(getattr(complaint, f)) for f in (*changed, *changed_decision)}
        for f in changed:
            setattr(complaint, f, values[f])
        newly_verified = False
        if changed_decision:
            newly_verified = bool(decision["verified"]) and complaint.verified is not True
            _decided_at_source(complaint, decision, parsed, source)
        complaint.save()
        _audit(
            who,
            complaint,
            Action.CHANGE,
            {
                "no": complaint.complaint_no,
                "before": before,
                "after": {f: _plain(getattr(complaint, f)) for f in before},
            },
        )
        if newly_verified and complaint.category == ComplaintCategory.MISSELLING:
            _tell_misselling(complaint, principal)
        return complaint, "updated"

    return _refused_audited(principal, "complaints.record", record.get("complaint_no", ""), step)


def _decided_at_source(
    complaint: Complaint, decision: Mapping[str, Any], parsed: Mapping[str, Any], source: str
) -> None:
    complaint.verified = decision["verified"]
    complaint.verified_on = decision["verified_on"]
    complaint.verified_by = None
    complaint.status = (
        Complaint.Status.VERIFIED if decision["verified"] else Complaint.Status.NOT_VERIFIED
    )
    by = f"（{parsed['verified_by']}）" if parsed.get("verified_by") else ""
    where = "投诉文件导入" if source.startswith("file") else "来源系统记录"
    complaint.basis = f"{where}的查实结论{by}"[:MAX_BASIS]
    complaint.source = source[:200]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _audit(actor: Actor, complaint: Complaint, action: str, detail: Mapping[str, Any]) -> None:
    audit_record(
        actor=actor,
        event=Event(
            action=action,
            object_type="complaint",
            object_id=str(complaint.pk),
            detail=dict(detail),
        ),
    )


# --- investigation and verification ----------------------------------------------------------


def complaint_investigate(*, complaint_id: int, principal: Principal) -> Complaint:
    """Customer service or compliance takes the complaint on (调查); the investigator is the
    one told when it is decided."""

    def step() -> Complaint:
        _require(principal, "complaints.verify", "调查投诉", "investigate complaints")
        complaint = complaint_for(principal=principal, complaint_id=complaint_id, lock=True)
        _check_independent(principal, complaint)
        if complaint.status != Complaint.Status.RECEIVED:
            raise ComplaintError("decided" if complaint.verified is not None else "taken", "status")
        complaint.status = Complaint.Status.INVESTIGATING
        complaint.investigator = acting_user(principal)
        complaint.save(update_fields=["status", "investigator", "updated_at"])
        _audit(Actor.acting(principal), complaint, Action.CHANGE, {"step": "investigate"})
        return complaint

    return _refused_audited(principal, "complaints.verify", complaint_id, step)


def complaint_verify(
    *,
    complaint_id: int,
    principal: Principal,
    verified: bool,
    basis: str,
    verified_on: date | None,
    as_of: date | None = None,
) -> Complaint:
    """Decide the complaint: verified (查实) or not, on ``basis`` (required), on
    ``verified_on``. A verified misselling complaint is told to compliance and channel
    management (it counts for SD-4); the investigator is told of the decision."""

    def step() -> Complaint:
        _require(principal, "complaints.verify", "查实投诉", "verify complaints")
        complaint = complaint_for(principal=principal, complaint_id=complaint_id, lock=True)
        _check_independent(principal, complaint)
        if complaint.status not in (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING):
            raise ComplaintError("decided", "status")
        text = _text(basis, "basis", required=True, zh="查实依据", en="the basis", limit=MAX_BASIS)
        if verified_on is None:
            raise ComplaintError("required", "verified_on", what_zh="查实日期", what_en="the date")
        if verified_on > (as_of or timezone.localdate()):
            raise ComplaintError("future", "verified_on")
        if verified_on < complaint.received_on:
            raise ComplaintError("before_received", "verified_on")
        user = acting_user(principal)
        complaint.verified = bool(verified)
        complaint.verified_on = verified_on
        complaint.verified_by = user
        complaint.basis = text
        complaint.status = Complaint.Status.VERIFIED if verified else Complaint.Status.NOT_VERIFIED
        if complaint.investigator_id is None:
            complaint.investigator = user
        complaint.save()
        _audit(
            Actor.acting(principal),
            complaint,
            Action.CHANGE,
            {"step": "verify", "verified": complaint.verified, "on": verified_on.isoformat()},
        )
        if complaint.investigator_id:
            tell(
                get_user_model().objects.filter(pk=complaint.investigator_id),
                "complaint_decided",
                {"complaint": complaint.complaint_no, "by": _name(principal)},
                link=f"/complaints/{complaint.pk}/",
                object_type="complaint",
                object_id=complaint.pk,
                exclude=[user],
            )
        if complaint.verified and complaint.category == ComplaintCategory.MISSELLING:
            _tell_misselling(complaint, principal)
        return complaint

    return _refused_audited(principal, "complaints.verify", complaint_id, step)


# --- notices ---------------------------------------------------------------------------------


def _with_roles(*roles: RoleName) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(groups__name__in=[r.value for r in roles], is_active=True)
        .distinct()
    )


def _tell_received(complaint: Complaint, principal: Principal) -> None:
    """Customer service managers are told of a new complaint, to have it investigated."""
    tell(
        _with_roles(RoleName.CUSTOMER_SERVICE_MANAGER),
        "complaint_received",
        {"complaint": complaint.complaint_no, "against": against(complaint)},
        link=f"/complaints/{complaint.pk}/",
        object_type="complaint",
        object_id=complaint.pk,
        exclude=[acting_user(principal)],
    )


def _tell_misselling(complaint: Complaint, principal: Principal) -> None:
    """D1.14: a verified misselling complaint is reported to compliance and channel
    management."""
    tell(
        _with_roles(RoleName.COMPLIANCE, RoleName.CHANNEL_MANAGEMENT),
        "complaint_misselling_verified",
        {
            "complaint": complaint.complaint_no,
            "against": against(complaint),
            "verified_on": _plain(complaint.verified_on),
            "by": _name(principal) or complaint.basis,
        },
        link=f"/complaints/{complaint.pk}/",
        object_type="complaint",
        object_id=complaint.pk,
        exclude=[acting_user(principal)],
    )


# --- the import --------------------------------------------------------------------------------


class ComplaintImportReport(ImportCounts):
    """Counts of a complaint import."""


def complaints_import(
    records: Iterable[tuple[int, dict[str, Any] | RowError]], *, actor: Actor
) -> ComplaintImportReport:
    """``veracity import complaints FILE``: one complaint per line, idempotent by
    ``complaint_no``; every line that cannot be stored is reported with its field and reason
    (a bad seller code, a verified complaint the file would un-verify); one transaction per
    line. A verification the file carries is recorded as imported (source: the file)."""
    from veracity.org.principals import system

    report = ComplaintImportReport()
    principal = system(actor.label.removeprefix("system:"))
    source = "file"
    for line, record in records:
        report.rows += 1
        if isinstance(record, RowError):
            report.errors.append(record)
            continue
        try:
            _, outcome = complaint_record(
                record=record, principal=principal, source=source, actor=actor
            )
        except ComplaintError as error:
            report.errors.append(RowError(line, error.field, error.message_zh, error.message_en))
            continue
        report.count(outcome)
    report.errors.sort(key=lambda e: e.line)
    return report
