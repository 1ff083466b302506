"""One verification of the inquirer (IQ-1, IQ-4, D1.17, D1.19, D1.21): the staff desk on
phone and counter, ``POST /api/v1/inquiries/verify`` for the call centre's and counters'
systems, the desk's third-party mode.

Every attempt becomes an :class:`~veracity.inquiry.models.Inquiry` and an audit event
(channel, outcome, address). The answer never says which part of what was stated was wrong:
an unknown policy, a wrong name, a wrong ID number and a wrong role all answer
``not_verified`` in the same shape, after the same database work (the one matching rule,
:func:`veracity.inquiry.parties.party_match`, is one query either way).

The lockout (settings ``VERACITY_INQUIRY_LIMITS``): after ``failures`` failed attempts for one
stated policy number, or for one ID number, within ``window_hours``, attempts on it are
answered ``locked`` for ``lock_minutes`` (counted as a channel event of kind ``lockout``);
failures before a lock do not count towards the next one.

Only a verified inquiry opens the answer (:func:`inquiry_answer`): to the member of staff who
verified, for ``answer_minutes``; each showing is recorded as a disclosure.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veracity.audit.services import Actor, Event, audit_record
from veracity.core.refusals import Refusal
from veracity.customers.services import id_key
from veracity.inquiry import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.inquiry.disclosures import channel_event_record, disclosure_record
from veracity.inquiry.models import (
    ChannelEventKind,
    Inquiry,
    InquiryChannel,
    InquiryLock,
    InquiryOutcome,
    ThirdPartyBasis,
)
from veracity.inquiry.parties import party_match, same_name
from veracity.org.actions import may
from veracity.org.principals import Principal, Staff, System, acting_user
from veracity.policies.models import Policy, Role
from veracity.policies.service_facts import SECTIONS, ServiceFacts, policy_service_facts

__all__ = [
    "DEFAULT_LIMITS",
    "THIRD_PARTY",
    "VerifyResult",
    "inquirer_verify",
    "inquiry_answer",
    "inquiry_of",
    "limits",
    "third_party_verify",
]

DEFAULT_LIMITS: Final = {
    "failures": 5,
    "window_hours": 24,
    "lock_minutes": 30,
    "answer_minutes": 30,
}
#: The disclosure role of a non-party told under a consent or a legal basis.
THIRD_PARTY: Final = "third_party"
ROLES: Final = frozenset({Role.POLICYHOLDER, Role.INSURED, Role.BENEFICIARY})
CHANNELS: Final = frozenset(InquiryChannel.values)
MAX_POLICY_NO: Final = 40
MAX_NAME: Final = 100
MAX_ID: Final = 40


def limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "VERACITY_INQUIRY_LIMITS", {})}


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The answer to one verification: ``reason_code`` is ``verified``, ``not_verified`` or
    ``locked`` (then ``locked_until``); ``role`` the verified role (``third_party`` for a
    non-party under a consent or legal basis)."""

    verified: bool
    role: str | None
    inquiry_id: str
    reason_code: str
    locked_until: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "role": self.role,
            "inquiry_id": self.inquiry_id,
            "reason_code": self.reason_code,
        }


@dataclass(frozen=True, slots=True)
class _Found:
    policy: Policy
    role: str
    customer_id: int | None
    sections: tuple[str, ...] = ()
    basis_ref: str = ""


def _text(value: Any, what_zh: str, what_en: str, limit: int) -> str:
    text = "".join(ch for ch in str(value or "") if ch.isprintable()).strip()
    if not text:
        raise Refusal("inquiry.required", what_en, what_zh=what_zh, what_en=what_en)
    if len(text) > limit:
        raise Refusal("inquiry.too_long", what_en, what_zh=what_zh, what_en=what_en)
    return text


#: The API clients' systems that verify inquirers (``ApiClient.system``): the core business
#: system (its call-centre and counter front ends) and dedicated call-centre and counter
#: systems; not the bancassurance system, not the SMS gateway.
VERIFYING_SYSTEMS = frozenset({"core", "call_centre", "counter"})


