"""Bank card / account numbers: normalised form and checks."""

from __future__ import annotations

import unicodedata
from typing import Final

from veracity.core.findings import Finding, finding

__all__ = ["check_account", "luhn_ok", "normalise_account"]

_STRIP: Final = str.maketrans("", "", " -\t\u00a0\u3000")
_DOUBLE: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def normalise_account(raw: str) -> str:
    """NFKC, spaces and dashes removed. Never raises; other characters are kept."""
    if not isinstance(raw, str):
        return ""
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    s = s.translate(_STRIP)
    if not s.isascii() or not s.isalnum():
        s = "".join(s.split())
    return s.upper()


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check of an all-digit string."""
    total = sum(map(int, digits[-1::-2])) + sum([_DOUBLE[int(c)] for c in digits[-2::-2]])
    return total % 10 == 0


def _mask(n: str) -> str:
    return n[:6] + "*" * max(len(n) - 10, 0) + n[-4:] if len(n) > 10 else "*" * len(n)


def check_account(raw: str, *, field: str) -> tuple[str, list[Finding]]:
    """ACCOUNT_FORMAT (error) for non-digits or a length outside 8..30;
    ACCOUNT_LUHN (warning) for a 16–19 digit card number failing Luhn."""
    n = normalise_account(raw)
    length = len(n)
    if not (n.isdigit() and n.isascii()):
        return n, [
            finding(
                "ACCOUNT_FORMAT",
                field,
                length=length,
                problem_zh="只能包含数字",
                problem_en="digits only",
            )
        ]
    if not 8 <= length <= 30:
        return n, [
            finding(
                "ACCOUNT_FORMAT",
                field,
                length=length,
                problem_zh=f"长度为{length}位，应为8至30位",
                problem_en=f"{length} digits, expected 8 to 30",
            )
        ]
    if 16 <= length <= 19 and not luhn_ok(n):
        return n, [finding("ACCOUNT_LUHN", field, masked=_mask(n))]
    return n, []
