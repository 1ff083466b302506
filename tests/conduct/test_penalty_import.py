"""``veracity import penalties FILE``: penalties decided in the sales-management system, one
per line; idempotent; every bad line reported with its line, field and reason, nothing of it
stored; the good lines go in."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from veracity.audit.services import Actor
from veracity.conduct.models import Penalty
from veracity.conduct.penalties import penalties_import
from veracity.ingest.readers import read_records
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("import:penalties")


@pytest.fixture
def policy_no(book, item):
    policy = Policy.objects.filter(seller__code="AG1").first()
    if not policy.policy_no:
        policy.policy_no = "P2026000001"
        policy.save(update_fields=["policy_no"])
    return policy.policy_no


def _file(tmp_path, rows):
    path = tmp_path / "penalties.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


GOOD = {
    "seller_code": "AG1",
    "decided_on": "2026-10-15",
    "reason": "false_data",
    "measure": "commission_deduction",
    "amount": 500,
    "note": "销售管理系统决定",
}


def test_imported_once_then_unchanged(tmp_path, policy_no):
    rows = [
        {**GOOD, "policy_nos": [policy_no]},
        {
            "agency_code": "AGY1",
            "decided_on": "2026-10-20",
            "reason": "refused_true_data",
            "measure": "cooperation_termination",
        },
    ]
    path = _file(tmp_path, rows)
    report = penalties_import(read_records(path), actor=ACTOR)
    assert (report.rows, report.created, report.errors) == (2, 2, [])
    first = Penalty.objects.get(seller__code="AG1")
    assert (first.status, first.amount, first.decided_on) == (
        "imported",
        Decimal("500.00"),
        date(2026, 10, 15),
    )
    assert list(first.policies.values_list("policy_no", flat=True)) == [policy_no]
    agency = Penalty.objects.get(seller__code="AGY1")
    agency.seller.refresh_from_db()
    assert agency.seller.terminated_on == date(2026, 10, 20)  # a termination in force
    again = penalties_import(read_records(path), actor=ACTOR)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert Penalty.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"seller_code": "NOPE"}, "seller_code", "NOPE"),
        ({"reason": "refused_true_data"}, "reason", "代理机构"),
        ({"amount": None}, "amount", "金额"),
        ({"policy_nos": ["P-UNKNOWN"]}, "policy_nos", "P-UNKNOWN"),
        ({"decided_on": "15/10/2026"}, "decided_on", "日期"),
        ({"measure": "cooperation_suspension"}, "measure", "销售人员"),
        ({"seller_code": None}, "seller_code", "代码"),
    ],
)
def test_bad_lines_are_reported_and_the_good_go_in(tmp_path, policy_no, changes, field, words):
    bad = {**GOOD, **changes}
    path = _file(tmp_path, [bad, {**GOOD, "decided_on": "2026-10-16"}])
    report = penalties_import(read_records(path), actor=ACTOR)
    [error] = report.errors
    assert (error.line, error.field) == (1, field)
    assert words in error.reason_zh and error.reason_en
    assert report.created == 1
    assert list(Penalty.objects.values_list("decided_on", flat=True)) == [date(2026, 10, 16)]


def test_the_command(tmp_path, book):
    path = _file(tmp_path, [GOOD, {**GOOD, "seller_code": "ZZ9"}])
    out = StringIO()
    call_command("import", "penalties", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    summary = json.loads(lines[0])
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert lines[1].startswith("line 2: seller_code:")
