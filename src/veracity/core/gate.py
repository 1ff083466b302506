"""The customer-data truthfulness gate (D1.2–D1.6, TG-1…TG-4).

``evaluate(application, as_of=...)`` is the one rule set used by the real-time API, the
bancassurance interface, file imports and the legacy back-check. It never raises: bad
or missing input becomes findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from veracity.core.accounts import check_account
from veracity.core.completeness import (
    check_completeness,
    insured_is_policyholder,
    is_blank,
    parse_date,
)
from veracity.core.contact import check_email, check_phone, normalise_phone
from veracity.core.findings import Finding, Severity, finding
from veracity.core.identity import check_declared, check_id, infer_id_type
from veracity.core.qualification import MISSING_WORDS, SellerSnapshot

__all__ = [
    "IN_SCOPE_TYPES",
    "KNOWN_PRODUCT_TYPES",
    "Verdict",
    "evaluate",
    "in_scope",
    "normalise_sex",
]

#: TG-1: individual life insurance of one year or more.
IN_SCOPE_TYPES: Final = frozenset(
    {"participating", "investment_linked", "universal", "ordinary_life", "accident", "health"}
)
KNOWN_PRODUCT_TYPES: Final = IN_SCOPE_TYPES | {"other"}


@dataclass(frozen=True, slots=True)
class Verdict:
    application_no: str | None
    verdict: str  # "pass" | "fail"
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> bool:
        """True when underwriting must not pass (an error was found)."""
        return self.verdict == "fail"

    def to_dict(self) -> dict[str, object]:
        return {
            "application_no": self.application_no,
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
        }


_SEX: Final[dict[str, str]] = {
    "M": "M",
    "F": "F",
    "m": "M",
    "f": "F",
    "男": "M",
    "女": "F",
    "male": "M",
    "female": "F",
    "Male": "M",
    "Female": "F",
    "MALE": "M",
    "FEMALE": "F",
}


def normalise_sex(value: object) -> str | None:
    """ "M"/"F" for the accepted spellings (M/F, 男/女, male/female); else ``None``."""
    if not isinstance(value, str):
        return None
    s = _SEX.get(value)
    if s is None:
        s = _SEX.get(value.strip().lower())
    return s


def _format(field: str, zh: str, en: str) -> Finding:
    return finding("FIELD_FORMAT", field, problem_zh=zh, problem_en=en)


def _term(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def in_scope(product: object, out: list[Finding]) -> bool:
    """TG-1 scope. Appends OUT_OF_SCOPE (info) or product problems to ``out``."""
    if not (type(product) is dict or isinstance(product, Mapping)):
        out.append(finding("MISSING_FIELD", "product.type"))
        return True
    ptype = product.get("type")
    term_raw = product.get("term_years")
    term = None if term_raw is None or term_raw == "" else _term(term_raw)
    if term_raw not in (None, "") and term is None:
        out.append(_format("product.term_years", "应为年数", "expected a number of years"))
    if is_blank(ptype):
        out.append(finding("MISSING_FIELD", "product.type"))
        return True
    if ptype not in KNOWN_PRODUCT_TYPES:
        out.append(finding("PRODUCT_UNKNOWN", "product.type", product_type=str(ptype)[:40]))
        return True
    if ptype not in IN_SCOPE_TYPES or (term is not None and term < 1):
        out.append(
            finding(
                "OUT_OF_SCOPE",
                "product",
                product_type=str(ptype),
                term_years=term_raw if term_raw is not None else "?",
            )
        )
        return False
    return True


def _person(
    block: Mapping[str, Any],
    prefix: str,
    ref: date,
    as_of: date,
    out: list[Finding],
) -> None:
    """Formats, ID rules and declared-vs-ID consistency of one person block."""
    raw_sex = block.get("sex")
    sex = None
    if raw_sex is not None and raw_sex != "":
        sex = normalise_sex(raw_sex)
        if sex is None:
            out.append(_format(prefix + ".sex", "应为男或女", "expected M or F"))
    raw_birth = block.get("birth_date")
    birth = None
    if raw_birth is not None and raw_birth != "":
        birth = parse_date(raw_birth)
        if birth is None:
            out.append(_format(prefix + ".birth_date", "应为日期，如1985-03-14", "expected a date"))
        elif birth > ref:
            out.append(
                _format(prefix + ".birth_date", "晚于投保日期", "after the application date")
            )
            birth = None
    number = block.get("id_number")
    if number is not None and not is_blank(number):
        facts, found = check_id(
            block.get("id_type") or infer_id_type(number),
            number if isinstance(number, str) else str(number),
            as_of=as_of,
            field=prefix + ".id_number",
        )
        if found:
            out.extend(found)
        if facts is not None and facts.birth_date is not None:
            mismatch = check_declared(facts, sex=sex, birth_date=birth, field_prefix=prefix)
            if mismatch:
                out.extend(mismatch)
    phones = block.get("phones")
    if phones is not None:
        if isinstance(phones, str):
            phones = [phones]
        if isinstance(phones, list | tuple):
            for i, phone in enumerate(phones):
                if phone is None or is_blank(phone):
                    continue
                text = phone if type(phone) is str else str(phone)
                if normalise_phone(text).valid:
                    continue
                out.extend(check_phone(text, field=f"{prefix}.phones[{i}]")[1])
        else:
            out.append(_format(prefix + ".phones", "应为电话号码列表", "expected a list"))
    email = block.get("email")
    if email is not None and not is_blank(email):
        out.extend(check_email(str(email), field=prefix + ".email"))


def person_findings(block: Mapping[str, Any], *, prefix: str, as_of: date) -> list[Finding]:
    """The gate's checks of one person on their own (formats, ID rules, declared sex and
    birth date against the ID number) — what a corrected customer file is re-checked with."""
    out: list[Finding] = []
    _person(block, prefix, as_of, as_of, out)
    return out


#: Optional dates of the policy the policy-administration system may send along: the end of
#: the cooling-off period (犹豫期) and the date the cooling-off callback (回访) is due.
POLICY_DATES: Final = ("cooling_off_ends_on", "callback_due_on")


def _seller(app: Mapping[str, Any], ref: date, sellers: SellerSnapshot, out: list[Finding]) -> None:
    """SF-1: the application's seller must be in the register and hold sales qualification
    on the application date (``core.qualification``)."""
    block = app.get("seller")
    if not (type(block) is dict or isinstance(block, Mapping)):
        return
    code = block.get("code")
    if not isinstance(code, str) or not code.strip():
        return
    code = code.strip()
    held = sellers.qualification(code, on=ref)
    if held is None:
        out.append(finding("SELLER_UNKNOWN", "seller.code", seller_code=code[:32]))
    elif not held.holds:
        out.append(
            finding(
                "SELLER_UNQUALIFIED",
                "seller.code",
                seller_code=code,
                missing=list(held.missing),
                missing_zh="、".join(MISSING_WORDS[m][0] for m in held.missing),
                missing_en=", ".join(MISSING_WORDS[m][1] for m in held.missing),
            )
        )


def _evaluate(
    app: Mapping[str, Any], as_of: date, out: list[Finding], sellers: SellerSnapshot | None
) -> None:
    if not in_scope(app.get("product"), out):
        return
    raw_applied = app.get("applied_on")
    applied_on = parse_date(raw_applied)
    for name in ("applied_on", *POLICY_DATES):
        raw = app.get(name)
        if raw not in (None, "") and parse_date(raw) is None:
            out.append(_format(name, "应为日期，如2026-11-26", "expected a date"))
    ref = applied_on or as_of
    out.extend(check_completeness(app, applied_on=ref))

    ph = app.get("policyholder")
    if type(ph) is dict or isinstance(ph, Mapping):
        _person(ph, "policyholder", ref, as_of, out)
    elif ph is not None:
        out.append(_format("policyholder", "应为投保人信息", "expected a record"))

    ins = app.get("insured")
    if type(ins) is dict or isinstance(ins, Mapping):
        if not insured_is_policyholder(app):
            _person(ins, "insured", ref, as_of, out)
    elif ins is not None:
        out.append(_format("insured", "应为被保险人信息", "expected a record"))

    bens = app.get("beneficiaries")
    if isinstance(bens, list | tuple):
        for i, ben in enumerate(bens):
            if not (type(ben) is dict or isinstance(ben, Mapping)):
                out.append(_format(f"beneficiaries[{i}]", "应为受益人信息", "expected a record"))
                continue
            number = ben.get("id_number")
            if number is not None and not is_blank(number):
                _, found = check_id(
                    ben.get("id_type") or infer_id_type(number),
                    str(number),
                    as_of=as_of,
                    field=f"beneficiaries[{i}].id_number",
                )
                out.extend(found)
    elif bens is not None and bens != "":
        out.append(_format("beneficiaries", "应为受益人列表", "expected a list"))

    acct = app.get("payer_account")
    if type(acct) is dict or isinstance(acct, Mapping):
        number = acct.get("number")
        if number is not None and not is_blank(number):
            _, found = check_account(str(number), field="payer_account.number")
            out.extend(found)
        holder = acct.get("holder_id_number")
        if holder is not None and not is_blank(holder):
            _, found = check_id(
                acct.get("holder_id_type") or infer_id_type(holder),
                str(holder),
                as_of=as_of,
                field="payer_account.holder_id_number",
            )
            out.extend(found)
    elif acct is not None and acct != "":
        out.append(_format("payer_account", "应为付款账户信息", "expected a record"))

    if sellers is not None:
        _seller(app, ref, sellers, out)


def evaluate(
    app: Mapping[str, Any], *, as_of: date, sellers: SellerSnapshot | None = None
) -> Verdict:
    """The gate's verdict: "fail" iff any finding is an error. Never raises.

    ``sellers`` is the seller register's snapshot (``sales.qualification.snapshot()``, built
    once for many applications): with it, the seller's sales qualification on the
    application date is checked (``SELLER_UNQUALIFIED``, ``SELLER_UNKNOWN``); without it
    (a caller that has no register) it is not."""
    if not (type(app) is dict or isinstance(app, Mapping)):
        f = _format("application", "不是投保单数据", "not an application record")
        return Verdict(None, "fail", (f,))
    no = app.get("application_no")
    application_no = None if no is None else str(no)
    out: list[Finding] = []
    _evaluate(app, as_of, out, sellers)
    verdict = "pass"
    for f in out:
        if f.severity is Severity.ERROR:
            verdict = "fail"
            break
    return Verdict(application_no, verdict, tuple(out))
