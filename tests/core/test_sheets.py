"""The export helper (``veracity.core.sheets``): text as text in Excel, apostrophes in CSV."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from veracity.core.sheets import TextSheet, csv_cell, csv_row, workbook


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("王芳", "王芳"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (-2, "-2"),  # a number is not text: no apostrophe
        (12, "12"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_csv_row():
    assert csv_row(["=1", 3, None]) == ["'=1", "3", ""]


def test_no_option_turns_formulas_back_on():
    out = io.BytesIO()
    book = workbook(out, {"in_memory": True, "strings_to_formulas": True, "strings_to_urls": True})
    sheet = book.add_worksheet()
    sheet.write(0, 0, "=1+1")  # even the generic write
    sheet.write(0, 1, "http://evil.example")
    sheet.write(0, 2, "0012")
    book.close()
    row = next(load_workbook(out).active.iter_rows())
    assert [(c.value, c.data_type) for c in row] == [
        ("=1+1", "s"),
        ("http://evil.example", "s"),
        ("0012", "s"),
    ]
    assert not any(c.hyperlink for c in row)


@pytest.mark.parametrize(
    ("value", "numeric", "expected", "data_type"),
    [
        ("=1+1", False, "=1+1", "s"),
        (110101199003078888, False, "110101199003078888", "s"),  # an id: text, all digits
        (42, True, 42, "n"),  # a quantity column
        (42, False, "42", "s"),
        (True, True, "True", "s"),
        (date(2026, 11, 26), False, None, "date"),
    ],
)
def test_text_sheet_writes_by_type(value, numeric, expected, data_type):
    out = io.BytesIO()
    book = workbook(out, {"in_memory": True})
    cells = TextSheet(
        book.add_worksheet(),
        numeric=(0,) if numeric else (),
        date_format=book.add_format({"num_format": "yyyy-mm-dd"}),
    )
    cells.row(0, [value, None, ""])
    book.close()
    sheet = load_workbook(out).active
    assert sheet.max_column == 1  # None and "" are blank cells
    cell = sheet.cell(1, 1)
    if data_type == "date":
        assert cell.is_date and cell.value.date() == value
    else:
        assert cell.data_type == data_type
    if expected is not None:
        assert cell.value == expected
