"""Identity documents: normalisation, coding-rule checks and the facts they carry (TG-4).

Resident ID numbers (GB 11643-1999) are checked here directly — check digit MOD 11-2,
birth date, sequence parity, address code — with the region table in memory, because
``stdnum.cn.ric.validate`` is slow (a database look-up per call), rejects region codes
that did not exist in the birth year, accepts future birth dates and knows neither
830000 (Taiwan residence permits) nor 9-prefixed foreign permanent residence numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from veracity.core import _regions
from veracity.core.findings import Finding, finding

__all__ = [
    "IdFacts",
    "IdType",
    "check_declared",
    "check_digit",
    "check_id",
    "id_type_names",
    "infer_id_type",
    "known_county_codes",
    "make_resident_id",
    "normalise_id",
    "parse_id_type",
    "parse_resident_id",
]


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    HK_MACAO_HOME_RETURN = "hk_macao_home_return_permit"
    TAIWAN_COMPATRIOT = "taiwan_compatriot_permit"
    PASSPORT = "passport"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class IdFacts:
    id_type: IdType
    number: str
    birth_date: date | None
    sex: str | None
    region_code: str | None
    region_name: str | None


_ID_TYPES: Final[dict[str, IdType]] = {t.value: t for t in IdType}
_ID_TYPES.update(
    {
        "身份证": IdType.RESIDENT_ID,
        "居民身份证": IdType.RESIDENT_ID,
        "港澳台居民居住证": IdType.HMT_RESIDENCE_PERMIT,
        "外国人永久居留身份证": IdType.FOREIGN_PERMANENT_RESIDENCE,
        "港澳居民来往内地通行证": IdType.HK_MACAO_HOME_RETURN,
        "回乡证": IdType.HK_MACAO_HOME_RETURN,
        "台湾居民来往大陆通行证": IdType.TAIWAN_COMPATRIOT,
        "台胞证": IdType.TAIWAN_COMPATRIOT,
        "护照": IdType.PASSPORT,
        "其他": IdType.OTHER,
    }
)


def id_type_names() -> dict[str, list[str]]:
    """Every ID-type code with the Chinese names that are read as it."""
    names: dict[str, list[str]] = {t.value: [] for t in IdType}
    for name, kind in _ID_TYPES.items():
        if name != kind.value:
            names[kind.value].append(name)
    return names


def parse_id_type(raw: object) -> IdType | None:
    """The ID type for a stored value or a common Chinese name; ``None`` if unknown.

    A missing value (``None`` or blank) means a resident ID.
    """
    if raw is None:
        return IdType.RESIDENT_ID
    if not isinstance(raw, str):
        return None
    key = raw.strip()
    if not key:
        return IdType.RESIDENT_ID
    return _ID_TYPES.get(key) or _ID_TYPES.get(key.lower())


# Shapes that name their document unambiguously (normalised numbers).
_HOME_RETURN_SHAPE: Final = re.compile(r"[HM](?:\d{8}|\d{10})")
_CN_PASSPORT_SHAPE: Final = re.compile(r"[EG]\d{8}|E[A-Z]\d{7}")


def infer_id_type(number: object) -> IdType:
    """The document type of an ID number given without one, judged by its shape (a value
    that is not a string, as its text).

    18 characters starting with 9: a foreign permanent residence ID card (the 2017 form:
    9, the issuing province, the nationality, birth date, sequence, MOD 11-2); starting with
    81, 82 or 83: a residence permit for Hong Kong, Macao or Taiwan residents (810000,
    820000, 830000 + birth date, sequence, MOD 11-2); otherwise 18 characters or 15 digits:
    a resident ID (GB 11643). H or M and 8 or 10 digits: a Home Return Permit; 3 letters
    and 12 digits: the old foreign permanent residence card; E or G and 8 digits: a Chinese
    passport. Anything else is judged as a resident ID, the document a number without a
    type is assumed to be, so its format error says what one looks like; a foreign passport
    or another document must be declared.
    """
    n = number if isinstance(number, str) else "" if number is None else str(number)
    if len(n) != 18 or not n.isascii() or not n.isalnum():
        n = normalise_id(IdType.OTHER.value, n)
    if len(n) == 18:
        if n[0] == "9":
            return IdType.FOREIGN_PERMANENT_RESIDENCE
        if n[:2] in _HMT_PROVINCES:
            return IdType.HMT_RESIDENCE_PERMIT
        return IdType.RESIDENT_ID
    if len(n) == 15 and n.isdigit():
        return IdType.RESIDENT_ID
    if _HOME_RETURN_SHAPE.fullmatch(n):
        return IdType.HK_MACAO_HOME_RETURN
    if _OLD_FOREIGN_PR.fullmatch(n):
        return IdType.FOREIGN_PERMANENT_RESIDENCE
    if _CN_PASSPORT_SHAPE.fullmatch(n):
        return IdType.PASSPORT
    return IdType.RESIDENT_ID


# --- region table --------------------------------------------------------------------

_COUNTIES: Final = _regions.counties()
_PROVINCES: Final = _regions.PROVINCES
_HMT: Final[dict[str, str]] = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
_HMT_PROVINCES: Final = frozenset(code[:2] for code in _HMT)
_HMT_EN: Final[dict[str, str]] = {"810000": "Hong Kong", "820000": "Macao", "830000": "Taiwan"}


def _region_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, county in _COUNTIES.items():
        province = _PROVINCES.get(code[:2], "")
        names[code] = county if county.startswith(province) else province + county
    names.update(_HMT)
    return names


_REGION_NAMES: Final = _region_names()


def known_county_codes() -> tuple[str, ...]:
    """County-level address codes still in use (for synthetic data and tests)."""
    return _regions.current_county_codes()


# --- normalisation ---------------------------------------------------------------------

_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))


def check_digit(first17: str) -> str:
    """GB 11643 MOD 11-2 check digit of 17 digits (``X`` stands for 10)."""
    # int(s, 13) is sum(d_i * 13**k); 13 ≡ 2 (mod 11), so this is the weighted sum / 2.
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def normalise_id(id_type: str, raw: str) -> str:
    """Whitespace removed, full-width to half-width (NFKC), upper-case.

    A 15-digit legacy resident ID becomes its 18-digit form (century 19, check digit
    added). Never raises; anything that is not a string gives ``""``.
    """
    if not isinstance(raw, str):
        return ""
    s = raw
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    if not (s.isalnum() and s.isascii()):
        s = "".join(s.split())
    s = s.upper()
    if len(s) == 15 and s.isdigit() and s.isascii() and id_type in _RESIDENT_LIKE:
        first17 = s[:6] + "19" + s[6:]
        s = first17 + check_digit(first17)
    return s


_RESIDENT_LIKE: Final = frozenset({"resident_id", "", IdType.RESIDENT_ID})

# --- birth dates ---------------------------------------------------------------------

_DATES: dict[str, date | None] = {}


def _yyyymmdd(s: str) -> date | None:
    d = _DATES.get(s, _DATES)
    if d is _DATES:
        try:
            d = date(int(s[:4]), int(s[4:6]), int(s[6:8]))
        except ValueError:
            d = None
        if len(_DATES) < 200_000:
            _DATES[s] = d
    return d  # type: ignore[return-value]


def _age_years(birth: date, as_of: date) -> int:
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


# --- resident-ID-shaped numbers ------------------------------------------------------

_MAX_AGE: Final = 120


def parse_resident_id(number: str) -> IdFacts:
    """Facts of a valid normalised 18-digit number; ``ValueError`` otherwise.

    An address code missing from the table is not an error here: the region is ``None``.
    """
    if (
        len(number) != 18
        or not number.isascii()
        or not number[:17].isdigit()
        or number[17] not in "0123456789X"
    ):
        raise ValueError("not an 18-character resident ID number")
    if number[17] != check_digit(number[:17]):
        raise ValueError("wrong check digit")
    birth = _yyyymmdd(number[6:14])
    if birth is None:
        raise ValueError("impossible birth date")
    region = number[:6]
    id_type = IdType.HMT_RESIDENCE_PERMIT if region in _HMT else IdType.RESIDENT_ID
    return IdFacts(
        id_type=id_type,
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=region,
        region_name=_REGION_NAMES.get(region),
    )


def make_resident_id(region: str, birth: date, seq: int) -> str:
    """A valid resident ID number: 6-digit region, birth date, sequence 0..999 (odd = male)."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be 0..999")
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return first17 + check_digit(first17)


