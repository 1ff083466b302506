"""``veracity import`` and ``veracity gate``: good rows in, bad rows reported, idempotent."""

from __future__ import annotations

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from veracity.core.records import flatten
from veracity.customers.models import Customer
from veracity.policies.models import Policy
from veracity.sales.models import Seller

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write_jsonl(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_reports_bad_rows_and_keeps_good_ones(tmp_path, make_application):
    lines = [
        json.dumps(make_application("A1"), ensure_ascii=False),
        "{not json",
        json.dumps(make_application("A3", channel="pigeon"), ensure_ascii=False),
        json.dumps(
            make_application("A4", policyholder__birth_date="1985-03-15"), ensure_ascii=False
        ),
        json.dumps(["a list"]),
    ]
    out = run("import", "applications", str(write_jsonl(tmp_path / "apps.jsonl", lines)))
    summary = json.loads(out.splitlines()[0])
    assert summary["rows"] == 5
    assert summary["created"] == 2
    assert summary["gate_fail"] == 1
    assert summary["rejected"] == 3
    assert "line 2:" in out and "invalid JSON" in out
    assert "line 3: channel:" in out
    assert "line 5:" in out
    assert set(Policy.objects.values_list("application_no", flat=True)) == {"A1", "A4"}


def test_import_is_idempotent(tmp_path, make_application):
    path = write_jsonl(
        tmp_path / "apps.jsonl",
        [json.dumps(make_application(f"A{i}"), ensure_ascii=False) for i in range(3)],
    )
    run("import", "applications", str(path))
    customers = Customer.objects.count()
    out = run("import", "applications", str(path))
    assert json.loads(out.splitlines()[0])["unchanged"] == 3
    assert Customer.objects.count() == customers
    assert Policy.objects.count() == 3


def test_import_csv_and_xlsx(tmp_path, make_application):
    rows = [flatten(make_application("C1")), flatten(make_application("C2"))]
    header = sorted({k for r in rows for k in r})
    csv_path = tmp_path / "apps.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append([flatten(make_application("X1")).get(h, "") for h in header])
    xlsx_path = tmp_path / "apps.xlsx"
    book.save(xlsx_path)
    run("import", "applications", str(csv_path))
    run("import", "applications", str(xlsx_path))
    assert set(Policy.objects.values_list("application_no", flat=True)) == {"C1", "C2", "X1"}
    assert Policy.objects.get(application_no="X1").verdict == "pass"


def test_gate_command_prints_one_verdict_per_line(tmp_path, make_application):
    lines = [
        json.dumps(make_application("G1"), ensure_ascii=False),
        "oops",
        json.dumps(make_application("G2", insured__sex="F"), ensure_ascii=False),
    ]
    out = run("gate", str(write_jsonl(tmp_path / "apps.jsonl", lines)))
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [v["verdict"] for v in verdicts] == ["pass", "unreadable", "fail"]
    assert verdicts[2]["findings"][0]["code"] == "ID_SEX_MISMATCH"
    assert Policy.objects.count() == 0


def test_unsupported_file_is_a_clear_error(tmp_path):
    path = tmp_path / "apps.txt"
    path.write_text("x")
    with pytest.raises(CommandError, match="unsupported file type"):
        run("import", "applications", str(path))


def test_import_sellers_idempotent_by_code(tmp_path):
    lines = [
        json.dumps(
            {
                "code": "AG00017",
                "kind": "agent",
                "name": "张三",
                "agency_code": "AY01",
                "phones": ["139 1111 2222"],
                "address": "上海市浦东新区1号",
                "qualified": True,
            },
            ensure_ascii=False,
        ),
        json.dumps(
            {
                "code": "AY01",
                "kind": "agency",
                "name": "平安代理",
                "agency_code": None,
                "phones": [],
                "address": None,
                "qualified": True,
            },
            ensure_ascii=False,
        ),
        json.dumps(
            {
                "code": "BS01",
                "kind": "bancassurance_specialist",
                "name": "李四",
                "phones": ["021-65529988"],
                "qualified": False,
            },
            ensure_ascii=False,
        ),
        json.dumps({"code": "X", "kind": "wizard", "name": "?"}),
    ]
    path = write_jsonl(tmp_path / "sellers.jsonl", lines)
    out = run("import", "sellers", str(path))
    assert json.loads(out.splitlines()[0])["created"] == 3
    assert "line 4: kind:" in out
    agent = Seller.objects.get(code="AG00017")
    assert agent.agency.code == "AY01" and agent.qualified
    assert agent.contacts.count() == 2
    again = json.loads(run("import", "sellers", str(path)).splitlines()[0])
    assert again["unchanged"] == 3 and Seller.objects.count() == 3
