"""Every Excel and CSV export writes text as text: the one helper all exporters use.

A spreadsheet program takes a cell that starts with ``=`` (and, depending on the program,
``+``, ``-``, ``@``, a tab or a carriage return) for a formula: a customer name, a reason or an
application number such as ``=HYPERLINK("http://evil.example","点此")`` would become a live
link or a command in the reader's Excel (CSV injection). XlsxWriter makes it worse by
default: ``strings_to_formulas`` turns such text into a formula, ``strings_to_numbers`` turns
``0012`` into 12 and ``strings_to_urls`` turns text into hyperlinks.

So an export

- opens its workbook with :func:`workbook`, which forces those three options off;
- writes through :class:`TextSheet`, which writes every string with ``write_string`` and
  numbers only where the caller says the column is a quantity: identifiers (customer,
  item and application numbers, account numbers) are written as text, so a leading zero or
  an 18-digit number never turns into 1.2E+17;
- writes CSV rows through :func:`csv_row`, which puts an apostrophe before a cell that a
  spreadsheet would take for a formula (the OWASP advice; the value is otherwise kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter

__all__ = ["FORMULA_START", "SAFE_OPTIONS", "TextSheet", "csv_cell", "csv_row", "workbook"]

#: A cell starting with one of these is taken for a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: XlsxWriter options no export may turn back on.
SAFE_OPTIONS: Mapping[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def workbook(out: str | IO[bytes], options: Mapping[str, Any] | None = None) -> Any:
    """An ``xlsxwriter.Workbook`` writing to ``out`` with ``options`` (e.g. ``in_memory``,
    ``constant_memory``) and, whatever they say, :data:`SAFE_OPTIONS`."""
    return xlsxwriter.Workbook(out, {**(options or {}), **SAFE_OPTIONS})


class TextSheet:
    """A worksheet whose cells are written by type, text always as text.

    ``numeric`` names the columns (0-based) that hold quantities: only there is an ``int``
    or ``float`` written as a number; anywhere else it is an identifier and written as its
    text. ``date`` and ``datetime`` values are written as dates with ``date_format``.
    """

    def __init__(self, sheet: Any, *, numeric: Iterable[int] = (), date_format: Any = None) -> None:
        self.sheet = sheet
        self.numeric = frozenset(numeric)
        self.date_format = date_format

    def text(self, row: int, col: int, value: object, cell_format: Any = None) -> None:
        """``value`` as text (a blank cell for None or "")."""
        if value is None or value == "":
            return
        self.sheet.write_string(row, col, str(value), cell_format)

    def cell(self, row: int, col: int, value: object, cell_format: Any = None) -> None:
        if value is None or value == "":
            return
        if isinstance(value, bool):
            self.sheet.write_string(row, col, str(value), cell_format)
        elif isinstance(value, int | float) and col in self.numeric:
            self.sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, datetime | date):
            self.sheet.write_datetime(row, col, value, cell_format or self.date_format)
        else:
            self.sheet.write_string(row, col, str(value), cell_format)

    def row(self, row: int, values: Iterable[object], cell_format: Any = None) -> None:
        for col, value in enumerate(values):
            self.cell(row, col, value, cell_format)


def csv_cell(value: object) -> str:
    """A value as a CSV cell: "" for None, an apostrophe before text that looks like a
    formula."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return str(value)  # a number is a number: -2 stays -2


def csv_row(values: Iterable[object]) -> list[str]:
    return [csv_cell(v) for v in values]
