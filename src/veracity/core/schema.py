"""The one strict schema of every record that enters Veracity (issue 10, convention 13).

The API, ``veracity gate``, ``veracity import`` (JSONL, CSV, XLSX) and every later feed parse
a record with :func:`parse_application` (or :func:`parse_seller`) before anything else looks
at it. A record that does not fit the schema is **rejected** with every field that is wrong
and why, in Chinese and English: a wrong type (a phone given as one string instead of a list,
a number where a number of text belongs), an unknown field, a value outside its enumeration,
a string longer than its column, a control character, an identifier outside the allow-list.
Nothing is coerced and nothing is cut. A record that fits the schema but breaks a rule (a
check digit, a missing key field, an impossible birth date) goes on to the gate and is stored
with its findings.

The schema is also the API's request body, so the OpenAPI document states every pattern,
length and enumeration the import enforces.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from veracity.core.identity import IdType, id_type_names

__all__ = [
    "CHANNELS",
    "IDENTIFIER",
    "IDENTIFIER_32",
    "ID_TYPE_CODES",
    "ApplicationIn",
    "Problem",
    "Rejected",
    "RelativeIn",
    "SellerIn",
    "TrainingIn",
    "describe",
    "parse_application",
    "parse_seller",
    "parse_training",
    "register_id_type_aliases",
]

#: Identifiers (application, policy, seller, agency, product, complaint numbers): a letter
#: or digit, then letters, digits, ``_``, ``.`` or ``-``; at most 40 characters unless a field
#: says otherwise. Nothing that could be a path, a formula or a line break.
IDENTIFIER: Final = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$"
IDENTIFIER_32: Final = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$"

#: Sales channels (``policies.models.Channel``; a test keeps the two equal).
CHANNELS: Final = (
    "agency",
    "bancassurance",
    "intermediary",
    "direct",
    "telemarketing",
    "internet",
)
ChannelCode = Literal[
    "agency", "bancassurance", "intermediary", "direct", "telemarketing", "internet"
]
#: Product types the gate knows (``core.gate.KNOWN_PRODUCT_TYPES``).
ProductTypeCode = Literal[
    "participating",
    "investment_linked",
    "universal",
    "ordinary_life",
    "accident",
    "health",
    "other",
]
#: The accepted spellings of sex; the gate reads them all as M or F.
SexCode = Literal[
    "M", "F", "m", "f", "男", "女", "male", "female", "Male", "Female", "MALE", "FEMALE"
]

#: ID-type codes; the Chinese names of ``core.identity`` (居民身份证, 护照 …) are accepted and
#: stored as their code, and so are a sending system's own aliases (settings).
ID_TYPE_CODES: Final = tuple(t.value for t in IdType)

# Control characters (C0, DEL, C1), surrogates, the bidirectional overrides and isolates
# (which make a stored name read differently from what it is) and the two non-characters.
_FORBIDDEN_RANGES: Final = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x200E, 0x200F),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
    (0xFFFE, 0xFFFF),
)
_FORBIDDEN: Final = "".join(
    re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b != a else "") for a, b in _FORBIDDEN_RANGES
)
# Lone surrogates cannot reach the schema's pattern (they are not text: pydantic refuses
# them as such); they are looked for when a rejection is described.
_FORBIDDEN_CHARS: Final = re.compile(f"[{_FORBIDDEN}\ud800-\udfff]")
#: Plain text: no control character. The pattern holds the characters themselves, not
#: escapes, so the schema's engine and the OpenAPI document's readers agree on it.
PLAIN_TEXT: Final = f"^[^{_FORBIDDEN}]*$"


def _control_character(value: object) -> dict[str, Any]:
    """Where the first control character of ``value`` is, for the reason of a rejection (the
    character's code point and position, never the value: it may be personal data)."""
    match = _FORBIDDEN_CHARS.search(value) if isinstance(value, str) else None
    if match is None:
        return {"code": "?", "position": "?"}
    return {"code": f"{ord(match.group()):04X}", "position": match.start() + 1}


# Strings of at most N characters without control characters (the column's length).
Text20 = Annotated[str, StringConstraints(max_length=20, pattern=PLAIN_TEXT)]
Text40 = Annotated[str, StringConstraints(max_length=40, pattern=PLAIN_TEXT)]
Text100 = Annotated[str, StringConstraints(max_length=100, pattern=PLAIN_TEXT)]
Text200 = Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT)]
Text300 = Annotated[str, StringConstraints(max_length=300, pattern=PLAIN_TEXT)]
Identifier40 = Annotated[str, StringConstraints(pattern=IDENTIFIER)]
Identifier32 = Annotated[str, StringConstraints(pattern=IDENTIFIER_32)]


