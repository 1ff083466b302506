"""The rules of a penalty on a seller or an agency (D1.14, D1.22, D1.23), pure: which reasons
and measures each kind of seller may be given, when an amount is needed, the step plan of its
approval and the key an imported penalty is recognised by. The words are
:mod:`veracity.core.conduct`'s.

- An agency may be penalised for every reason; an agent or a bancassurance specialist for
  every reason but refusing to supply the customers' true data (an agency's offence, D1.23).
- A seller's measures are a warning, a commission deduction, a demotion or the termination of
  the contract; an agency's a warning, a commission deduction, the suspension or the
  termination of the cooperation.
- A commission deduction names its amount (more than nothing); no other measure has one.
- The head of the proposer's department approves; a measure that ends the right to sell also
  needs the general manager, after the head.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from veracity.core.approvals import DEPARTMENT_HEAD, Plan, Step, Who
from veracity.core.conduct import (
    AGENCY_MEASURES,
    AGENCY_REASONS,
    SELLER_MEASURES,
    SELLER_REASONS,
    TERMINATING_MEASURES,
    Measure,
    Reason,
)
from veracity.core.refusals import Kind, Refusal, register

__all__ = [
    "GENERAL_MANAGER",
    "MAX_AMOUNT",
    "PenaltyFacts",
    "amount_parse",
    "import_key",
    "penalty_plan",
    "penalty_refusal",
]

register(
    {
        "penalty.reason": (Kind.INVALID, "处罚原因不明", "unknown reason for the penalty"),
        "penalty.agency_reason": (
            Kind.INVALID,
            "“拒绝提供客户真实资料”只适用于代理机构",
            "refusing to supply the customers' true data is a reason for agencies only",
        ),
        "penalty.measure": (Kind.INVALID, "处罚措施不明", "unknown measure"),
        "penalty.measure_kind": (
            Kind.INVALID,
            "该处罚措施不适用于{kind_zh}",
            "this measure does not apply to {kind_en}",
        ),
        "penalty.amount_required": (
            Kind.INVALID,
            "扣减佣金须写明金额（大于零）",
            "a commission deduction names its amount (more than zero)",
        ),
        "penalty.amount_invalid": (
            Kind.INVALID,
            "金额应为不超过{limit}元、最多两位小数的数",
            "the amount is a number up to {limit} yuan with at most two decimals",
        ),
        "penalty.amount_not_allowed": (
            Kind.INVALID,
            "只有扣减佣金才写金额",
            "only a commission deduction has an amount",
        ),
    }
)

#: The largest amount a deduction may name (the model keeps 12 digits, 2 decimals).
MAX_AMOUNT: Final = Decimal("9999999999.99")

GENERAL_MANAGER: Final = Step(
    "general_manager",
    Who.ROLE,
    frozenset({"general_manager"}),
    "总经理",
    "General manager",
)
#: The proposer's department head (销售渠道管理部 for channel management's proposals).
PROPOSER_HEAD: Final = Step(
    DEPARTMENT_HEAD.name,
    Who.DEPARTMENT_HEAD,
    label_zh="提议人部门负责人",
    label_en="Proposer's department head",
)


@dataclass(frozen=True, slots=True)
class PenaltyFacts:
    """What the rules need of a penalty: whether it is on an agency, why, what."""

    agency: bool
    reason: str
    measure: str
    amount: Decimal | None = None


def amount_parse(value: object) -> Decimal | None:
    """The amount as typed or imported (None when blank); ``Refusal("penalty.amount_invalid")``
    for anything that is not a plain decimal number of yuan within :data:`MAX_AMOUNT`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Refusal("penalty.amount_invalid", "amount", limit=MAX_AMOUNT)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Refusal("penalty.amount_invalid", "amount", limit=MAX_AMOUNT) from None
    exponent = amount.as_tuple().exponent
    if (
        not amount.is_finite()
        or not isinstance(exponent, int)
        or exponent < -2
        or abs(amount) > MAX_AMOUNT
    ):
        raise Refusal("penalty.amount_invalid", "amount", limit=MAX_AMOUNT)
    return amount


def penalty_refusal(facts: PenaltyFacts) -> Refusal | None:
    """Why these facts are not a penalty that may be decided, or None."""
    try:
        reason = Reason(facts.reason)
    except ValueError:
        return Refusal("penalty.reason", "reason")
    if reason not in (AGENCY_REASONS if facts.agency else SELLER_REASONS):
        return Refusal("penalty.agency_reason", "reason")
    try:
        measure = Measure(facts.measure)
    except ValueError:
        return Refusal("penalty.measure", "measure")
    if measure not in (AGENCY_MEASURES if facts.agency else SELLER_MEASURES):
        return Refusal(
            "penalty.measure_kind",
            "measure",
            kind_zh="代理机构" if facts.agency else "销售人员",
            kind_en="agencies" if facts.agency else "sellers",
        )
    if measure is Measure.COMMISSION_DEDUCTION:
        if facts.amount is None or facts.amount <= 0:
            return Refusal("penalty.amount_required", "amount")
    elif facts.amount is not None:
        return Refusal("penalty.amount_not_allowed", "amount")
    return None


def penalty_plan(measure: str) -> Plan:
    """The head of the proposer's department; for a terminating measure then the general
    manager too."""
    if measure in TERMINATING_MEASURES:
        return Plan.ordered(PROPOSER_HEAD, GENERAL_MANAGER)
    return Plan.ordered(PROPOSER_HEAD)


def import_key(seller_code: str, decided_on: date, reason: str, measure: str) -> str:
    """An imported penalty is the same penalty when its seller, date, reason and measure are
    the same (a file may be loaded again)."""
    text = "\x1f".join((seller_code, decided_on.isoformat(), reason, measure))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
