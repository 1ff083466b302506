"""The words of verified inquiry on screens and in the export, in both languages (zh, en):
channels, roles, the sections of what may be told, the kinds of third-party basis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

CHANNEL_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "phone": ("电话", "Phone"),
    "counter": ("柜面", "Counter"),
    "web": ("网站自助", "Web self-service"),
}
ROLE_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "policyholder": ("投保人", "Policyholder"),
    "insured": ("被保险人", "Insured"),
    "beneficiary": ("受益人", "Beneficiary"),
    "third_party": ("第三方", "Third party"),
}
#: The sections in the order the answer page shows them.
SECTION_ORDER: Final = ("policy", "coverage", "premiums", "claims", "changes", "payer")
SECTION_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "policy": ("保单信息", "Policy data"),
    "coverage": ("保障内容", "Coverage"),
    "premiums": ("保费缴纳情况", "Premium status"),
    "claims": ("理赔及保险金给付", "Claims and benefit payments"),
    "changes": ("保全记录", "Policy-service history"),
    "payer": ("缴费账户", "Payer account"),
}
PREMIUM_STATUS_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "paid": ("已缴清", "paid"),
    "due": ("待缴", "due"),
    "overdue": ("逾期未缴", "overdue"),
    "": ("暂无保费记录", "no premium on record"),
}
BASIS_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "consent": ("当事人授权", "Consent of a party"),
    "court": ("法院调查令或裁定", "Court order"),
    "regulator": ("监管机构调取", "Regulator request"),
    "police": ("公安机关协查", "Public security request"),
    "other": ("其他法定依据", "Other legal basis"),
}
BASIS_STATUS_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "pending": ("待审批", "Awaiting approval"),
    "in_force": ("有效", "In force"),
    "rejected": ("已退回", "Rejected"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