_DOC_NAMES: Final[dict[IdType, tuple[str, str, str, str]]] = {
    # type: (doc zh, doc en, expected zh, expected en)
    IdType.RESIDENT_ID: (
        "居民身份证",
        "resident ID card",
        "应为18位，前17位为数字，末位为数字或X；或15位数字的旧号码",
        "18 characters, 17 digits then a digit or X; or a 15-digit old number",
    ),
    IdType.HMT_RESIDENCE_PERMIT: (
        "港澳台居民居住证",
        "HK/Macao/Taiwan residence permit",
        "应为18位，以810000、820000或830000开头",
        "18 characters starting 810000, 820000 or 830000",
    ),
    IdType.FOREIGN_PERMANENT_RESIDENCE: (
        "外国人永久居留身份证",
        "foreign permanent residence ID card",
        "应为以9开头的18位号码（或旧版3个字母加12位数字）",
        "18 characters starting with 9 (or the old form: 3 letters and 12 digits)",
    ),
    IdType.HK_MACAO_HOME_RETURN: (
        "港澳居民来往内地通行证",
        "Home Return Permit",
        "应为H或M加8位数字（旧版加10位数字）",
        "H or M followed by 8 digits (10 digits in the old form)",
    ),
    IdType.TAIWAN_COMPATRIOT: (
        "台湾居民来往大陆通行证",
        "Mainland Travel Permit for Taiwan Residents",
        "应为8位数字（旧版为10位）",
        "8 digits (10 characters in the old form)",
    ),
    IdType.PASSPORT: (
        "护照",
        "passport",
        "应为5至17位字母或数字（中国护照为E或G加8位数字）",
        "5 to 17 letters or digits (Chinese passports: E or G and 8 digits)",
    ),
    IdType.OTHER: ("其他证件", "other document", "不能为空，最长40位", "not empty, at most 40"),
}

