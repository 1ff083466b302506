"""The screen check: a page rendered in zh-Hans speaks Chinese to people.

``defects(page)`` reads what a person sees on a Playwright page (its visible text and its
buttons' computed colours) and returns every defect found; ``assert_screen_clean(page)``
fails with a message that lists each offending text with the page's URL, so whoever adds a
page that breaks the rule sees what to fix and where. It fails on:

- a finding, rule or internal code shown as text (``THIRD_PARTY_PAYER``, ``view_personal_data``)
  — the code may stay in a ``title=`` tooltip, which is not visible text;
- an article reference (``D4.25``, ``第7、13条``);
- a command line (``veracity retention run``, ``--as``);
- an English plural glued to a Chinese word (``部门s``: a model without verbose_name_plural);
- a run of four or more English words (outside ``PROPER_NAMES``) — an English sentence;
- an untranslated message: a text equal to a msgid of the catalogue whose translation is
  missing or empty, or equal to a msgid at all (the page shows the English original);
- a lone English word that is one of the catalogue's msgids (an untranslated label);
- a button (``button``, ``a.btn``, submit inputs) whose text colour equals its background
  (white on white).

English pages (``<html lang="en">``) and non-HTML responses are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PO_FILE = Path(__file__).resolve().parents[2] / "src/veracity/locale/zh_Hans/LC_MESSAGES/django.po"

#: Proper names and product words that may appear in Latin letters on a Chinese page.
PROPER_NAMES: tuple[str, ...] = (
    "Veracity",
    "English",
    "Excel",
    "PDF",
    "CSV",
    "SHA-256",
    "JPEG",
    "PNG",
    "TIFF",
    "MP3",
    "MP4",
    "M4A",
    "WAV",
    "AMR",
    "HEIC",
    "TOTP",
    "PostgreSQL",
    "SQLite",
    "WeasyPrint",
)

#: Upper-case snake words: the shape of every finding and rule code (``ID_CHECKSUM``).
_UPPER_SNAKE = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9_])")
#: Lower-case snake words: the shape of internal action and kind codes (``view_personal_data``).
_LOWER_SNAKE = re.compile(r"(?<![A-Za-z0-9_@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_@])")
#: Article references of the regulations: D4.25, D1.13, 第7条, 第7、13条, Art. 57.
#: (An ordinal in a sentence, "截至第 8 条", is no article: articles are written close up.)
_ARTICLE = re.compile(
    r"(?<![A-Za-z0-9])D\d+\.\d*|第\d+(?:[、,，]\d+)*条|第\s?\d+(?:\s?[、,，]\s?\d+)+\s?条"
    r"|制度\s?\d+|\bArt\.\s*\d+"
)
#: Four or more English words in a row (spaces and light punctuation between them).
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t,;:()/.-]+[A-Za-z][A-Za-z'’]*){3,}")
#: A command line: the project's command, ``uv run``, or an option ``--as``.
_COMMAND = re.compile(r"\b(?:uv run|python -m|veracity [a-z][a-z-]+)\b|(?<![\w-])--[a-z][a-z-]+")
#: An English plural "s" glued to a Chinese word (an admin list without verbose_name_plural).
_CHINESE_PLURAL = re.compile(r"[\u3400-\u9fff]+s(?![A-Za-z])")
_URL = re.compile(r"https?://\S+|\S+@\S+\.\w+")


@dataclass(frozen=True, slots=True)
class Defect:
    kind: str
    text: str
    url: str

    def __str__(self) -> str:
        return f"  [{self.kind}] {self.text!r}  on {self.url}"


def _unquote(line: str) -> str:
    body = line.strip()
    if body.startswith('"') and body.endswith('"'):
        body = body[1:-1]
    return body.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po text (plural forms: the singular and its first form)."""
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r"(msgid|msgid_plural|msgstr(?:\[0\])?|msgctxt)\s+(\".*\")$", line)
            if match:
                current = match.group(1).replace("[0]", "")
                fields[current] = _unquote(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
            else:
                current = None if not line.startswith("msgstr[") else "other"
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields.get("msgstr", "")
    return entries


SOURCES = Path(__file__).resolve().parents[2] / "src/veracity"
#: Messages marked for translation in templates and code: {% translate "…" %}, _("…"), …
_MARKED = re.compile(
    r"""\{%\s*trans(?:late)?\s+"((?:[^"\\]|\\.)+)"|"""
    r"""(?<![A-Za-z0-9_])(?:_|gettext|gettext_lazy|N_)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]|"""
    r"""pgettext(?:_lazy)?\(\s*"[^"]*",\s*"((?:[^"\\]|\\.)+)"\s*[,)]"""
)


def marked_messages(root: Path = SOURCES) -> set[str]:
    """The msgids the sources mark for translation (one-line literals)."""
    found: set[str] = set()
    for path in [*root.rglob("*.html"), *root.rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        for match in _MARKED.finditer(path.read_text(encoding="utf-8")):
            found.add(next(g for g in match.groups() if g).replace('\\"', '"'))
    return found


@cache
def catalogue() -> dict[str, str]:
    """msgid → msgstr: the .po's entries, and every message the sources mark for translation
    that the .po lacks (with an empty translation: shown as such, it is untranslated)."""
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    for msgid in marked_messages() - set(entries):
        entries[msgid] = ""
    return entries


@cache
def known_codes() -> frozenset[str]:
    """Every finding and rule code of the core's code lists."""
    from veracity.core.detection import Rule
    from veracity.core.findings import CATALOGUE

    return frozenset(CATALOGUE) | frozenset(rule.value for rule in Rule)


def _without_proper_names(text: str) -> str:
    for name in PROPER_NAMES:
        text = text.replace(name, "·")
    return _URL.sub("·", text)


def text_defects(text: str, url: str, *, msgids: dict[str, str] | None = None) -> list[Defect]:
    """The defects of a Chinese page's visible text (``text`` as ``innerText`` gives it)."""
    msgids = catalogue() if msgids is None else msgids
    found: list[Defect] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, snippet: str) -> None:
        key = (kind, snippet)
        if key not in seen:
            seen.add(key)
            found.append(Defect(kind, snippet, url))

    codes = known_codes()
    for match in _UPPER_SNAKE.finditer(text):
        add("finding or rule code" if match.group() in codes else "code", match.group())
    for code in codes:
        if "_" not in code and re.search(
            rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", text
        ):
            add("finding or rule code", code)
    for match in _LOWER_SNAKE.finditer(_URL.sub("·", text)):
        add("internal code", match.group())
    for match in _ARTICLE.finditer(text):
        add("article reference", match.group().strip())
    for match in _CHINESE_PLURAL.finditer(text):
        add("English plural on a Chinese word", match.group())
    for match in _COMMAND.finditer(text):
        add("command line", match.group().strip())
    cleaned = _without_proper_names(text)
    for match in _ENGLISH_RUN.finditer(cleaned):
        # capitals only (a two-factor secret "OP QSIE IDBY", codes) are no sentence
        if sum(1 for word in re.findall(r"[A-Za-z']+", match.group()) if word != word.upper()) >= 2:
            add("English words", match.group().strip())
    for line in (segment.strip() for segment in text.splitlines()):
        if not line or not re.search(r"[A-Za-z]", line):
            continue
        for piece in {line, *re.split(r"\s*[·|:：]\s*|\t", line)}:
            piece = piece.strip()
            if (
                piece in msgids
                and msgids[piece] != piece
                and piece not in PROPER_NAMES
                and re.search(r"[A-Za-z]{2}", piece)
            ):
                add("untranslated message", piece)
    return found


#: JavaScript: the visible text, the language and the visible buttons whose text colour equals
#: their (first non-transparent) background colour.
_READ_PAGE = (Path(__file__).with_name("screen_check.js")).read_text(encoding="utf-8")


def read_page(page: Any) -> dict[str, Any] | None:
    """What a person sees on the page, or ``None`` for a page that is not HTML."""
    try:
        return page.evaluate(_READ_PAGE)
    except Exception:
        return None


def snapshot_defects(snapshot: dict[str, Any] | None, url: str) -> list[Defect]:
    if not snapshot or not str(snapshot.get("lang", "")).lower().startswith("zh"):
        return []
    found = text_defects(snapshot["text"], url)
    found += [Defect("button unreadable", label, url) for label in snapshot["invisible"]]
    return found


def defects(page: Any) -> list[Defect]:
    """Every defect of the page as it is now."""
    return snapshot_defects(read_page(page), page.url)


def failure_message(found: Iterable[Defect]) -> str:
    lines = [str(d) for d in found]
    return (
        "Chinese screens must speak Chinese (tests/web/screen_check.py). Show words, not codes "
        "(a code may stay in a title= tooltip), no article numbers, no English sentences, every "
        "message translated in django.po, buttons readable. Found:\n" + "\n".join(lines)
    )


def assert_screen_clean(page: Any) -> None:
    found = defects(page)
    assert not found, failure_message(found)
