"""The words of sales-force conduct (D1.14, D1.22–D1.24), in one place: why a seller or an
agency is penalised, what the measure is, what a complaint is about, what a second callback
(回访) found, and what compliance records. Pure data: the apps store the codes, the pages and
reports show the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "AGENCY_MEASURES",
    "AGENCY_REASONS",
    "CALLBACK_RESULT_WORDS",
    "COMPLAINT_CATEGORY_WORDS",
    "COMPLIANCE_ACTION_WORDS",
    "FALSE_DATA_REASONS",
    "MEASURE_WORDS",
    "REASON_WORDS",
    "SELLER_MEASURES",
    "SELLER_REASONS",
    "TERMINATING_MEASURES",
    "CallbackResult",
    "ComplaintCategory",
    "ComplianceActionKind",
    "Measure",
    "Reason",
]


class Reason(StrEnum):
    """Why a penalty is decided (D1.14, D1.22, D1.23)."""

    FALSE_DATA = "false_data"  # 提供虚假客户资料
    INCOMPLETE_DATA = "incomplete_data"  # 提供不完整客户资料
    SUBSTITUTED_CONTACT = "substituted_contact"  # 以本人/亲属/机构联系方式替代
    REFUSED_TRUE_DATA = "refused_true_data"  # 拒绝提供客户真实资料 (agencies, D1.23)
    MISSELLING = "misselling"  # 销售误导
    OTHER = "other"


REASON_WORDS: Final[Mapping[Reason, tuple[str, str]]] = MappingProxyType(
    {
        Reason.FALSE_DATA: ("提供虚假客户资料", "Supplied false customer data"),
        Reason.INCOMPLETE_DATA: ("提供不完整客户资料", "Supplied incomplete customer data"),
        Reason.SUBSTITUTED_CONTACT: (
            "以本人、亲属或机构联系方式替代客户联系方式",
            "Put own, a relative's or the agency's contact in place of the customer's",
        ),
        Reason.REFUSED_TRUE_DATA: (
            "拒绝提供客户真实资料",
            "Refused to supply the customers' true data",
        ),
        Reason.MISSELLING: ("销售误导", "Misselling"),
        Reason.OTHER: ("其他", "Other"),
    }
)

#: The reasons the quarterly regulator report counts as false data (D1.22, D1.23).
FALSE_DATA_REASONS: Final = frozenset({Reason.FALSE_DATA, Reason.SUBSTITUTED_CONTACT})
#: Refusing to supply true data is an agency's offence (D1.23).
AGENCY_REASONS: Final = frozenset(Reason)
SELLER_REASONS: Final = frozenset(Reason) - {Reason.REFUSED_TRUE_DATA}


class Measure(StrEnum):
    """What is done (D1.22: commission, promotion, termination; D1.23 for agencies)."""

    WARNING = "warning"
    COMMISSION_DEDUCTION = "commission_deduction"
    DEMOTION = "demotion"
    CONTRACT_TERMINATION = "contract_termination"
    COOPERATION_SUSPENSION = "cooperation_suspension"
    COOPERATION_TERMINATION = "cooperation_termination"


MEASURE_WORDS: Final[Mapping[Measure, tuple[str, str]]] = MappingProxyType(
    {
        Measure.WARNING: ("警告", "Warning"),
        Measure.COMMISSION_DEDUCTION: ("扣减佣金", "Commission deduction"),
        Measure.DEMOTION: ("降级", "Demotion"),
        Measure.CONTRACT_TERMINATION: ("解除合同", "Contract termination"),
        Measure.COOPERATION_SUSPENSION: ("暂停合作", "Cooperation suspended"),
        Measure.COOPERATION_TERMINATION: ("终止合作", "Cooperation terminated"),
    }
)

SELLER_MEASURES: Final = frozenset(
    {
        Measure.WARNING,
        Measure.COMMISSION_DEDUCTION,
        Measure.DEMOTION,
        Measure.CONTRACT_TERMINATION,
    }
)
AGENCY_MEASURES: Final = frozenset(
    {
        Measure.WARNING,
        Measure.COMMISSION_DEDUCTION,
        Measure.COOPERATION_SUSPENSION,
        Measure.COOPERATION_TERMINATION,
    }
)
#: Measures that end the seller's right to sell (qualification ends on the decision date).
TERMINATING_MEASURES: Final = frozenset(
    {Measure.CONTRACT_TERMINATION, Measure.COOPERATION_TERMINATION}
)


class ComplaintCategory(StrEnum):
    MISSELLING = "misselling"
    SERVICE = "service"
    CLAIMS = "claims"
    OTHER = "other"


COMPLAINT_CATEGORY_WORDS: Final[Mapping[ComplaintCategory, tuple[str, str]]] = MappingProxyType(
    {
        ComplaintCategory.MISSELLING: ("销售误导", "Misselling"),
        ComplaintCategory.SERVICE: ("服务", "Service"),
        ComplaintCategory.CLAIMS: ("理赔", "Claims"),
        ComplaintCategory.OTHER: ("其他", "Other"),
    }
)


class CallbackResult(StrEnum):
    """What a second callback (再次回访) of a re-checked policy found (D1.14)."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    DATA_CONFIRMED = "data_confirmed"
    DATA_CORRECTED = "data_corrected"
    MISSELLING_CONFIRMED = "misselling_confirmed"


CALLBACK_RESULT_WORDS: Final[Mapping[CallbackResult, tuple[str, str]]] = MappingProxyType(
    {
        CallbackResult.REACHED: ("已接通", "Reached"),
        CallbackResult.NOT_REACHED: ("未接通", "Not reached"),
        CallbackResult.DATA_CONFIRMED: ("客户资料经确认无误", "Data confirmed"),
        CallbackResult.DATA_CORRECTED: ("客户资料已更正", "Data corrected"),
        CallbackResult.MISSELLING_CONFIRMED: ("确认存在销售误导", "Misselling confirmed"),
    }
)


class ComplianceActionKind(StrEnum):
    """What compliance records against a dishonest seller, agency or department (D1.24)."""

    CRITICISM = "criticism"  # 批评
    RECTIFICATION = "rectification"  # 整改要求
    COMMITTEE_REFERRAL = "committee_referral"  # 提交合规委员会评议


COMPLIANCE_ACTION_WORDS: Final[Mapping[ComplianceActionKind, tuple[str, str]]] = MappingProxyType(
    {
        ComplianceActionKind.CRITICISM: ("批评", "Criticism"),
        ComplianceActionKind.RECTIFICATION: ("整改要求", "Rectification demand"),
        ComplianceActionKind.COMMITTEE_REFERRAL: (
            "提交合规委员会评议",
            "Referral to the compliance committee",
        ),
    }
)