def _asker(principal: Principal, system: str | None = None) -> tuple[Any, str]:
    """(staff user, label) of who asks: a member of staff with the desk's action, or an API
    client (by its name) of a system that verifies inquirers (``system``, the client's
    ``ApiClient.system``, as the API passes it). A customer or a job does not use the desk."""
    if isinstance(principal, Staff):
        if not may(principal, "inquiries.desk"):
            raise Refusal("inquiry.role_forbidden", "principal")
        return principal.user, str(principal.user.get_username())
    if isinstance(principal, System) and principal.client_name.startswith("api:"):
        if system is not None and system not in VERIFYING_SYSTEMS:
            raise Refusal("inquiry.role_forbidden", "principal")
        return acting_user(principal), principal.client_name
    raise Refusal("inquiry.person_required", "principal")


def _policy_key(policy_no: str) -> str:
    return policy_no


@transaction.atomic
def _attempt(
    *,
    principal: Principal,
    channel: str,
    policy_no: Any,
    name: Any,
    id_type: Any,
    id_number: Any,
    role: str | None,
    matcher: Any,
    third_party: bool,
    now: dt.datetime | None,
    id_card_presented: bool | None,
    contract_presented: bool | None,
    system: str | None = None,
) -> VerifyResult:
    if channel not in CHANNELS:
        raise Refusal("inquiry.channel", "channel")
    if role is not None and role not in ROLES:
        raise Refusal("inquiry.role", "role")
    staff, label = _asker(principal, system)
    policy_no = _text(policy_no, "保单号", "the policy number", MAX_POLICY_NO)
    name = _text(name, "姓名", "the name", MAX_NAME)
    id_type = _text(id_type, "证件类型", "the ID type", 20)
    id_number = _text(id_number, "证件号码", "the ID number", MAX_ID)
    if (
        isinstance(principal, Staff)
        and channel == InquiryChannel.COUNTER
        and not (id_card_presented and contract_presented)
    ):
        # D1.19: at the counter both the ID card and the contract are presented first
        raise Refusal("inquiry.counter_documents", "presented")
    now = now or timezone.now()
    lim = limits()
    key = id_key(id_type, id_number)
    bidx = key[2] if key is not None else ""
    window_start = now - dt.timedelta(hours=lim["window_hours"])
    subjects = [(InquiryLock.Subject.POLICY, _policy_key(policy_no))]
    if bidx:
        subjects.append((InquiryLock.Subject.ID_NUMBER, bidx))
    # the latest lock of each subject within the window (one query)
    latest: dict[tuple[str, str], dt.datetime] = {}
    until: dt.datetime | None = None
    for lock in InquiryLock.objects.filter(
        key__in=[k for _s, k in subjects], at__gte=window_start
    ).order_by("at"):
        if (lock.subject, lock.key) in subjects:
            latest[(lock.subject, lock.key)] = lock.at
            if lock.until > now and (until is None or lock.until > until):
                until = lock.until
    inquiry = Inquiry(
        inquiry_id=secrets.token_urlsafe(18),
        channel=channel,
        policy_no=policy_no,
        id_bidx=bidx,
        stated_role=role or "",
        third_party=third_party,
        staff=staff,
        asked_by=label[:100],
        address=(principal.address or "")[:45],
        id_card_presented=bool(id_card_presented),
        contract_presented=bool(contract_presented),
        at=now,
    )
    found: _Found | None = None
    if until is not None:
        inquiry.outcome = InquiryOutcome.LOCKED
    else:
        found = matcher(policy_no=policy_no, name=name, id_type=id_type, id_number=id_number)
        inquiry.outcome = InquiryOutcome.VERIFIED if found else InquiryOutcome.NOT_VERIFIED
    if found is not None:
        inquiry.policy = found.policy
        inquiry.role = found.role
        inquiry.customer_id = found.customer_id
        inquiry.sections = list(found.sections)
        inquiry.basis_ref = found.basis_ref
    inquiry.save()
    locked_now = False
    if inquiry.outcome == InquiryOutcome.NOT_VERIFIED:
        failures = Inquiry.objects.filter(outcome=InquiryOutcome.NOT_VERIFIED, at__lte=now)
        for subject, subject_key in subjects:
            since = max(window_start, latest.get((subject, subject_key), window_start))
            field = "policy_no" if subject == InquiryLock.Subject.POLICY else "id_bidx"
            count = failures.filter(**{field: subject_key, "at__gt": since}).count()
            if count >= lim["failures"]:
                InquiryLock.objects.create(
                    subject=subject,
                    key=subject_key,
                    until=now + dt.timedelta(minutes=lim["lock_minutes"]),
                    at=now,
                )
                locked_now = True
        if locked_now:
            channel_event_record(
                channel=channel, kind=ChannelEventKind.LOCKOUT, address=inquiry.address
            )
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action="inquiry.verify",
            object_type="inquiry",
            object_id=inquiry.inquiry_id,
            customer_id=inquiry.customer_id,
            purpose=f"inquiry:{channel}",
            detail={
                "channel": channel,
                "outcome": str(inquiry.outcome),
                "role": inquiry.role,
                "address": inquiry.address,
                "third_party": third_party,
                "locked_now": locked_now,
                **({"policy": inquiry.policy_id} if inquiry.policy_id else {}),
                **(
                    {
                        "id_card_presented": inquiry.id_card_presented,
                        "contract_presented": inquiry.contract_presented,
                    }
                    if channel == InquiryChannel.COUNTER
                    else {}
                ),
            },
        ),
    )
    verified = inquiry.outcome == InquiryOutcome.VERIFIED
    return VerifyResult(
        verified=verified,
        role=inquiry.role or None,
        inquiry_id=inquiry.inquiry_id,
        reason_code=str(inquiry.outcome),
        locked_until=until,
    )


