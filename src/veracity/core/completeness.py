"""Key-field completeness (D1.5, TG-3): every missing field is listed, one finding each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

from veracity.core.findings import Finding, finding

__all__ = [
    "INSURED_FIELDS",
    "POLICYHOLDER_FIELDS",
    "check_completeness",
    "is_blank",
    "parse_date",
]

POLICYHOLDER_FIELDS: Final = ("name", "sex", "birth_date", "id_number", "address", "phones")
INSURED_FIELDS: Final = ("name", "sex", "birth_date", "id_number")
ADULT_AGE: Final = 18


def is_blank(value: object) -> bool:
    """None, an empty or blank string, or an empty/all-blank list."""
    if value is None:
        return True
    if type(value) is str or isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(is_blank(v) for v in value)
    return False


_DATE_CACHE: dict[str, date | None] = {}


def parse_date(value: object) -> date | None:
    """A date from a ``date``/``datetime`` or an ISO ``YYYY-MM-DD`` string; ``None`` if not."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    d = _DATE_CACHE.get(value, _DATE_CACHE)
    if d is _DATE_CACHE:
        s = value.strip().replace("/", "-").replace(".", "-")
        if len(s) > 10 and s[10] in "T ":
            s = s[:10]
        try:
            d = date.fromisoformat(s)
        except ValueError:
            d = None
        if len(_DATE_CACHE) < 100_000:
            _DATE_CACHE[value] = d
    return d  # type: ignore[return-value]


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def insured_is_policyholder(app: Mapping[str, Any]) -> bool:
    """Relation "self" — or no insured block at all — means the policyholder is insured."""
    insured = app.get("insured")
    if insured is None:
        return True
    if not (type(insured) is dict or isinstance(insured, Mapping)):
        return False
    return str(insured.get("relation") or "").strip().lower() in {"self", "本人"}


def check_completeness(app: Mapping[str, Any], *, applied_on: date | None) -> list[Finding]:
    """MISSING_FIELD for each key field missing (D1.5).

    Policyholder: name, sex, birth date, ID number, address, at least one phone. Insured
    (unless the policyholder): name, sex, birth date, ID number — the ID number may be
    absent when the insured is under 18 on ``applied_on``.
    """
    out: list[Finding] = []
    ph = app.get("policyholder")
    if not (type(ph) is dict or isinstance(ph, Mapping)):
        ph = {}
    for name in POLICYHOLDER_FIELDS:
        if is_blank(ph.get(name)):
            out.append(finding("MISSING_FIELD", f"policyholder.{name}"))
    if insured_is_policyholder(app):
        return out
    ins = app.get("insured")
    if not (type(ins) is dict or isinstance(ins, Mapping)):
        ins = {}
    for name in INSURED_FIELDS:
        if not is_blank(ins.get(name)):
            continue
        if name == "id_number" and applied_on is not None:
            birth = parse_date(ins.get("birth_date"))
            if birth is not None and birth <= applied_on and age_on(birth, applied_on) < ADULT_AGE:
                continue
        out.append(finding("MISSING_FIELD", f"insured.{name}"))
    return out
