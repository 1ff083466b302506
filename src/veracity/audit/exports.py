"""The audit trail as a file: Excel (XlsxWriter, constant memory) or CSV (UTF-8 with BOM so
Excel reads Chinese). Every column the hash covers is written, the time also exactly as it
was hashed, so the chain of an unfiltered export can be recomputed from the file alone.
Text is written as text through :mod:`veracity.core.sheets` (only the sequence number is a
number; ids are text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.utils import timezone

from veracity.audit.chain import stamp
from veracity.core.sheets import TextSheet, csv_row, workbook

__all__ = ["COLUMNS", "XLSX_MAX_ROWS", "trail_csv", "trail_xlsx"]

#: (header zh, header en, width) — one per exported value, in ``_values`` order.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("序号", "Seq", 10),
    ("时间", "Time", 20),
    ("时间（UTC，参与哈希）", "Time (UTC, as hashed)", 28),
    ("操作人", "Actor", 16),
    ("操作人编号", "Actor id", 10),
    ("操作", "Action", 22),
    ("对象类型", "Object type", 14),
    ("对象编号", "Object id", 14),
    ("客户编号", "Customer id", 11),
    ("目的", "Purpose", 16),
    ("IP地址", "IP address", 15),
    ("详情", "Detail", 50),
    ("前一哈希", "Previous hash", 20),
    ("哈希", "Hash", 20),
)

#: Excel's sheet holds 1,048,576 rows; the title and the header take two.
XLSX_MAX_ROWS = 1_048_574


def _values(row: tuple[Any, ...]) -> list[Any]:
    """An ``selectors.EXPORT_FIELDS`` tuple as the exported values."""
    seq, occurred_at, actor, actor_id, action, otype, oid, cid, purpose, ip, detail, ph, h = row
    local: datetime = timezone.localtime(occurred_at)
    return [
        seq,
        local.strftime("%Y-%m-%d %H:%M:%S"),
        stamp(occurred_at),
        actor,
        actor_id,
        action,
        otype,
        oid,
        cid,
        purpose,
        ip,
        detail,
        ph,
        h,
    ]


def trail_xlsx(
    rows: Iterable[tuple[Any, ...]], out: IO[bytes], *, title: str, max_rows: int = XLSX_MAX_ROWS
) -> tuple[int, bool]:
    """Write the workbook to ``out``; returns (events written, whether rows were left out
    because the sheet was full — then the last row says so)."""
    book = workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("审计轨迹")
    cells = TextSheet(sheet, numeric=(0,))  # the sequence number; ids are text
    title_format = book.add_format({"bold": True, "font_size": 13})
    header = book.add_format(
        {"bold": True, "bg_color": "#DDE4EE", "text_wrap": True, "valign": "top", "border": 1}
    )
    for col, (_zh, _en, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(2, 0)
    sheet.write_string(0, 0, title, title_format)
    for col, (zh, en, _width) in enumerate(COLUMNS):
        sheet.write_string(1, col, f"{zh}\n{en}", header)
    sheet.set_row(1, 32)
    written, truncated = 0, False
    for row in rows:
        if written >= max_rows:
            truncated = True
            break
        cells.row(2 + written, _values(row))  # an actor named "=HYPERLINK(…)" stays text
        written += 1
    if truncated:
        sheet.write_string(
            2 + written,
            0,
            f"…… 超过 {max_rows} 行，其余未导出，请使用 CSV / more than {max_rows} rows: "
            "the rest is left out, export CSV instead",
        )
    sheet.autofilter(1, 0, max(1 + written, 1), len(COLUMNS) - 1)
    book.close()
    return written, truncated


def trail_csv(rows: Iterable[tuple[Any, ...]], out: IO[bytes]) -> int:
    """Write the CSV to ``out``; returns the events written. A text value that a
    spreadsheet would take for a formula gets a leading apostrophe."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(csv_row(f"{zh} / {en}" for zh, en, _width in COLUMNS))
    written = 0
    for row in rows:
        writer.writerow(csv_row(_values(row)))
        written += 1
    text.flush()
    text.detach()
    return written
