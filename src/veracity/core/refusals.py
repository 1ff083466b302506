"""Refusals: the one catalogue of "no" (convention 6 — refusals explain themselves too).

A refusal is what a person or a system is told when a step is not taken: a stable ``code``
from :data:`CATALOGUE`, the ``field`` at fault, the parameters its texts need, and the text in
Chinese and English rendered from the catalogue. Its :class:`Kind` says what sort of "no" it
is; each adapter maps the kind once — the API to an HTTP status, the web page to a page or a
message, the CLI to an exit code — so no raise site decides a status.

Texts live here, not in gettext: the core runs without Django, and a refusal is rendered in
the reader's language from the same entry on every surface. Screen chrome (labels, buttons)
stays in gettext.

    raise Refusal("case.role", "user", action_zh="分发问题件", action_en="distribute problem items")

Each app adds its entries with :func:`register` at import time of the module that raises
them; a code registered twice with different words is a programming error.

A subclass may give a :attr:`Refusal.namespace`: ``CaseError("not_found", "item")`` then reads
the entry ``case.not_found`` and still shows the code ``not_found``. Where one code has
differently worded variants, the variant follows a dot — ``CaseError("not_found.evidence",
"evidence")`` reads ``case.not_found.evidence`` and shows ``not_found``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Final

__all__ = [
    "CATALOGUE",
    "EXIT_CODE",
    "HTTP_STATUS",
    "Entry",
    "Kind",
    "Refusal",
    "register",
]


class Kind(StrEnum):
    """What sort of "no"; the adapters map it to a status, a page or an exit code."""

    INVALID = "invalid"  # the input is wrong: fix it and try again
    FORBIDDEN = "forbidden"  # this person may not do this
    NOT_FOUND = "not_found"  # no such thing, or not one this person may know of
    CONFLICT = "conflict"  # the thing is not in a state that allows the step
    TOO_LARGE = "too_large"  # the input is larger than allowed


#: Kind → HTTP status, used by the API and by web views that answer with a status.
HTTP_STATUS: Final[Mapping[Kind, int]] = MappingProxyType(
    {
        Kind.INVALID: 400,
        Kind.FORBIDDEN: 403,
        Kind.NOT_FOUND: 404,
        Kind.CONFLICT: 409,
        Kind.TOO_LARGE: 413,
    }
)

#: Kind → CLI exit code (1 stays "unexpected failure"; 2 is argparse's usage error).
EXIT_CODE: Final[Mapping[Kind, int]] = MappingProxyType(
    {
        Kind.INVALID: 3,
        Kind.FORBIDDEN: 4,
        Kind.NOT_FOUND: 5,
        Kind.CONFLICT: 6,
        Kind.TOO_LARGE: 7,
    }
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalogue entry: its kind and ``str.format`` templates in both languages."""

    kind: Kind
    zh: str
    en: str


_CATALOGUE: dict[str, Entry] = {}
#: code → entry; read-only view of every registered refusal.
CATALOGUE: Final[Mapping[str, Entry]] = MappingProxyType(_CATALOGUE)


def register(entries: Mapping[str, tuple[Kind, str, str]]) -> None:
    """Add entries ``code → (kind, zh template, en template)`` to the catalogue."""
    for code, (kind, zh, en) in entries.items():
        entry = Entry(Kind(kind), zh, en)
        known = _CATALOGUE.get(code)
        if known is not None and known != entry:
            raise ValueError(f"refusal {code!r} is registered twice with different words")
        _CATALOGUE[code] = entry


class _Params(dict[str, Any]):
    """Format parameters; a missing one shows as ``{name}`` instead of failing the refusal."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Refusal(Exception):
    """A refused step: ``Refusal(code, field, **params)``, its words from the catalogue.

    Subclasses only tell whose rule it was (``CaseError``, ``RetentionError`` …); they add no
    words of their own.
    """

    #: The catalogue prefix of a subclass's codes (see the module's docstring); "" for none.
    namespace: ClassVar[str] = ""

    code: str
    key: str
    field: str
    params: Mapping[str, Any]

    def __init__(self, code: str, field: str = "", /, *inline: str, **params: Any) -> None:
        key = f"{self.namespace}.{code}" if self.namespace else code
        if self.namespace:
            code = code.split(".", 1)[0]
        # ``inline`` (zh, en) is the old form with the words at the raise site; it goes once
        # every raise site uses the catalogue.
        if inline:
            zh, en = inline
            self._inline: Entry | None = Entry(
                Kind.INVALID,
                zh.replace("{", "{{").replace("}", "}}"),
                en.replace("{", "{{").replace("}", "}}"),
            )
        elif key not in _CATALOGUE:
            raise KeyError(f"refusal {key!r} is not in the catalogue")
        else:
            self._inline = None
        super().__init__(code, field)
        self.code = code
        self.key = key
        self.field = field
        self.params = MappingProxyType(dict(params))

    @property
    def entry(self) -> Entry:
        return self._inline or _CATALOGUE[self.key]

    @property
    def kind(self) -> Kind:
        return self.entry.kind

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.kind]

    @property
    def exit_code(self) -> int:
        return EXIT_CODE[self.kind]

    @property
    def message_zh(self) -> str:
        return self.entry.zh.format_map(_Params(self.params))

    @property
    def message_en(self) -> str:
        return self.entry.en.format_map(_Params(self.params))

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }

    def __str__(self) -> str:
        return f"{self.field}: {self.message_en}" if self.field else self.message_en

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.field!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Refusal):
            return NotImplemented
        return (self.code, self.field, dict(self.params)) == (
            other.code,
            other.field,
            dict(other.params),
        )

    def __hash__(self) -> int:
        return hash((self.code, self.field))

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable with its words (a child process hands back the refusals of its rows)
        inline = (self._inline.kind, self._inline.zh, self._inline.en) if self._inline else None
        return (
            _restore,
            (type(self), self.key, self.code, self.field, dict(self.params), inline),
        )


def _restore(
    cls: type[Refusal],
    key: str,
    code: str,
    field: str,
    params: dict[str, Any],
    inline: tuple[Kind, str, str] | None,
) -> Refusal:
    refusal = cls.__new__(cls)
    Exception.__init__(refusal, code, field)
    refusal.code, refusal.key, refusal.field = code, key, field
    refusal.params = MappingProxyType(params)
    refusal._inline = Entry(*inline) if inline else None
    return refusal
