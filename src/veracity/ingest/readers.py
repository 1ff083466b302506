"""Reading application and seller files: ``.jsonl``, ``.csv`` and ``.xlsx``.

Every record comes with the line (or spreadsheet row) it was read from, so an error report
can point at it; a line that cannot be read at all becomes a ``RowError`` and reading goes
on with the next line.

Text files (JSONL, CSV) are UTF-8, with or without a byte-order mark, unless the caller
names another encoding. Any byte string decodes as GB18030, so a file that is not UTF-8 is
taken as GB18030 only when nothing in it decodes to a replacement or a Private Use Area
character (the marks of a Big5 or other file read with the wrong table); otherwise the whole
file is refused before a single record is read, never imported as wrong names.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veracity.core.records import unflatten
from veracity.core.refusals import Refusal
from veracity.ingest import refusals as _refusals  # noqa: F401  (registers the words)

SUPPORTED = (".jsonl", ".ndjson", ".json", ".csv", ".xlsx")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    reason_zh: str
    reason_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "field": self.field,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


class UnreadableFile(Refusal):
    """A file that cannot be read at all (the ``ingest.*`` entries of
    :mod:`veracity.ingest.refusals`)."""

    namespace = "ingest"

    @property
    def reason_zh(self) -> str:
        return self.message_zh

    @property
    def reason_en(self) -> str:
        return self.message_en


Record = tuple[int, dict[str, Any] | RowError]


def read_records(path: Path, *, encoding: str | None = None) -> Iterator[Record]:
    """Yield ``(line, record)`` or ``(line, RowError)`` for every data line of the file.

    ``encoding`` is the declared encoding of a text file (``None``: UTF-8, see the module);
    an Excel file is binary and ignores it. ``UnreadableFile`` when the file cannot be
    decoded, raised before the first record."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableFile(
            "file_type",
            suffix_zh=suffix or "(无扩展名)",
            suffix_en=suffix or "(none)",
            allowed_zh=".jsonl、.csv 或 .xlsx",
            allowed_en=".jsonl, .csv or .xlsx",
        )
    if not path.is_file():
        raise UnreadableFile("not_found", path=path)
    if suffix == ".xlsx":
        yield from _read_xlsx(path)
        return
    codec = text_encoding(path, declared=encoding)
    if suffix == ".csv":
        yield from _read_csv(path, codec)
    else:
        yield from _read_jsonl(path, codec)


_CHUNK = 1 << 20
_UTF8 = "utf-8-sig"  # reads UTF-8 with or without a byte-order mark


def text_encoding(path: Path, *, declared: str | None = None) -> str:
    """The codec to read the text file ``path`` with, checked over the whole file (one
    streaming pass, nothing held in memory); ``UnreadableFile`` with the reason otherwise.

    Declared: that encoding, if every byte of the file decodes in it. Not declared: UTF-8;
    else GB18030 when the text it gives holds no replacement (U+FFFD) and no Private Use
    Area character (U+E000–U+F8FF, planes 15 and 16)."""
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            raise UnreadableFile("unknown_encoding", declared=declared) from None
        codec = _UTF8 if name == "utf-8" else name
        failure = _first_undecodable(path, codec)
        if failure is not None:
            line, column = failure
            raise UnreadableFile(
                "not_declared_encoding", declared=declared, line=line, column=column
            )
        return codec
    failure = _first_undecodable(path, _UTF8)
    if failure is None:
        return _UTF8
    line, column = failure
    suspect = _first_suspect_gb18030(path)
    if suspect is None:
        return "gb18030"
    where_zh = f"第 {line} 行第 {column} 个字节不是 UTF-8"
    where_en = f"line {line}, byte {column} is not UTF-8"
    if suspect[0] > 0:
        where_zh += f"；按 GB18030 解读时第 {suspect[0]} 行出现乱码字符 {suspect[1]}"
        where_en += f"; read as GB18030, line {suspect[0]} holds the garbled character {suspect[1]}"
    raise UnreadableFile("unknown_file_encoding", where_zh=where_zh, where_en=where_en)


def _first_undecodable(path: Path, codec: str) -> tuple[int, int] | None:
    """(line, byte in that line, both from 1) of the first byte ``codec`` cannot decode."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset = 0  # of the chunk in the file
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # The decoder holds back an incomplete sequence at a chunk's end and puts
                # it before the next chunk: ``exc.object`` is that tail plus this chunk.
                held = len(exc.object) - len(chunk)
                return _position(path, offset - held + exc.start)
            if not chunk:
                return None
            offset += len(chunk)


def _position(path: Path, offset: int) -> tuple[int, int]:
    with path.open("rb") as handle:
        head = handle.read(offset)
    return head.count(b"\n") + 1, offset - (head.rfind(b"\n") + 1) + 1


def _first_suspect_gb18030(path: Path) -> tuple[int, str] | None:
    """``None`` when the file reads as GB18030 text without a replacement or Private Use
    Area character; else (line, the character as U+XXXX) of the first one, line 0 when the
    file does not decode as GB18030 at all."""
    try:
        with path.open(encoding="gb18030", errors="strict", newline="") as handle:
            for line_no, text in enumerate(handle, start=1):
                if found := _SUSPECT.search(text):
                    return line_no, f"U+{ord(found.group()):04X}"
    except UnicodeDecodeError:
        return 0, ""
    return None


# The replacement character and the Private Use Areas (BMP, planes 15 and 16).
_SUSPECT = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _read_jsonl(path: Path, codec: str) -> Iterator[Record]:
    # Checked whole by ``text_encoding``: every line decodes. Lines end at line feeds only
    # (a lone carriage return inside a JSON string belongs to the record).
    with path.open(encoding=codec, newline="\n") as handle:
        for line_no, raw in enumerate(handle, start=1):
            text = raw.strip()
            if not text:
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield (
                    line_no,
                    RowError(
                        line_no,
                        "",
                        f"JSON 格式错误（第 {exc.colno} 列）",
                        f"invalid JSON (column {exc.colno}: {exc.msg})",
                    ),
                )
                continue
            if not isinstance(value, dict):
                yield (
                    line_no,
                    RowError(
                        line_no, "", "每行应为一个 JSON 对象", "each line must be one JSON object"
                    ),
                )
                continue
            yield line_no, value


def _read_csv(path: Path, codec: str) -> Iterator[Record]:
    text = path.read_bytes().decode(codec)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, RowError(reader.line_num, "", "CSV 格式错误", str(exc))
            continue
        if None in row:
            yield (
                reader.line_num,
                RowError(reader.line_num, "", "该行的列数多于表头", "more columns than the header"),
            )
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        yield reader.line_num, _unflatten(row, reader.line_num)


def _read_xlsx(path: Path) -> Iterator[Record]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile("excel", error=exc) from exc
    sheet = book.worksheets[0]
    header: list[str] = []
    for row_no, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = ["" if c is None else str(c).strip() for c in cells]
        if not header:
            header = values
            continue
        if not any(values):
            continue
        row = dict(zip(header, values, strict=False))
        yield row_no, _unflatten(row, row_no)
    book.close()


def _unflatten(row: dict[str, Any], line: int) -> dict[str, Any] | RowError:
    try:
        return unflatten(row)
    except ValueError as exc:
        return RowError(line, "", "该行无法解析", str(exc))


@dataclass
class ImportCounts:
    """What a file import did: rows read, records created / updated / unchanged, and every
    row that could not be stored, with its line and reason."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
        }
