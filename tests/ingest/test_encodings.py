"""Encodings of imported files: UTF-8 unless declared; GB18030 only when it reads cleanly;
anything else is refused with the reason, never imported as wrong names (issue 10, point 7)."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import resident_id
from veracity.core.records import flatten
from veracity.customers.models import Customer
from veracity.ingest.readers import UnreadableFile, read_records, text_encoding

# Names in both Big5 and GB18030; read as GB18030, Big5 bytes of most of them give Private
# Use Area characters (陳大文 → 朝ゅ + U+E0xx), a few give other, wrong names (高雷 → 蔼筽).
NAMES = ["高雷", "陳大文", "張偉", "李娜", "王秀英", "劉洋", "黃志明", "林美玲", "吳家豪", "鄭淑芬"]


def write(path: Path, text: str, encoding: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def names_csv(make_application, names: list[str]) -> str:
    rows = []
    for i, name in enumerate(names):
        app = make_application(
            f"E{i:03d}",
            policyholder__name=name,
            policyholder__id_number=resident_id("110101", "1985-03-14", 100 + 2 * i),
            policyholder__address="臺北市中正區重慶南路一段122號",
            insured__name="李小明",
            beneficiaries=[{"relation": "parent", "name": "李強", "share": 100}],
            payer_account__holder_name=name,
            payer_account__holder_id_number=resident_id("110101", "1985-03-14", 100 + 2 * i),
        )
        rows.append(flatten(app))
    header = sorted({k for row in rows for k in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def names_read(path: Path, encoding: str | None = None) -> list[str]:
    return [
        record["policyholder"]["name"]
        for _, record in read_records(path, encoding=encoding)
        if isinstance(record, dict)
    ]


LINE = '{"policyholder": {"name": "%s"}}\n'


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        ((LINE % "陳大文").encode("utf-8"), None, "utf-8-sig"),
        (b"\xef\xbb\xbf" + (LINE % "陳大文").encode("utf-8"), None, "utf-8-sig"),
        (b"\xef\xbb\xbf" + (LINE % "陈大文").encode("utf-8"), "utf-8", "utf-8-sig"),
        # GB18030 without a Private Use Area character: taken as GB18030
        ((LINE % "陈大文").encode("gb18030"), None, "gb18030"),
        ((LINE % "陈大文").encode("gb18030"), "GB18030", "gb18030"),
        ((LINE % "陳大文").encode("big5"), "big5", "big5"),
        # declared GB18030 is taken as declared, Private Use Area and all
        ((LINE % "陳大文").encode("big5"), "gb18030", "gb18030"),
    ],
)
def test_accepted_encodings(tmp_path, data, declared, expected):
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    assert text_encoding(path, declared=declared) == expected


@pytest.mark.parametrize(
    ("data", "declared", "in_reason"),
    [
        # Big5 read as GB18030 gives Private Use Area characters
        ((LINE % "陳大文").encode("big5"), None, "U+E"),
        # the second line is Big5 after a UTF-8 first line: refused as a whole, with its line
        ((LINE % "高雷").encode("utf-8") + (LINE % "陳大文").encode("big5"), None, "line 2"),
        # not even GB18030 (a lone lead byte at the end)
        ((LINE % "陈").encode("utf-8") + b"\x81", None, "line 2, byte 1 is not UTF-8"),
        # declared, but the bytes are not in it
        ((LINE % "陈大文").encode("gb18030"), "utf-8", "line 1, byte 28"),
        ((LINE % "陈大文").encode("utf-8"), "big5", "declared encoding big5"),
        (b"{}\n", "klingon", "unknown encoding"),
    ],
)
def test_refused_encodings(tmp_path, data, declared, in_reason):
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as refused:
        list(read_records(path, encoding=declared))
    assert in_reason in refused.value.reason_en
    assert refused.value.reason_zh and refused.value.reason_zh != refused.value.reason_en


def test_nothing_is_read_from_a_refused_file(tmp_path):
    """The whole file is checked before the first record: no good first lines get in."""
    path = tmp_path / "a.jsonl"
    path.write_bytes((LINE % "高雷").encode("utf-8") * 3 + (LINE % "陳大文").encode("big5"))
    records = read_records(path)
    with pytest.raises(UnreadableFile):
        next(records)


def test_csv_big5_utf8_bom_and_gb18030(tmp_path, make_application):
    text = names_csv(make_application, NAMES)
    with pytest.raises(UnreadableFile):
        names_read(write(tmp_path / "big5.csv", text, "big5"))
    assert names_read(write(tmp_path / "big5.csv", text, "big5"), "big5") == NAMES
    assert names_read(write(tmp_path / "bom.csv", text, "utf-8", bom=True)) == NAMES
    assert names_read(write(tmp_path / "gb.csv", text, "gb18030")) == NAMES


def test_jsonl_lines_end_at_line_feeds_only(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes('{"policyholder": {"name": "高\u2028雷\\r"}}\r\n{}\n'.encode())
    assert [line for line, _ in read_records(path)] == [1, 2]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_import_refuses_big5_unless_declared(tmp_path, make_application):
    path = write(tmp_path / "big5.csv", names_csv(make_application, NAMES), "big5")
    with pytest.raises(CommandError, match="--encoding"):
        run("import", "applications", str(path))
    assert not Customer.objects.exists()
    with pytest.raises(CommandError, match="--encoding"):
        run("gate", str(path))

    summary = json.loads(run("import", "applications", str(path), "--encoding", "big5"))
    assert summary["created"] == len(NAMES)
    stored = set(Customer.objects.values_list("name", flat=True))
    assert set(NAMES) <= stored
    verdicts = run("gate", str(path), "--encoding", "big5").splitlines()
    assert len(verdicts) == len(NAMES)