_FORMATS: Final[dict[IdType, re.Pattern[str]]] = {
    IdType.HK_MACAO_HOME_RETURN: re.compile(r"[HM](?:\d{8}|\d{10})"),
    IdType.TAIWAN_COMPATRIOT: re.compile(r"\d{8}|[0-9A-Z]{10}"),
    IdType.PASSPORT: re.compile(r"[EG]\d{8}|E[A-Z]\d{7}|[A-Z0-9]{5,17}"),
    IdType.OTHER: re.compile(r".{1,40}", re.DOTALL),
}
_OLD_FOREIGN_PR: Final = re.compile(r"[A-Z]{3}\d{12}")


def _format_error(id_type: IdType, field: str, role_zh: str, role_en: str, n: int) -> Finding:
    doc_zh, doc_en, exp_zh, exp_en = _DOC_NAMES[id_type]
    return finding(
        "ID_FORMAT",
        field,
        role_zh=role_zh,
        role_en=role_en,
        id_type=id_type.value,
        length=n,
        doc_zh=doc_zh,
        doc_en=doc_en,
        expected_zh=exp_zh,
        expected_en=exp_en,
    )


def check_id(
    id_type: str,
    raw: str,
    *,
    as_of: date,
    field: str,
    role_zh: str = "",
    role_en: str = "",
) -> tuple[IdFacts | None, list[Finding]]:
    """Check an ID number against the coding rules of its document type.

    Returns the facts read from the number (``None`` when any error was found) and the
    findings: ID_FORMAT, ID_CHECKSUM, ID_BIRTH_DATE, ID_PROVINCE_UNKNOWN (errors),
    ID_REGION_UNKNOWN (warning), FIELD_FORMAT for an unknown ID type, MISSING_FIELD for
    an empty number.
    """
    kind = IdType.RESIDENT_ID if id_type == "resident_id" else parse_id_type(id_type)
    if kind is None:
        return None, [
            finding(
                "FIELD_FORMAT",
                field.rsplit(".", 1)[0] + ".id_type" if "." in field else "id_type",
                role_zh=role_zh,
                role_en=role_en,
                problem_zh="无法识别的证件类型",
                problem_en="unknown ID type",
            )
        ]
    number = normalise_id(kind.value, raw)
    if not number:
        return None, [finding("MISSING_FIELD", field, role_zh=role_zh, role_en=role_en)]
    if kind is IdType.RESIDENT_ID or kind is IdType.HMT_RESIDENCE_PERMIT:
        return _check_18(kind, number, as_of, field, role_zh, role_en)
    if kind is IdType.FOREIGN_PERMANENT_RESIDENCE:
        if number[:1] == "9":
            return _check_18(kind, number, as_of, field, role_zh, role_en)
        if _OLD_FOREIGN_PR.fullmatch(number):
            return IdFacts(kind, number, None, None, None, None), []
        return None, [_format_error(kind, field, role_zh, role_en, len(number))]
    if _FORMATS[kind].fullmatch(number):
        return IdFacts(kind, number, None, None, None, None), []
    return None, [_format_error(kind, field, role_zh, role_en, len(number))]


