"""The customer's file number (档案号), the one number staff and customers see.

Every form, filter and endpoint that names a customer accepts the file number as people type
it — ``C0000000010``, ``c10``, ``Ｃ００１０`` (full-width), with spaces — and every page shows
it instead of the internal id. The internal id stays inside the code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from veracity.customers.models import Customer

PREFIX = "C"
DIGITS = 10
_LOOSE = re.compile(r"^C?0*(\d{1,10})$")


def archive_no_of_id(pk: int) -> str:
    """The file number given to the customer with id ``pk``."""
    return f"{PREFIX}{pk:0{DIGITS}d}"


def _typeable(ch: str) -> bool:
    """ASCII or a full-width form (what a Chinese input method types): NFKC would also read
    ``²`` or ``⑩`` as digits, which nobody types for a file number."""
    return ch.isascii() or "\uff01" <= ch <= "\uff5e" or ch == "\u3000"


def normalise(text: str | None) -> str | None:
    """The canonical file number ``text`` names, or None when it is not one.

    Case, full-width characters, spaces and missing leading zeros are forgiven; a bare number
    is read as a file number too (``10`` → ``C0000000010``).
    """
    if not text or not all(_typeable(ch) for ch in text):
        return None
    flat = unicodedata.normalize("NFKC", text).replace(" ", "").replace("-", "").upper()
    found = _LOOSE.match(flat)
    if found is None:
        return None
    return f"{PREFIX}{int(found.group(1)):0{DIGITS}d}"


#: What separates file numbers typed in one field: spaces, new lines, commas and enumeration
#: marks, ASCII or Chinese.
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split(text: str | None) -> list[str]:
    """The file numbers typed in one field, as typed, in order, without repeats."""
    return list(dict.fromkeys(part for part in _SEPARATORS.split(text or "") if part))


def given_id(number: str) -> int:
    """The id a canonical file number was given to (the inverse of :func:`archive_no_of_id`),
    whether that file still exists or was destroyed since: for reading the trail."""
    return int(number[len(PREFIX) :])


def ids_by_number(numbers: Iterable[str]) -> dict[str, int]:
    """Customer id per canonical file number, for the numbers that exist."""
    wanted = {n for n in (normalise(t) for t in numbers) if n}
    if not wanted:
        return {}
    rows = Customer.objects.filter(archive_no__in=wanted).values_list("archive_no", "pk")
    return {str(no): int(pk) for no, pk in rows}


def customer_id(text: str | None) -> int | None:
    """The id of the customer ``text`` names by file number, or None."""
    number = normalise(text)
    return ids_by_number([number]).get(number) if number else None


def numbers_of(ids: Iterable[int]) -> dict[int, str]:
    """File number per customer id, for lists (never names, never the internal id)."""
    wanted = {int(i) for i in ids if i is not None}
    if not wanted:
        return {}
    rows = Customer.objects.filter(pk__in=wanted).values_list("pk", "archive_no")
    return {int(pk): str(no or archive_no_of_id(int(pk))) for pk, no in rows}