def inquirer_verify(
    *,
    principal: Principal,
    channel: str,
    policy_no: str,
    name: str,
    id_type: str,
    id_number: str,
    role: str | None = None,
    now: dt.datetime | None = None,
    id_card_presented: bool | None = None,
    contract_presented: bool | None = None,
    system: str | None = None,
) -> VerifyResult:
    """Is the inquirer, by name and ID document, a party of policy ``policy_no`` in ``role``
    (any role when ``None``, the role found is returned)? Recorded and audited either way;
    the lockout applies. At the desk's counter (a :class:`Staff` principal) the ID card and
    the contract must both have been presented (``inquiry.counter_documents``)."""

    def matcher(**stated: str) -> _Found | None:
        match = party_match(role=role, **stated)
        if match is None:
            return None
        return _Found(policy=match.policy, role=match.role, customer_id=match.customer_id)

    return _attempt(
        principal=principal,
        channel=channel,
        policy_no=policy_no,
        name=name,
        id_type=id_type,
        id_number=id_number,
        role=role,
        matcher=matcher,
        third_party=False,
        now=now,
        id_card_presented=id_card_presented,
        contract_presented=contract_presented,
        system=system,
    )


def third_party_verify(
    *,
    principal: Principal,
    channel: str,
    policy_no: str,
    name: str,
    id_type: str,
    id_number: str,
    now: dt.datetime | None = None,
    id_card_presented: bool | None = None,
    contract_presented: bool | None = None,
) -> VerifyResult:
    """Is the inquirer, a non-party, named by a consent or an approved legal basis in force
    for policy ``policy_no`` (IQ-4, D1.21)? Then verified as ``third_party`` for the sections
    that basis allows; otherwise ``not_verified`` — nothing is told, the attempt is recorded
    and audited, and it counts towards the lockout like any failure."""
    today = timezone.localdate(now) if now else timezone.localdate()

    def matcher(*, policy_no: str, name: str, id_type: str, id_number: str) -> _Found | None:
        key = id_key(id_type, id_number)
        if key is None:
            return None
        bases = ThirdPartyBasis.objects.filter(
            policy__policy_no=policy_no,
            party_id_bidx=key[2],
            party_id_type=key[0],
            status=ThirdPartyBasis.Status.IN_FORCE,
            valid_until__gte=today,
        ).select_related("policy", "policy__product")
        allowed: set[str] = set()
        found: ThirdPartyBasis | None = None
        for basis in bases:
            if same_name(name, basis.party_name):
                allowed |= set(basis.sections)
                found = found or basis
        if found is None or not allowed:
            return None
        return _Found(
            policy=found.policy,
            role=THIRD_PARTY,
            customer_id=None,
            sections=tuple(sorted(allowed)),
            basis_ref=str(found.pk),
        )

    return _attempt(
        principal=principal,
        channel=channel,
        policy_no=policy_no,
        name=name,
        id_type=id_type,
        id_number=id_number,
        role=None,
        matcher=matcher,
        third_party=True,
        now=now,
        id_card_presented=id_card_presented,
        contract_presented=contract_presented,
    )


