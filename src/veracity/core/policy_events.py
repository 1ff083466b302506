"""Policy service events from the core business system (issue 14): the one strict schema.

Veracity is not the core system; it receives its facts. One event per record, the same shape
on ``POST /api/v1/policy-events`` and in ``veracity import policy-events FILE``:

    {"event_id": "E2026-000001", "policy_no": "P…", "kind": "premium_due",
     "occurred_on": "2026-11-20", "data": {"due_on": "2026-12-20", "amount": 1200}}

``kind`` is one of :class:`EventKind`; ``data`` has the fields of that kind (:data:`DATA`)
and nothing else. ``policy_effective`` turns an application into a policy: it carries
``application_no`` beside the new ``policy_no``. An event is the same event when its
``event_id`` is the same (a re-sent event is taken once).

A record that does not fit is rejected with every field that is wrong and why, in Chinese and
English (:class:`veracity.core.schema.Rejected`), as every other record's schema does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationError
from pydantic_core import PydanticCustomError

from veracity.core.schema import (
    Identifier40,
    Problem,
    Rejected,
    Text40,
    Text100,
    Text200,
    _Strict,
    describe,
)

__all__ = [
    "DATA",
    "KIND_WORDS",
    "NOTICE_KINDS",
    "ChangeKind",
    "ClaimResult",
    "EventKind",
    "PolicyEventIn",
    "parse_policy_event",
]


class EventKind(StrEnum):
    POLICY_EFFECTIVE = "policy_effective"
    PREMIUM_DUE = "premium_due"
    PREMIUM_RECEIVED = "premium_received"
    CLAIM_REPORTED = "claim_reported"
    CLAIM_REVIEWED = "claim_reviewed"
    BENEFIT_PAID = "benefit_paid"
    POLICY_CHANGED = "policy_changed"
    POLICY_LAPSED = "policy_lapsed"
    POLICY_TERMINATED = "policy_terminated"


#: Each kind in words (zh, en), as staff and customers read them.
KIND_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    EventKind.POLICY_EFFECTIVE: ("保单生效", "Policy took effect"),
    EventKind.PREMIUM_DUE: ("续期保费应缴", "Renewal premium due"),
    EventKind.PREMIUM_RECEIVED: ("保费到账", "Premium received"),
    EventKind.CLAIM_REPORTED: ("理赔报案", "Claim reported"),
    EventKind.CLAIM_REVIEWED: ("理赔审核", "Claim reviewed"),
    EventKind.BENEFIT_PAID: ("保险金给付", "Benefit paid"),
    EventKind.POLICY_CHANGED: ("保全变更", "Policy service change"),
    EventKind.POLICY_LAPSED: ("保单失效", "Policy lapsed"),
    EventKind.POLICY_TERMINATED: ("保单终止", "Policy terminated"),
}

#: The events a notice to the policyholder follows (NT-1); a ``policy_changed`` only when
#: ``major``; ``premium_due`` some days before ``due_on`` (settings), not on receipt.
NOTICE_KINDS: Final = frozenset(
    {
        EventKind.POLICY_EFFECTIVE,
        EventKind.PREMIUM_DUE,
        EventKind.PREMIUM_RECEIVED,
        EventKind.CLAIM_REVIEWED,
        EventKind.BENEFIT_PAID,
        EventKind.POLICY_CHANGED,
    }
)


class ClaimResult(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    MORE_DOCUMENTS = "more_documents"


CLAIM_RESULT_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    ClaimResult.APPROVED: ("审核通过", "approved"),
    ClaimResult.REJECTED: ("拒赔", "rejected"),
    ClaimResult.MORE_DOCUMENTS: ("需补充材料", "more documents needed"),
}


class ChangeKind(StrEnum):
    """What a policy service change (保全) changed."""

    BENEFICIARY = "beneficiary"
    ADDRESS = "address"
    PHONE = "phone"
    ACCOUNT = "account"
    SUM_ASSURED = "sum_assured"
    SURRENDER = "surrender"
    REINSTATEMENT = "reinstatement"
    OTHER = "other"


CHANGE_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    ChangeKind.BENEFICIARY: ("变更受益人", "change of beneficiary"),
    ChangeKind.ADDRESS: ("变更地址", "change of address"),
    ChangeKind.PHONE: ("变更电话", "change of phone"),
    ChangeKind.ACCOUNT: ("变更缴费账户", "change of payment account"),
    ChangeKind.SUM_ASSURED: ("变更保额", "change of sum assured"),
    ChangeKind.SURRENDER: ("退保", "surrender"),
    ChangeKind.REINSTATEMENT: ("复效", "reinstatement"),
    ChangeKind.OTHER: ("其他保全", "other change"),
}


def _iso_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_format", "not a date (YYYY-MM-DD)", {}) from None
    if len(value) != 10:
        raise PydanticCustomError("date_format", "not a date (YYYY-MM-DD)", {})
    return value


EventDate = Annotated[
    str,
    AfterValidator(_iso_date),
    Field(description="YYYY-MM-DD", examples=["2026-11-20"]),
]
#: Money in yuan: at most 2 decimals, not negative, at most 10^12.
Amount = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]


class RiderIn(_Strict):
    code: Identifier40
    name: Text200 | None = None
    sum_assured: Amount | None = None


class EffectiveData(_Strict):
    effective_on: EventDate
    cooling_off_ends_on: EventDate | None = None
    callback_due_on: EventDate | None = None
    sum_assured: Amount | None = None
    coverage_period: Text40 | None = Field(None, description="e.g. 终身, 20年, 至70岁")
    premium: Amount | None = None
    payment_period: Text40 | None = Field(None, description="e.g. 10年交, 趸交")
    riders: list[RiderIn] | None = Field(None, max_length=20)


class PremiumDueData(_Strict):
    due_on: EventDate
    amount: Amount
    period: int | None = Field(None, ge=1, le=200, description="policy year of the premium")


class PremiumReceivedData(_Strict):
    amount: Amount
    period: int | None = Field(None, ge=1, le=200)


class ClaimReportedData(_Strict):
    claim_no: Identifier40
    claimant_name: Text100 | None = None


class ClaimReviewedData(_Strict):
    claim_no: Identifier40
    result: Literal["approved", "rejected", "more_documents"]
    reason: Text200 | None = None


class BenefitPaidData(_Strict):
    claim_no: Identifier40 | None = None
    benefit: Text100 | None = Field(None, description="a benefit paid without a claim, e.g. 生存金")
    amount: Amount


class PolicyChangedData(_Strict):
    change: Literal[
        "beneficiary",
        "address",
        "phone",
        "account",
        "sum_assured",
        "surrender",
        "reinstatement",
        "other",
    ]
    major: bool = False
    note: Text200 | None = None


class EndedData(_Strict):
    reason: Text200 | None = None


#: The data schema of each kind.
DATA: Final[Mapping[str, type[_Strict]]] = {
    EventKind.POLICY_EFFECTIVE: EffectiveData,
    EventKind.PREMIUM_DUE: PremiumDueData,
    EventKind.PREMIUM_RECEIVED: PremiumReceivedData,
    EventKind.CLAIM_REPORTED: ClaimReportedData,
    EventKind.CLAIM_REVIEWED: ClaimReviewedData,
    EventKind.BENEFIT_PAID: BenefitPaidData,
    EventKind.POLICY_CHANGED: PolicyChangedData,
    EventKind.POLICY_LAPSED: EndedData,
    EventKind.POLICY_TERMINATED: EndedData,
}


class PolicyEventIn(_Strict):
    """One policy service event as the core system sends it."""

    event_id: Identifier40 = Field(
        description="the sending system's event id; a re-sent id is taken once",
        examples=["E2026-000001"],
    )
    policy_no: Identifier40 = Field(examples=["P2026110001"])
    application_no: Identifier40 | None = Field(
        None, description="policy_effective only: the application that becomes the policy"
    )
    kind: Literal[
        "policy_effective",
        "premium_due",
        "premium_received",
        "claim_reported",
        "claim_reviewed",
        "benefit_paid",
        "policy_changed",
        "policy_lapsed",
        "policy_terminated",
    ]
    occurred_on: EventDate
    data: dict[str, Any] = Field(default_factory=dict)


def parse_policy_event(raw: object) -> dict[str, Any]:
    """The event as the schema reads it (``data`` validated against its kind's schema, only
    the fields given), or :class:`Rejected` with every problem."""
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("", "不是一条保单事件", "not a policy event")])
    try:
        model = PolicyEventIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected(describe(exc.errors(include_url=False))) from None
    record = model.model_dump(exclude_unset=True)
    record.setdefault("data", {})
    problems: list[Problem] = []
    kind = str(model.kind)
    if kind == EventKind.POLICY_EFFECTIVE and not model.application_no:
        problems.append(
            Problem(
                "application_no",
                "保单生效事件须注明投保单号",
                "a policy_effective event names its application_no",
            )
        )
    if kind != EventKind.POLICY_EFFECTIVE and model.application_no:
        problems.append(
            Problem(
                "application_no",
                "只有保单生效事件带投保单号",
                "only a policy_effective event carries an application_no",
            )
        )
    data_schema: type[BaseModel] = DATA[kind]
    try:
        data = data_schema.model_validate(model.data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("data", *e.get("loc", ()))} for e in exc.errors(include_url=False)]
        problems.extend(describe(errors))
    else:
        record["data"] = data.model_dump(exclude_unset=True)
        if kind == EventKind.BENEFIT_PAID and not (
            record["data"].get("claim_no") or record["data"].get("benefit")
        ):
            problems.append(
                Problem(
                    "data.claim_no",
                    "保险金给付须注明赔案号或给付项目",
                    "a benefit payment names its claim_no or its benefit",
                )
            )
    if problems:
        raise Rejected(problems)
    return record
