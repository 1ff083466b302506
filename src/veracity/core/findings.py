"""Findings: the explained answer of every rule (convention 6).

A finding carries a stable ``code``, the ``field`` path it is about, a severity, a message
in plain Chinese and English, and the evidence. Evidence never contains a full ID, phone
or account number: only masked values or derived facts (expected check digit, lengths,
dates read from the number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "CATALOGUE",
    "NAMES",
    "Finding",
    "Severity",
    "field_label",
    "field_words",
    "finding",
    "finding_name",
    "role_of",
]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    field: str
    severity: Severity
    message_zh: str
    message_en: str
    evidence: Mapping[str, object]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "field": self.field,
            "severity": str(self.severity),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "evidence": dict(self.evidence),
        }


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

#: code -> (severity, zh template, en template). Templates may use ``{role_zh}``,
#: ``{role_en}``, ``{label_zh}``, ``{label_en}`` and any evidence key.
CATALOGUE: Final[Mapping[str, tuple[Severity, str, str]]] = MappingProxyType(
    {
        "MISSING_FIELD": (
            E,
            "{role_zh}{label_zh}未填写，请补充",
            "{role_en} {label_en} is missing; please ask the customer to supplement it",
        ),
        "FIELD_FORMAT": (
            E,
            "{role_zh}{label_zh}格式不正确（{problem_zh}）",
            "{role_en} {label_en} is not in a valid format ({problem_en})",
        ),
        "ID_FORMAT": (
            E,
            "{role_zh}证件号码格式不正确（{doc_zh}：{expected_zh}）",
            "{role_en} ID number has the wrong format ({doc_en}: {expected_en})",
        ),
        "ID_CHECKSUM": (
            E,
            "{role_zh}身份证号码校验位错误（应为 {expected}）",
            "{role_en} ID number check digit is wrong (expected {expected})",
        ),
        "ID_BIRTH_DATE": (
            E,
            "{role_zh}证件号码中的出生日期不合理（{problem_zh}）",
            "{role_en} ID number contains an impossible birth date ({problem_en})",
        ),
        "ID_SEX_MISMATCH": (
            E,
            "{role_zh}填写的性别（{declared_zh}）与身份证号码不符（号码显示为{from_id_zh}）",
            "{role_en} declared sex ({declared}) does not match the ID number "
            "(which says {from_id})",
        ),
        "ID_BIRTH_MISMATCH": (
            E,
            "{role_zh}填写的出生日期（{declared}）与身份证号码不符（号码显示为 {from_id}）",
            "{role_en} declared birth date ({declared}) does not match the ID number ({from_id})",
        ),
        "ID_REGION_UNKNOWN": (
            W,
            "{role_zh}身份证号码的地址码 {region_code} 不在行政区划代码表中，请核实",
            "{role_en} ID number region code {region_code} is not in the table of "
            "administrative divisions; please verify",
        ),
        "ID_PROVINCE_UNKNOWN": (
            E,
            "{role_zh}身份证号码的省份代码 {province_code} 不存在",
            "{role_en} ID number province code {province_code} does not exist",
        ),
        # D1.6: the register already knows this identity document under another name, sex
        # or birth date. An error: underwriting on an identity that may be false must wait
        # until customer service has checked it (the file is never overwritten silently).
        "IDENTITY_CHANGED": (
            E,
            "{role_zh}{label_zh}与客户档案中同一证件号码登记的不一致（可能冒用他人身份），"
            "客户档案未作修改，已转客户服务核实",
            "{role_en} {label_en} differs from the customer file held under the same ID "
            "number (possibly a false identity); the file was not changed and customer "
            "service will verify it",
        ),
        "PHONE_INVALID": (
            E,
            "{role_zh}联系电话 {masked} 不是有效的电话号码",
            "{role_en} phone number {masked} is not a valid phone number",
        ),
        "EMAIL_INVALID": (
            W,
            "{role_zh}电子邮箱 {masked} 格式不正确",
            "{role_en} e-mail address {masked} is not valid",
        ),
        "ACCOUNT_FORMAT": (
            E,
            "{role_zh}银行账号格式不正确（{problem_zh}）",
            "{role_en} bank account number is not valid ({problem_en})",
        ),
        "ACCOUNT_LUHN": (
            W,
            "{role_zh}银行卡号 {masked} 未通过卡号校验，请核实是否录入有误",
            "{role_en} bank card number {masked} fails the card check (Luhn); "
            "please verify it was typed correctly",
        ),
        "OUT_OF_SCOPE": (
            INFO,
            "该产品（{product_type}，期限 {term_years} 年）不属于真实性校验范围，直接通过",
            "This product ({product_type}, term {term_years} years) is outside the scope of "
            "the truthfulness gate and passes unchecked",
        ),
        "PRODUCT_UNKNOWN": (
            E,
            "产品类型 {product_type} 无法识别，不能判断是否属于校验范围",
            "Product type {product_type} is not recognised; cannot tell whether the gate applies",
        ),
        # SF-1 (D1.9, D1.10): the seller must hold sales qualification on the application
        # date; an application from an unqualified seller is refused automatic underwriting.
        "SELLER_UNQUALIFIED": (
            E,
            "销售人员 {seller_code} 在投保日期不具备销售资格（{missing_zh}），不能自动核保",
            "Seller {seller_code} does not hold sales qualification on the application date "
            "({missing_en}); automatic underwriting is blocked",
        ),
        "SELLER_UNKNOWN": (
            W,
            "销售人员 {seller_code} 不在销售人员名册中，无法核实其销售资格",
            "Seller {seller_code} is not in the seller register; their sales qualification "
            "cannot be verified",
        ),
    }
)

_ROLES: Final[Mapping[str, tuple[str, str]]] = {
    "policyholder": ("投保人", "Policyholder"),
    "insured": ("被保险人", "Insured"),
    "beneficiaries": ("受益人", "Beneficiary"),
    "payer_account": ("付款账户持有人", "Payer account holder"),
    "product": ("", "Product"),
    "seller": ("销售人员", "Seller"),
}

_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "name": ("姓名", "name"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "birth date"),
    "id_type": ("证件类型", "ID type"),
    "id_number": ("证件号码", "ID number"),
    "holder_id_number": ("证件号码", "ID number"),
    "holder_id_type": ("证件类型", "ID type"),
    "holder_name": ("姓名", "name"),
    "address": ("联系地址", "contact address"),
    "phones": ("联系电话", "phone"),
    "email": ("电子邮箱", "e-mail"),
    "number": ("银行账号", "account number"),
    "type": ("产品类型", "product type"),
    "term_years": ("保险期间", "term"),
    "applied_on": ("投保日期", "application date"),
    "relation": ("与投保人关系", "relation to policyholder"),
    "share": ("受益份额", "benefit share"),
    "beneficiaries": ("受益人", "beneficiaries"),
    "product": ("产品信息", "product"),
    "application": ("投保单", "application"),
    "code": ("编号", "code"),
}


def field_words(field: str, language: str) -> str:
    """A field path in words: ``payer_account.number`` -> 付款账户持有人银行账号."""
    zh_role, en_role = role_of(field)
    zh_label, en_label = field_label(field)
    own = _INDEX.sub("", field.rsplit(".", 1)[-1])
    if language.lower().startswith("zh"):
        return (zh_role + (zh_label if zh_label != own else "")) or "其他信息"
    return " ".join(part for part in (en_role, en_label) if part) or "other information"


_INDEX = re.compile(r"\[(\d+)\]")


def role_of(field: str) -> tuple[str, str]:
    """The role (zh, en) a field path belongs to: ``beneficiaries[1].id_number`` -> 受益人2."""
    head = field.split(".", 1)[0]
    m = _INDEX.search(head)
    base = _INDEX.sub("", head)
    zh, en = _ROLES.get(base, ("", ""))
    if m and base == "beneficiaries":
        n = int(m.group(1)) + 1
        return f"{zh}{n}", f"{en} {n}"
    return zh, en


def field_label(field: str) -> tuple[str, str]:
    """The label (zh, en) of the last segment of a field path."""
    last = _INDEX.sub("", field.rsplit(".", 1)[-1])
    return _LABELS.get(last, (last, last.replace("_", " ")))


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> object:
        return "?"


def finding(
    code: str, field: str, *, role_zh: str = "", role_en: str = "", **evidence: object
) -> Finding:
    """Build a finding from the catalogue; roles and labels come from the field path.

    ``role_zh``/``role_en`` override the role derived from the field path and are used in
    the message only. Evidence keys ending in ``_zh``/``_en`` are message helpers and are
    also kept as evidence.
    """
    severity, zh, en = CATALOGUE[code]
    d_zh, d_en = role_of(field)
    l_zh, l_en = field_label(field)
    values = _Blank(evidence)
    values["role_zh"] = role_zh or d_zh
    values["role_en"] = role_en or d_en or "Applicant"
    values["label_zh"] = l_zh
    values["label_en"] = l_en
    message_en = en.format_map(values).strip()
    if message_en:
        message_en = message_en[0].upper() + message_en[1:]
    return Finding(
        code=code,
        field=field,
        severity=severity,
        message_zh=zh.format_map(values),
        message_en=message_en,
        evidence=MappingProxyType(dict(evidence)),
    )


#: code -> (zh, en): a finding's short name, for charts and lists where the full message (which
#: needs the field and the evidence) does not fit. Screens show these words, never the code.
NAMES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "MISSING_FIELD": ("必填项未填写", "Required field missing"),
        "FIELD_FORMAT": ("填写格式不正确", "Field in a wrong format"),
        "ID_FORMAT": ("证件号码格式不正确", "ID number in a wrong format"),
        "ID_CHECKSUM": ("身份证校验位错误", "ID check digit wrong"),
        "ID_BIRTH_DATE": ("证件出生日期不合理", "Impossible birth date in the ID"),
        "ID_SEX_MISMATCH": ("性别与身份证不符", "Sex differs from the ID"),
        "ID_BIRTH_MISMATCH": ("出生日期与身份证不符", "Birth date differs from the ID"),
        "ID_REGION_UNKNOWN": ("身份证地址码未知", "Unknown ID region code"),
        "ID_PROVINCE_UNKNOWN": ("身份证省份代码不存在", "Unknown ID province code"),
        "IDENTITY_CHANGED": ("身份与客户档案不一致", "Identity differs from the file"),
        "PHONE_INVALID": ("电话号码无效", "Invalid phone number"),
        "EMAIL_INVALID": ("电子邮箱格式不正确", "Invalid e-mail address"),
        "ACCOUNT_FORMAT": ("银行账号格式不正确", "Bank account in a wrong format"),
        "ACCOUNT_LUHN": ("银行卡号校验未通过", "Bank card check failed"),
        "OUT_OF_SCOPE": ("不属于校验范围", "Outside the gate's scope"),
        "PRODUCT_UNKNOWN": ("产品类型无法识别", "Unknown product type"),
        "SELLER_UNQUALIFIED": ("销售人员不具备销售资格", "Seller not qualified"),
        "SELLER_UNKNOWN": ("销售人员不在名册中", "Seller not in the register"),
    }
)


def finding_name(code: str, *, chinese: bool) -> str:
    """A finding's short name in Chinese or English; an unknown code gets a neutral word, not
    the code itself (the code belongs in a tooltip at most)."""
    zh, en = NAMES.get(code, ("其他问题", "Other finding"))
    return zh if chinese else en
