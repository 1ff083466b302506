"""Third parties (IQ-4, D1.21): a non-party of a policy is told nothing unless

- a **consent** is recorded — given by a party verified at the desk a moment ago (the
  member of staff records it right after verifying them, with the signed form as evidence),
  naming the person it is given to (name, ID type and number — the number encrypted, with its
  blind index), the policy, the information (sections, never more than the party may be told
  themselves) and until when; it is in force at once; or
- a **legal basis** is recorded (a court order, a regulator's request, public security's
  request, other) with its document, and approved on the approvals engine: compliance, then
  the customer service manager; nobody approves what they recorded (the engine's rule); each
  step's decider is told by a notice.

The desk's third-party mode (``verification.third_party_verify``) then checks a stated name and
ID document against the bases in force for the policy. The stored documents are sealed as case
evidence is (``core.evidence.check_file``, AES-GCM under ``VERACITY_EVIDENCE_DIR``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from veracity.access.policy import record_refusal
from veracity.approvals import services as approvals
from veracity.approvals.models import ApprovalRequest
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.services import evidence_dir
from veracity.core.approvals import Plan, Step, Who
from veracity.core.evidence import EvidenceRejected, check_file
from veracity.core.refusals import Refusal
from veracity.customers.services import id_key
from veracity.db.fields import field_crypto
from veracity.inquiry import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.inquiry.models import ThirdPartyBasis
from veracity.inquiry.parties import same_name
from veracity.inquiry.verification import inquiry_of
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user
from veracity.policies.models import Policy, PolicyRole
from veracity.policies.service_facts import SECTIONS

__all__ = [
    "APPROVAL_KIND",
    "LEGAL_KINDS",
    "OWNER",
    "basis_document",
    "consent_record",
    "decidable_step",
    "legal_basis_decide",
    "legal_basis_plan",
    "legal_basis_record",
]

OWNER: Final = "third_party_basis"
APPROVAL_KIND: Final = "inquiry.legal_basis"
LEGAL_KINDS: Final = frozenset(
    {
        ThirdPartyBasis.Kind.COURT,
        ThirdPartyBasis.Kind.REGULATOR,
        ThirdPartyBasis.Kind.POLICE,
        ThirdPartyBasis.Kind.OTHER,
    }
)
ALL_SECTIONS: Final = SECTIONS["policyholder"]
MAX_DAYS: Final = 366

COMPLIANCE_STEP: Final = Step(
    "compliance", Who.ROLE, frozenset({"compliance"}), "合规部门", "Compliance"
)
MANAGER_STEP: Final = Step(
    "customer_service_manager",
    Who.ROLE,
    frozenset({"customer_service_manager"}),
    "客户服务部负责人",
    "Customer service manager",
)


def legal_basis_plan() -> Plan:
    """Compliance, then the customer service manager."""
    return Plan.ordered(COMPLIANCE_STEP, MANAGER_STEP)


def _link(basis_id: int) -> str:
    return f"/inquiries/bases/{basis_id}/"


def _refused(principal: Principal, action: str, object_id: Any, refusal: Refusal) -> Refusal:
    record_refusal(
        actor=Actor.of_principal(principal),
        action=action,
        object_type=OWNER,
        object_id=str(object_id),
        detail={"code": refusal.code, "field": refusal.field},
    )
    return refusal


def _sections(sections: Iterable[str], within: frozenset[str]) -> list[str]:
    chosen = {str(s) for s in sections or ()}
    if not chosen or not chosen <= ALL_SECTIONS:
        raise Refusal("inquiry.sections", "sections")
    if not chosen <= within:
        raise Refusal("inquiry.sections_beyond", "sections")
    return sorted(chosen)


def _until(valid_until: Any, today: dt.date) -> dt.date:
    if not isinstance(valid_until, dt.date) or valid_until < today:
        raise Refusal("inquiry.valid_until", "valid_until")
    if (valid_until - today).days > MAX_DAYS:
        raise Refusal("inquiry.valid_until", "valid_until")
    return valid_until


def _party(name: Any, id_type: Any, id_number: Any) -> tuple[str, str, str, str]:
    text = "".join(ch for ch in str(name or "") if ch.isprintable()).strip()
    if not text:
        raise Refusal("inquiry.required", "name", what_zh="姓名", what_en="the name")
    if len(text) > 100:
        raise Refusal("inquiry.too_long", "name", what_zh="姓名", what_en="the name")
    key = id_key(str(id_type or ""), str(id_number or "")[:40])
    if key is None:
        raise Refusal("inquiry.id_number", "id_number")
    return text, key[0], key[1], key[2]


def _sealed(filename: str, data: bytes) -> dict[str, Any]:
    """The document checked by its content and prepared for sealing (written by the caller
    last, as case evidence is)."""
    name = Path((filename or "").replace("\\", "/")).name.strip()[:200]
    if not name:
        raise Refusal("inquiry.required", "file", what_zh="文件", what_en="the file")
    try:
        found = check_file(name, data)
    except EvidenceRejected as error:
        raise Refusal(
            "inquiry.evidence", "file", message_zh=error.message_zh, message_en=error.message_en
        ) from None
    return {
        "filename": name,
        "content_type": found.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "stored_as": f"{uuid.uuid4().hex}.bin",
    }


def _write(stored_as: str, data: bytes) -> None:
    sealed = field_crypto().encrypt_bytes(data, aad=f"evidence:{stored_as}")
    (evidence_dir() / stored_as).write_bytes(sealed)


def _is_party(policy: Policy, name: str, bidx: str, id_type: str) -> bool:
    return any(
        same_name(name, r.customer.name if r.customer else r.name)
        for r in PolicyRole.objects.filter(
            policy=policy,
            customer__documents__number_bidx=bidx,
            customer__documents__id_type=id_type,
        ).select_related("customer")
    )


def _audit_created(principal: Principal, basis: ThirdPartyBasis) -> None:
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.CREATE,
            object_type=OWNER,
            object_id=str(basis.pk),
            customer_id=basis.given_by_id,
            detail={
                "kind": basis.kind,
                "policy": basis.policy_id,
                "sections": basis.sections,
                "valid_until": basis.valid_until.isoformat(),
                "sha256": basis.sha256,
                "inquiry": basis.inquiry_ref,
            },
        ),
    )


def consent_record(
    *,
    principal: Principal,
    inquiry_id: str,
    party_name: str,
    party_id_type: str,
    party_id_number: str,
    sections: Iterable[str],
    valid_until: dt.date,
    filename: str,
    data: bytes,
    note: str = "",
    now: dt.datetime | None = None,
) -> ThirdPartyBasis:
    """A consent given by the party verified in ``inquiry_id`` (by this member of staff,
    within the answer time) for the named person to be told ``sections`` of that policy until
    ``valid_until``, with the signed form; in force at once, audited."""

    def step() -> ThirdPartyBasis:
        with transaction.atomic():
            inquiry = inquiry_of(principal=principal, inquiry_id=inquiry_id, now=now)
            if inquiry.third_party or inquiry.customer_id is None:
                raise Refusal("inquiry.third_party", "inquiry")
            policy = inquiry.policy
            assert policy is not None
            today = timezone.localdate(now) if now else timezone.localdate()
            chosen = _sections(sections, SECTIONS.get(inquiry.role, frozenset()))
            until = _until(valid_until, today)
            name, id_type, number, bidx = _party(party_name, party_id_type, party_id_number)
            if _is_party(policy, name, bidx, id_type):
                raise Refusal("inquiry.party_self", "party")
            doc = _sealed(filename, data)
            basis = ThirdPartyBasis.objects.create(
                kind=ThirdPartyBasis.Kind.CONSENT,
                status=ThirdPartyBasis.Status.IN_FORCE,
                policy=policy,
                given_by_id=inquiry.customer_id,
                given_by_role=inquiry.role,
                inquiry_ref=inquiry.inquiry_id,
                party_name=name,
                party_id_type=id_type,
                party_id_number=number,
                party_id_bidx=bidx,
                sections=chosen,
                valid_until=until,
                note=str(note or "")[:300],
                recorded_by=acting_user(principal),
                recorded_at=now or timezone.now(),
                **doc,
            )
            _audit_created(principal, basis)
            _write(doc["stored_as"], data)
            return basis

    try:
        return step()
    except Refusal as refusal:
        raise _refused(principal, "inquiries.desk", inquiry_id, refusal) from None


def legal_basis_record(
    *,
    principal: Principal,
    policy_no: str,
    kind: str,
    party_name: str,
    party_id_type: str,
    party_id_number: str,
    sections: Iterable[str],
    valid_until: dt.date,
    reference: str,
    filename: str,
    data: bytes,
    note: str = "",
) -> ThirdPartyBasis:
    """A legal basis for the named requester (an officer of the court, the regulator or public
    security) to be told ``sections`` of policy ``policy_no``, with its document; it waits for
    approval (compliance, then the customer service manager) and is in force only after."""

    def step() -> ThirdPartyBasis:
        with transaction.atomic():
            if not may(principal, "inquiries.legal_basis"):
                raise Refusal("inquiry.role_forbidden", "principal")
            if acting_user(principal) is None:
                raise Refusal("inquiry.person_required", "principal")
            if kind not in LEGAL_KINDS:
                raise Refusal("inquiry.basis_kind", "kind")
            policy = Policy.objects.filter(policy_no=str(policy_no or "").strip()[:40]).first()
            if policy is None or not policy.policy_no:
                raise Refusal("inquiry.policy", "policy_no")
            today = timezone.localdate()
            chosen = _sections(sections, ALL_SECTIONS)
            until = _until(valid_until, today)
            name, id_type, number, bidx = _party(party_name, party_id_type, party_id_number)
            ref = "".join(ch for ch in str(reference or "") if ch.isprintable()).strip()
            if not ref:
                raise Refusal(
                    "inquiry.required", "reference", what_zh="文书编号", what_en="the reference"
                )
            doc = _sealed(filename, data)
            basis = ThirdPartyBasis.objects.create(
                kind=kind,
                status=ThirdPartyBasis.Status.PENDING,
                policy=policy,
                party_name=name,
                party_id_type=id_type,
                party_id_number=number,
                party_id_bidx=bidx,
                sections=chosen,
                valid_until=until,
                reference=ref[:100],
                note=str(note or "")[:300],
                recorded_by=acting_user(principal),
                **doc,
            )
            _audit_created(principal, basis)
            approvals.approval_open(
                kind=APPROVAL_KIND,
                plan=legal_basis_plan(),
                principal=principal,
                owner_label=OWNER,
                owner_id=basis.pk,
            )
            _write(doc["stored_as"], data)
            return basis

    try:
        return step()
    except Refusal as refusal:
        raise _refused(principal, "inquiries.legal_basis", policy_no, refusal) from None


_FROM_ENGINE: Final = {
    "approval.own_request": "inquiry.basis_own",
    "approval.reason_required": "inquiry.basis_reason",
    "approval.nobody": "inquiry.person_required",
}


def decidable_step(basis: ThirdPartyBasis, *, principal: Principal) -> Step | None:
    if basis.status != ThirdPartyBasis.Status.PENDING or acting_user(principal) is None:
        return None
    approval = approvals.approval_for(OWNER, basis.pk)
    return approvals.step_for(approval, principal=principal) if approval else None


def legal_basis_decide(
    *, principal: Principal, basis_id: int, approve: bool, reason: str = ""
) -> ThirdPartyBasis:
    """The decider of the pending step approves or rejects (a rejection needs a reason); the
    one who recorded it is refused (``inquiry.basis_own``), audited, nothing changed."""

    def step() -> ThirdPartyBasis:
        with transaction.atomic():
            basis = ThirdPartyBasis.objects.select_for_update().filter(pk=basis_id).first()
            if basis is None or basis.kind == ThirdPartyBasis.Kind.CONSENT:
                raise Refusal("inquiry.basis_not_found", "basis")
            approval = approvals.approval_for(OWNER, basis.pk)
            if basis.status != ThirdPartyBasis.Status.PENDING or approval is None:
                raise Refusal("inquiry.basis_not_pending", "status")
            user = acting_user(principal)
            if user is not None and user.pk == basis.recorded_by_id:
                raise Refusal("inquiry.basis_own", "basis")
            try:
                approvals.approval_decide(
                    request_id=approval.pk, principal=principal, approve=approve, reason=reason
                )
            except Refusal as refusal:
                raise Refusal(
                    _FROM_ENGINE.get(refusal.code, "inquiry.basis_not_approver"), refusal.field
                ) from None
            basis.refresh_from_db()
            return basis

    try:
        return step()
    except Refusal as refusal:
        raise _refused(principal, "inquiries.legal_basis", basis_id, refusal) from None


def basis_document(basis: ThirdPartyBasis) -> bytes:
    """The stored document's bytes (for the basis page's download)."""
    sealed = (evidence_dir() / basis.stored_as).read_bytes()
    return field_crypto().decrypt_bytes(sealed, aad=f"evidence:{basis.stored_as}")


def _closed(approval: ApprovalRequest, status: str) -> None:
    """The outcome, in the deciding transaction: in force, rejected or withdrawn."""
    basis = ThirdPartyBasis.objects.select_for_update().get(pk=approval.owner_id)
    outcomes: dict[str, str] = {
        ApprovalRequest.Status.APPROVED: ThirdPartyBasis.Status.IN_FORCE,
        ApprovalRequest.Status.REJECTED: ThirdPartyBasis.Status.REJECTED,
    }
    basis.status = outcomes.get(status, ThirdPartyBasis.Status.WITHDRAWN)
    basis.save(update_fields=["status"])


approvals.on_outcome(APPROVAL_KIND, _closed, in_transaction=True)
approvals.on_step_waiting(
    APPROVAL_KIND,
    waiting="third_party_basis_waiting",
    decided="third_party_basis_decided",
    link="/inquiries/bases/{id}/",
)