def _check_18(
    kind: IdType, n: str, as_of: date, field: str, role_zh: str, role_en: str
) -> tuple[IdFacts | None, list[Finding]]:
    if (
        len(n) != 18
        or not n.isascii()
        or not n[:17].isdigit()
        or n[17] not in "0123456789X"
        or (kind is IdType.HMT_RESIDENCE_PERMIT and n[:6] not in _HMT)
    ):
        return None, [_format_error(kind, field, role_zh, role_en, len(n))]
    findings: list[Finding] | None = None
    value = (1 - 2 * int(n[:17], 13)) % 11
    expected = "X" if value == 10 else str(value)
    if n[17] != expected:
        findings = [
            finding("ID_CHECKSUM", field, role_zh=role_zh, role_en=role_en, expected=expected)
        ]
    digits = n[6:14]
    birth = _DATES.get(digits) or _yyyymmdd(digits)
    problem: tuple[str, str] | None = None
    if birth is None:
        problem = ("不是真实存在的日期", "not a real date")
    elif birth > as_of:
        problem = ("晚于今天", "in the future")
    elif as_of.year - birth.year > _MAX_AGE and _age_years(birth, as_of) > _MAX_AGE:
        problem = ("年龄超过120岁", "age over 120")
    if problem is not None:
        f = finding(
            "ID_BIRTH_DATE",
            field,
            role_zh=role_zh,
            role_en=role_en,
            problem_zh=problem[0],
            problem_en=problem[1],
            birth_digits=n[6:14],
        )
        findings = [*(findings or ()), f]
    # Region: HMT permits and foreign PR carry a province (issuing place) only.
    region_name: str | None
    if kind is IdType.FOREIGN_PERMANENT_RESIDENCE:
        region = n[1:3]
        region_name = _PROVINCES.get(region)
        if region_name is None:
            findings = [
                *(findings or ()),
                finding(
                    "ID_PROVINCE_UNKNOWN",
                    field,
                    role_zh=role_zh,
                    role_en=role_en,
                    province_code=region,
                ),
            ]
    else:
        region = n[:6]
        region_name = _REGION_NAMES.get(region)
        if region_name is None:
            if region[:2] in _PROVINCES:
                w = finding(
                    "ID_REGION_UNKNOWN", field, role_zh=role_zh, role_en=role_en, region_code=region
                )
            else:
                w = finding(
                    "ID_PROVINCE_UNKNOWN",
                    field,
                    role_zh=role_zh,
                    role_en=role_en,
                    province_code=region[:2],
                )
            findings = [*(findings or ()), w]
    if findings is None:
        sex = "M" if n[16] in "13579" else "F"
        if kind is IdType.RESIDENT_ID and region in _HMT:
            kind = IdType.HMT_RESIDENCE_PERMIT
        return IdFacts(kind, n, birth, sex, region, region_name), []
    if any(f.severity == "error" for f in findings):
        return None, findings
    sex = "M" if n[16] in "13579" else "F"
    return IdFacts(kind, n, birth, sex, region, region_name), findings


_SEX_ZH: Final = {"M": "男", "F": "女"}


def check_declared(
    facts: IdFacts,
    *,
    sex: str | None,
    birth_date: date | None,
    field_prefix: str,
    role_zh: str = "",
    role_en: str = "",
) -> list[Finding]:
    """Declared sex and birth date must agree with the ID number (TG-4)."""
    out: list[Finding] = []
    if sex is not None and facts.sex is not None and sex != facts.sex:
        out.append(
            finding(
                "ID_SEX_MISMATCH",
                f"{field_prefix}.sex",
                role_zh=role_zh,
                role_en=role_en,
                declared=sex,
                from_id=facts.sex,
                declared_zh=_SEX_ZH.get(sex, sex),
                from_id_zh=_SEX_ZH.get(facts.sex, facts.sex),
            )
        )
    if birth_date is not None and facts.birth_date is not None and birth_date != facts.birth_date:
        out.append(
            finding(
                "ID_BIRTH_MISMATCH",
                f"{field_prefix}.birth_date",
                role_zh=role_zh,
                role_en=role_en,
                declared=birth_date.isoformat(),
                from_id=facts.birth_date.isoformat(),
            )
        )
    return out
