"""``veracity reports regulator``: the same service as the page, as the person ``--as``
names; json, xlsx (text stays text) and pdf (CJK fonts embedded, rare characters drawn)."""

from __future__ import annotations

import json
import re
import zlib
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from veracity.audit.models import AuditEvent
from veracity.conduct.regulator import (
    regulator_report_prepare,
    regulator_report_review,
)
from veracity.org.principals import Staff

RARE = "𠀋䶮𪚥"  # Ext B (Noto has it), Ext A (Noto has it), Ext B (only HanaMin has it)


@pytest.fixture
def quarter(quarter_book):
    agency = quarter_book.seller("AY1", '=HYPERLINK("http://evil.example","点此")', kind="agency")
    agent = quarter_book.seller("001234567890123456789", f"张{RARE}", agency=agency)
    quarter_book.penalty(agent, date(2026, 10, 8), policies=(quarter_book.policy(agent),))
    quarter_book.penalty(agency, date(2026, 11, 8), reason="refused_true_data")
    return "2026Q4"


def run(*args: str) -> str:
    out = StringIO()
    call_command("reports", "regulator", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_to_stdout(quarter) -> None:
    data = json.loads(run("--quarter", quarter, "--as", "mike"))
    assert data["quarter"] == "2026Q4" and data["status"] == "unreleased"
    (seller,) = data["sellers"]
    assert set(seller) >= {"code", "name", "kind", "reasons", "measures", "policies"}
    assert seller["code"] == "001234567890123456789" and seller["policies"] == 1
    assert data["agencies"][0]["reasons"] == ["refused_true_data"]


def test_xlsx_writes_text_as_text(quarter, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    run("--quarter", quarter, "--format", "xlsx", "--output", str(out), "--as", "ivan")
    quarter_book = load_workbook(out)
    cells = [
        c for sheet in quarter_book for row in sheet.iter_rows() for c in row if c.value is not None
    ]
    formula = [c for c in cells if str(c.value).startswith("=")]
    assert formula and all(c.data_type == "s" for c in formula)  # a string, not a formula
    code = next(c for c in cells if c.value == "001234567890123456789")
    assert code.data_type == "s"  # a long number stays text
    counts = [c for c in quarter_book["销售人员"]["G"] if isinstance(c.value, int)]
    assert [c.value for c in counts] == [1]


def _pdf_fonts(data: bytes) -> tuple[list[bytes], str, int]:
    """The font names, the text of every ToUnicode map and the number of embedded font
    files (streams, object streams included, inflated)."""
    names = re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", data)
    files = data.count(b"/FontFile")
    maps = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            plain = zlib.decompress(stream)
        except zlib.error:
            plain = stream
        if b"beginbfchar" in plain or b"beginbfrange" in plain:
            maps.append(plain.decode("latin-1"))
        names += re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", plain)
        files += plain.count(b"/FontFile")
    return names, "\n".join(maps), files


def test_pdf_embeds_cjk_fonts_and_draws_rare_characters(quarter, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    run("--quarter", quarter, "--format", "pdf", "--output", str(out), "--as", "olga")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    names, maps, files = _pdf_fonts(data)
    assert any(b"Noto-Sans-CJK-SC" in n or b"NotoSansCJK" in n for n in names), names
    assert any(b"HanaMin" in n for n in names), names  # the fallback for 𪚥
    assert files >= 2  # embedded, not referenced
    for char in RARE:
        utf16 = char.encode("utf-16-be").hex()
        # each character maps from a real glyph (not glyph 0, the "missing" box)
        found = re.findall(rf"<([0-9a-f]{{4}})>\s*<{utf16}>", maps, re.I)
        assert found and all(gid != "0000" for gid in found), char


def test_the_released_edition_is_served_as_frozen(quarter, personas, tmp_path: Path) -> None:
    report = regulator_report_prepare(principal=Staff(personas["mike"]), quarter=quarter)
    for reviewer in ("ivan", "mona"):
        regulator_report_review(
            principal=Staff(personas[reviewer]), report_id=report.pk, approve=True
        )
    report.refresh_from_db()
    data = json.loads(run("--quarter", quarter, "--as", "olga"))
    assert data["edition"] == 1 and data["status"] == "released"
    assert data["content_sha256"] == report.content_sha256
    out = tmp_path / "r.pdf"
    run("--quarter", quarter, "--format", "pdf", "--output", str(out), "--as", "olga")
    import hashlib

    assert hashlib.sha256(out.read_bytes()).hexdigest() == report.files["pdf"]


@pytest.mark.parametrize(
    ("args", "returncode"),
    [
        (("--as", "alice"), 4),  # an agent may not see the report
        (("--as", "nobody"), 4),
        ((), 3),
        (("--as", "mike", "--quarter", "2026Q5"), 3),
    ],
)
def test_refusals_exit_with_their_code_and_are_recorded(quarter, args, returncode) -> None:
    argv = list(args)
    if "--quarter" not in argv:
        argv += ["--quarter", quarter]
    before = AuditEvent.objects.filter(action="access_refused").count()
    with pytest.raises(CommandError) as caught:
        run(*argv)
    assert caught.value.returncode == returncode
    assert AuditEvent.objects.filter(action="access_refused").count() == before + 1


def test_xlsx_and_pdf_need_an_output_file(quarter) -> None:
    with pytest.raises(CommandError):
        run("--quarter", quarter, "--format", "pdf", "--as", "mike")