def inquiry_of(*, principal: Principal, inquiry_id: str, now: dt.datetime | None = None) -> Inquiry:
    """The verified inquiry ``inquiry_id`` of ``principal`` (the member of staff who verified
    it), still within its answer time; refused otherwise — another person's inquiry is
    not found, an expired one is ``inquiry.expired``."""
    user = acting_user(principal)
    if not isinstance(principal, Staff) or user is None:
        raise Refusal("inquiry.person_required", "principal")
    inquiry = (
        Inquiry.objects.filter(inquiry_id=str(inquiry_id)[:40], staff_id=user.pk)
        .select_related("policy", "policy__product", "customer")
        .first()
    )
    if inquiry is None:
        raise Refusal("inquiry.not_found", "inquiry")
    if inquiry.outcome != InquiryOutcome.VERIFIED or inquiry.policy is None:
        raise Refusal("inquiry.not_verified", "inquiry")
    now = now or timezone.now()
    if now - inquiry.at > dt.timedelta(minutes=limits()["answer_minutes"]):
        raise Refusal("inquiry.expired", "inquiry")
    return inquiry


def _scoped(facts: ServiceFacts, allowed: frozenset[str]) -> ServiceFacts:
    """The facts cut down to ``allowed`` sections (a third party's)."""
    facts.sections = facts.sections & allowed
    if "coverage" not in allowed:
        facts.sum_assured, facts.coverage = None, {}
    if "premiums" not in allowed:
        facts.premiums, facts.premium_status = [], ""
    if "claims" not in allowed:
        facts.claims, facts.benefits = [], []
    if "changes" not in allowed:
        facts.changes = []
    if "payer" not in allowed:
        facts.payer_account = ""
    if "policy" not in allowed:
        facts.product = facts.status = ""
        facts.effective_on = facts.cooling_off_ends_on = facts.ended_on = None
        facts.parties = []
    return facts


def inquiry_answer(
    *, principal: Principal, inquiry_id: str, now: dt.datetime | None = None
) -> tuple[Inquiry, ServiceFacts]:
    """What the verified inquirer of ``inquiry_id`` may be told of the policy, scoped to the
    verified role (or a third party's allowed sections), recorded as a disclosure with the
    sections shown. Only for the member of staff who verified, within the answer time."""
    inquiry = inquiry_of(principal=principal, inquiry_id=inquiry_id, now=now)
    policy = inquiry.policy
    assert policy is not None
    today = timezone.localdate(now) if now else timezone.localdate()
    if inquiry.third_party:
        allowed = frozenset(inquiry.sections) & SECTIONS[Role.POLICYHOLDER]
        facts = _scoped(policy_service_facts(policy, role=Role.POLICYHOLDER, as_of=today), allowed)
        facts.role = THIRD_PARTY
    else:
        facts = policy_service_facts(policy, role=inquiry.role, as_of=today)
    disclosure_record(
        principal=principal,
        channel=inquiry.channel,
        policy=policy,
        role=inquiry.role,
        customer_id=inquiry.customer_id,
        sections=facts.sections,
        inquiry_ref=inquiry.inquiry_id,
        detail={"basis": inquiry.basis_ref} if inquiry.third_party else None,
    )
    return inquiry, facts
