"""Phones, e-mail and addresses: validity and normalised forms for duplicate keys (SD-1).

Phone validity comes from ``phonenumbers``. The common shape — an 11-digit Chinese
mobile number, possibly with +86/0086 and separators — takes a fast path built from
phonenumbers' own metadata, so it gives the same answer (a property test compares them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import phonenumbers
from phonenumbers import PhoneNumberType

from veracity.core.findings import Finding, finding

__all__ = [
    "PhoneFacts",
    "check_email",
    "check_phone",
    "normalise_address",
    "normalise_email",
    "normalise_phone",
    "normalise_phone_slow",
]


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    e164: str | None
    valid: bool
    kind: str  # "mobile" | "fixed" | "unknown"


_CN: Final = phonenumbers.PhoneMetadata.metadata_for_region("CN")
assert _CN is not None and _CN.mobile is not None
_MOBILE: Final = re.compile(str(_CN.mobile.national_number_pattern))
_SEPARATORS: Final = str.maketrans("", "", " -()\t.\u00a0\u3000")
_KINDS: Final = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
}


def normalise_phone_slow(raw: str, region: str = "CN") -> PhoneFacts:
    """The answer of ``phonenumbers`` alone (reference for the fast path)."""
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return PhoneFacts(None, False, "unknown")
    if not phonenumbers.is_valid_number(num):
        return PhoneFacts(None, False, "unknown")
    kind = _KINDS.get(phonenumbers.number_type(num), "unknown")
    return PhoneFacts(
        phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), True, kind
    )


@lru_cache(maxsize=262_144)
def normalise_phone(raw: str, region: str = "CN") -> PhoneFacts:
    """Validity, E.164 form and kind of a phone number. Never raises."""
    if not isinstance(raw, str):
        return PhoneFacts(None, False, "unknown")
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    s = s.translate(_SEPARATORS)
    if region == "CN":
        if s[:3] == "+86":
            s = s[3:]
        elif s[:4] == "0086":
            s = s[4:]
        if len(s) == 11 and s[0] == "1" and s.isdigit() and s.isascii() and _MOBILE.fullmatch(s):
            return PhoneFacts("+86" + s, True, "mobile")
    return normalise_phone_slow(raw, region)


def _mask_phone(raw: str) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", raw) if c.isdigit())
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def check_phone(
    raw: str, *, field: str, role_zh: str = "", role_en: str = ""
) -> tuple[PhoneFacts, list[Finding]]:
    """PHONE_INVALID (error) unless the number is a valid phone number."""
    facts = normalise_phone(raw if isinstance(raw, str) else str(raw))
    if facts.valid:
        return facts, []
    text = raw if isinstance(raw, str) else str(raw)
    return facts, [
        finding("PHONE_INVALID", field, role_zh=role_zh, role_en=role_en, masked=_mask_phone(text))
    ]


_NOT_WORD: Final = re.compile(r"[\W_]+")


def normalise_address(raw: str) -> str:
    """Address key for a blind index: NFKC, lower case, no whitespace or punctuation."""
    if not isinstance(raw, str):
        return ""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", raw)).lower()


_MUNICIPALITY: Final = re.compile(r"^(北京|上海|天津|重庆)市?")
_PROVINCE: Final = re.compile(r"^.{2,10}?(?:省|自治区|特别行政区)")


def city_of(address: str | None) -> str:
    """The city an address names ("广东省深圳市南山区…" → "深圳市"; "北京市朝阳区…" → "北京市"),
    or ``""``: the one part of an address a search result shows to tell namesakes apart."""
    if not isinstance(address, str):
        return ""
    text = "".join(unicodedata.normalize("NFKC", address).split())
    found = _MUNICIPALITY.match(text)
    if found:
        return f"{found.group(1)}市"
    province = _PROVINCE.match(text)
    rest = text[province.end() :] if province else text
    ends = [
        at + len(suffix)
        for suffix in ("市", "自治州", "地区", "盟")
        if (at := rest.find(suffix, 0, 12)) > 0
    ]
    city = rest[: min(ends)] if ends else ""
    return "" if re.search(r"[区县路街号]", city) else city


def normalise_email(raw: str) -> str:
    if not isinstance(raw, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", raw).split()).lower()


_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def check_email(raw: str, *, field: str, role_zh: str = "", role_en: str = "") -> list[Finding]:
    """EMAIL_INVALID (warning) unless the address has the shape local@domain.tld."""
    email = normalise_email(raw)
    if _EMAIL.fullmatch(email):
        return []
    local, _, domain = email.partition("@")
    masked = (local[:1] + "***@" + domain) if domain else "*" * len(email)
    return [finding("EMAIL_INVALID", field, role_zh=role_zh, role_en=role_en, masked=masked)]
