"""Reading application and seller files: ``.jsonl``, ``.csv`` and ``.xlsx``.

Every record comes with the line (or spreadsheet row) it was read from, so an error report
can point at it; a line that cannot be read at all becomes a ``RowError`` and reading goes
on with the next line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veracity.core.records import unflatten

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


class UnreadableFile(Exception):
    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_zh = reason_zh
        self.reason_en = reason_en


Record = tuple[int, dict[str, Any] | RowError]


def read_records(path: Path) -> Iterator[Record]:
    """Yield ``(line, record)`` or ``(line, RowError)`` for every data line of the file."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableFile(
            f"不支持的文件类型 {suffix or '(无扩展名)'}，请使用 .jsonl、.csv 或 .xlsx",
            f"unsupported file type {suffix or '(none)'}; use .jsonl, .csv or .xlsx",
        )
    if not path.is_file():
        raise UnreadableFile(f"找不到文件 {path}", f"file not found: {path}")
    if suffix == ".csv":
        yield from _read_csv(path)
    elif suffix == ".xlsx":
        yield from _read_xlsx(path)
    else:
        yield from _read_jsonl(path)


def _read_jsonl(path: Path) -> Iterator[Record]:
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8").strip()
            except UnicodeDecodeError:
                yield line_no, RowError(line_no, "", "不是 UTF-8 编码", "not UTF-8 text")
                continue
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


def _read_csv(path: Path) -> Iterator[Record]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_bytes().decode("gb18030")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                "无法识别文件编码（应为 UTF-8 或 GB18030）",
                "cannot decode the file (expected UTF-8 or GB18030)",
            ) from exc
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
        raise UnreadableFile("无法打开 Excel 文件", f"cannot open the Excel file ({exc})") from exc
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