DateText = Annotated[
    str,
    StringConstraints(max_length=20, pattern=PLAIN_TEXT),
    Field(description="YYYY-MM-DD (a time after the date, as spreadsheets write it, is read)"),
]


def _id_type_doc() -> str:
    names = id_type_names()
    return "; ".join(
        f"{code} ({'、'.join(aliases)})" if aliases else code for code, aliases in names.items()
    )


# Every spelling of an ID type the schema accepts: the codes, their Chinese names, and the
# aliases of the sending systems (registered from the settings at start-up); "" is absent.
_ID_TYPE_SPELLINGS: set[str] = {"", *ID_TYPE_CODES} | {
    name for names in id_type_names().values() for name in names
}


def register_id_type_aliases(aliases: Mapping[str, Mapping[str, str]]) -> None:
    """Accept the ID-type codes of the sending systems (``{system: {alias: code}}``); each
    system's own aliases are read as codes in :func:`application_record`."""
    for table in aliases.values():
        for alias, code in table.items():
            if code not in ID_TYPE_CODES:
                raise ValueError(f"ID-type alias {alias!r} names an unknown code {code!r}")
            _ID_TYPE_SPELLINGS.add(alias)


def _id_type(value: str) -> str:
    if value not in _ID_TYPE_SPELLINGS:
        raise PydanticCustomError("id_type_unknown", "unknown ID type", {})
    return value


def _id_type_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(_ID_TYPE_SPELLINGS)


IdTypeText = Annotated[
    str,
    AfterValidator(_id_type),
    Field(
        description=(
            "ID document type. Codes: "
            + _id_type_doc()
            + ". The Chinese names are accepted and stored as their code, and so are the "
            "codes of the sending system where configured. Empty or absent: the type is "
            "inferred from the number's shape."
        ),
        json_schema_extra=_id_type_enum,
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ProductIn(_Strict):
    code: Identifier32 = Field(description="product code, at most 32 characters")
    type: ProductTypeCode | None = None
    term_years: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    name: Text200 | None = None


class SellerRef(_Strict):
    code: Identifier32 | None = None
    agency_code: Identifier32 | None = None


class PersonIn(_Strict):
    name: Text100 | None = None
    sex: SexCode | None = None
    birth_date: DateText | None = None
    id_type: IdTypeText | None = None
    id_number: Text40 | None = None
    address: Text300 | None = None
    phones: list[Text40] | None = Field(None, max_length=10)
    email: Text200 | None = None


class InsuredIn(PersonIn):
    relation: Text20 | None = None


class BeneficiaryIn(_Strict):
    relation: Text20 | None = None
    name: Text100 | None = None
    share: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    sex: SexCode | None = None
    birth_date: DateText | None = None
    id_type: IdTypeText | None = None
    id_number: Text40 | None = None


class PayerAccountIn(_Strict):
    number: Text40 | None = None
    holder_name: Text100 | None = None
    holder_id_type: IdTypeText | None = None
    holder_id_number: Text40 | None = None


class ApplicationIn(_Strict):
    """One application as the core business system, the bancassurance system or a file sends
    it. Missing values are the gate's to report (as findings naming the field)."""

    application_no: Identifier40 = Field(
        description="application number: letters, digits, _ . - (at most 40)",
        examples=["A2026110001"],
    )
    applied_on: DateText | None = None
    cooling_off_ends_on: DateText | None = None
    callback_due_on: DateText | None = None
    product: ProductIn
    channel: ChannelCode
    seller: SellerRef | None = None
    policyholder: PersonIn
    insured: InsuredIn | None = None
    beneficiaries: list[BeneficiaryIn] | None = Field(None, max_length=20)
    payer_account: PayerAccountIn | None = None


YesNo = (
    bool
    | Literal[
        "1",
        "0",
        "true",
        "false",
        "True",
        "False",
        "TRUE",
        "FALSE",
        "yes",
        "no",
        "y",
        "n",
        "是",
        "否",
        "合格",
        "不合格",
        "通过",
        "未通过",
    ]
    | None
)
#: The spellings of "yes" among :data:`YesNo`'s.
YES_WORDS: Final = frozenset({"1", "true", "yes", "y", "是", "合格", "通过"})


class RelativeIn(_Strict):
    """A seller's registered relative (亲属, SD-2) with their phones and address."""

    name: Text100 = Field(min_length=1)
    relation: Text40 = Field(min_length=1, description="e.g. 配偶, 父亲, 子女")
    phones: list[Text40] | None = Field(None, max_length=10)
    address: Text300 | None = None


class SellerIn(_Strict):
    """One seller (agent, bancassurance specialist or agency) of a seller file.

    ``qualified`` is read only as a legacy qualification (recorded by an earlier system) from
    ``qualified_on`` (the day of the import when absent); what decides is the training
    register (``core.qualification``)."""

    code: Identifier32 = Field(description="seller code, at most 32 characters")
    kind: Literal["agent", "banca_specialist", "bancassurance_specialist", "agency"]
    name: Text200 = Field(min_length=1)
    agency_code: Identifier32 | None = None
    phones: list[Text40] | None = Field(None, max_length=10)
    address: Text300 | None = None
    qualified: YesNo = None
    qualified_on: DateText | None = None
    relatives: list[RelativeIn] | None = Field(None, max_length=20)


class TrainingIn(_Strict):
    """One training record of a training file (SF-1): a course attended (``hours``,
    ``course_code``, ``title``), a form-filling test taken (``passed``, ``score``), or a
    qualification of an earlier system (``legacy``, with its ``source``)."""

    seller_code: Identifier32 = Field(description="seller code, at most 32 characters")
    kind: Literal["course", "test", "legacy"]
    date: DateText
    course_code: Identifier32 | None = None
    title: Text200 | None = None
    hours: float | None = Field(None, gt=0, le=100, allow_inf_nan=False)
    passed: YesNo = None
    score: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    source: Text200 | None = None


# --- rejections in words -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One field that does not fit the schema, and why."""

    field: str
    reason_zh: str
    reason_en: str


class Rejected(Exception):
    """A record that does not fit the schema: every problem, first one first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        super().__init__(f"{first.field}: {first.reason_en}")

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def reason_zh(self) -> str:
        return "；".join(
            p.reason_zh if i == 0 else f"{p.field}：{p.reason_zh}"
            for i, p in enumerate(self.problems)
        )

    @property
    def reason_en(self) -> str:
        return "; ".join(
            p.reason_en if i == 0 else f"{p.field}: {p.reason_en}"
            for i, p in enumerate(self.problems)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


def _path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_IDENTIFIER_WORDS: Final = {
    IDENTIFIER: 40,
    IDENTIFIER_32: 32,
}


def _expected(ctx: Mapping[str, Any], *, zh: bool) -> str:
    text = str(ctx.get("expected", "")).replace("'", "")
    return text.replace(" or ", "、").replace(", ", "、") if zh else text


def _words(kind: str, ctx: Mapping[str, Any]) -> tuple[str, str]:
    """The Chinese and English reason of one pydantic error type."""
    if kind == "missing":
        return "缺少必填字段", "field required"
    if kind == "extra_forbidden":
        return "未知字段（接口格式中没有该字段）", "unknown field (not in the schema)"
    if kind in ("string_type", "str_type"):
        return "应为文本", "expected text"
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return f"超过 {n} 个字符", f"longer than {n} characters"
    if kind == "string_too_short":
        return "不能为空", "must not be empty"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == PLAIN_TEXT:
        return _words("control_character", ctx)
    if kind == "string_pattern_mismatch":
        n = _IDENTIFIER_WORDS.get(str(ctx.get("pattern")), 40)
        return (
            f"编号格式不符：应以字母或数字开头，只含字母、数字和 _ . -，最长 {n} 位",
            f"not an identifier: a letter or digit, then letters, digits, _ . - (at most {n})",
        )
    if kind in ("literal_error", "enum"):
        return (
            f"不是允许的取值（应为 {_expected(ctx, zh=True)}）",
            f"not an allowed value (expected {_expected(ctx, zh=False)})",
        )
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number"):
        return "应为数字", "expected a number"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}", f"must be at least {ctx.get('ge')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}", f"must be more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}", f"must be at most {ctx.get('le')}"
    if kind == "list_type":
        return "应为列表", "expected a list"
    if kind == "too_long":
        n = ctx.get("max_length")
        return f"最多 {n} 项", f"at most {n} items"
    if kind == "too_short":
        return "不能为空", "must not be empty"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "应为一组字段（对象）", "expected an object"
    if kind == "bool_type":
        return "应为是或否", "expected true or false"
    if kind == "control_character":
        return (
            f"含有控制字符 U+{ctx.get('code')}（第 {ctx.get('position')} 个字符）",
            f"contains the control character U+{ctx.get('code')} at position {ctx.get('position')}",
        )
    if kind == "id_type_unknown":
        return (
            f"无法识别的证件类型（应为 {_expected(ctx, zh=True)}）",
            f"unknown ID type (expected {ctx.get('expected')})",
        )
    if kind == "json_invalid":
        return "JSON 格式错误", "invalid JSON"
    if kind == "date_format":
        return "日期格式不符（应为 年-月-日，如 2026-11-20）", "not a date (YYYY-MM-DD)"
    return "格式不符", f"does not fit the schema ({kind})"


def describe(errors: Sequence[Mapping[str, Any]], *, skip: int = 0) -> list[Problem]:
    """The problems of pydantic's ``errors()`` (``skip`` leading parts of each location, e.g.
    ``("body", "payload")`` on the API). One problem per field, first occurrence first."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for error in errors:
        loc = tuple(error.get("loc") or ())[skip:]
        # A union of a type with None reports both branches; the typed one is the news.
        if loc and loc[-1] in ("none", "bool", "literal[...]"):
            loc = loc[:-1]
        loc = tuple(
            part
            for part in loc
            if not (isinstance(part, str) and ("[" in part or part in ("str", "float", "list")))
        )
        field = _path(loc)
        if field in seen:
            continue
        seen.add(field)
        ctx = dict(error.get("ctx") or {})
        if ctx.get("pattern") == PLAIN_TEXT:
            ctx.update(_control_character(error.get("input")))
        zh, en = _words(str(error.get("type", "")), ctx)
        problems.append(Problem(field, zh, en))
    return problems


# --- ID-type aliases --------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _id_type_table(aliases: tuple[tuple[str, str], ...] = ()) -> Mapping[str, str]:
    table = {code: code for code in ID_TYPE_CODES}
    for code, names in id_type_names().items():
        for name in names:
            table[name] = code
    table.update(aliases)
    return MappingProxyType(table)


_ID_TYPE_FIELDS: Final = ("policyholder", "insured", "payer_account")


def _canonical_id_types(
    record: dict[str, Any], table: Mapping[str, str], problems: list[Problem]
) -> None:
    def fix(block: dict[str, Any] | None, key: str, where: str) -> None:
        if not block or block.get(key) is None:
            return
        raw = block[key]
        value = raw.strip()
        if not value:
            block[key] = None
            return
        code = table.get(value) or table.get(value.lower())
        if code is None:
            zh, en = _words("id_type_unknown", {})
            problems.append(Problem(f"{where}.{key}", zh, en))
            return
        block[key] = code

    fix(record.get("policyholder"), "id_type", "policyholder")
    fix(record.get("insured"), "id_type", "insured")
    fix(record.get("payer_account"), "holder_id_type", "payer_account")
    for i, ben in enumerate(record.get("beneficiaries") or ()):
        fix(ben, "id_type", f"beneficiaries[{i}]")


def parse_application(
    raw: object, *, id_type_aliases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The record as the schema reads it (only the fields it was given, ID types as codes),
    or ``Rejected`` with every problem."""
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("", "不是一个投保单对象", "not an application object")])
    try:
        model = ApplicationIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected(describe(exc.errors(include_url=False))) from None
    return application_record(model, id_type_aliases=id_type_aliases)


def application_record(
    model: ApplicationIn, *, id_type_aliases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The dict of a validated application (the API's body arrives validated)."""
    record = model.model_dump(exclude_unset=True)
    problems: list[Problem] = []
    table = _id_type_table(tuple(sorted(id_type_aliases.items())) if id_type_aliases else ())
    _canonical_id_types(record, table, problems)
    if problems:
        raise Rejected(problems)
    return record


def parse_training(raw: object) -> dict[str, Any]:
    """A training record as the schema reads it, or ``Rejected`` with every problem."""
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("", "不是一条培训记录", "not a training record")])
    try:
        model = TrainingIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected(describe(exc.errors(include_url=False))) from None
    return model.model_dump(exclude_unset=True)


def parse_seller(raw: object) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise Rejected([Problem("", "不是一个销售人员对象", "not a seller object")])
    try:
        model = SellerIn.model_validate(raw)
    except ValidationError as exc:
        raise Rejected(describe(exc.errors(include_url=False))) from None
    return model.model_dump(exclude_unset=True)
