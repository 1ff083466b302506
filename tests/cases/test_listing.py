"""The problem-item list: visibility per role, deadlines, filters, audit, CLI (issue 3)."""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from tests.conftest import TODAY, base_application, resident_id
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.cases.listing import (
    ListingError,
    investigation_deadline,
    problem_items,
)
from veracity.cases.models import ProblemItem
from veracity.detection.services import detection_run
from veracity.org.principals import Staff, system, with_purpose
from veracity.policies.models import Policy
from veracity.policies.services import applications_store
from veracity.workcal.selectors import calendar

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
SYSTEM = system("test")  # audited as ACTOR
FIRST_SEEN = date(2026, 9, 29)
_seq = itertools.count(300)


def _person(name: str, birth: str, phone: str) -> dict:
    seq = next(_seq) * 2
    return {
        "name": name,
        "sex": "F",
        "birth_date": birth,
        "id_type": "resident_id",
        "id_number": resident_id("310101", birth, seq % 1000),
        "address": f"上海市{name}路1号",
        "phones": [phone],
    }


def _apply(no: str, holder: dict, *, channel: str = "agency", seller: str = "AG1") -> Policy:
    app = base_application(no)
    app.update(
        policyholder=holder,
        insured={"relation": "self"},
        beneficiaries=[],
        channel=channel,
        seller={"code": seller, "agency_code": None},
    )
    app["payer_account"] = {
        "number": f"62220202{next(_seq):011d}",
        "holder_name": holder["name"],
        "holder_id_number": holder["id_number"],
    }
    [result] = applications_store([app], source="test", actor=ACTOR, as_of=TODAY)
    return result.policy


def listed(**filters: Any) -> Any:
    """The problem list as the system reads it (audited as ACTOR)."""
    return problem_items(principal=with_purpose(SYSTEM, "t"), action="problems.list", **filters)


def make_items(first_seen: date = FIRST_SEEN) -> ProblemItem:
    """Two strangers, one phone: one SHARED_PHONE item first seen on ``first_seen``; the
    second policy is bancassurance, sold by BK7."""
    _apply("L1", _person("王小芳", "1980-01-01", "13800138000"))
    _apply(
        "L2", _person("赵大海", "1981-01-01", "13800138000"), channel="bancassurance", seller="BK7"
    )
    detection_run(business_date=first_seen, full=True, actor=ACTOR)
    return ProblemItem.objects.get(rule="SHARED_PHONE")


@pytest.mark.parametrize(
    ("username", "sees"),
    [("alice", 0), ("carol", 1), ("sam", 1), ("dave", 1), ("ivan", 1), ("audrey", 0), ("admin", 1)],
)
def test_visibility_per_role(personas, username, sees):
    make_items()
    before = AuditEvent.objects.count()
    listing = problem_items(
        principal=with_purpose(Staff(personas[username]), "problem_item"), action="problems.list"
    )
    assert (len(listing.items), listing.total) == (sees, sees)
    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert (event.action, event.object_type, event.purpose, event.actor) == (
        Action.VIEW_PERSONAL_DATA,
        "problem_item_list",
        "problem_item",
        username,
    )


def test_view_model_is_masked_and_explained(personas):
    item = make_items()
    [row] = problem_items(
        principal=with_purpose(Staff(personas["sam"]), "problem_item"), action="problems.list"
    ).items
    assert (row.id, row.rule, row.severity, row.status) == (
        item.pk,
        "SHARED_PHONE",
        item.severity,
        "open",
    )
    assert row.rule_name == "不同客户使用同一电话号码"
    assert row.shared_value == "138****8000"
    assert row.reason == item.reason_zh
    assert (row.first_seen_on, row.last_seen_on) == (FIRST_SEEN, FIRST_SEEN)
    assert sorted(m.name for m in row.members) == ["王*芳", "赵*海"]
    by_no = {m.application_no: m for m in row.members}
    assert (by_no["L2"].channel, by_no["L2"].seller_code) == ("bancassurance", "BK7")
    assert all(m.archive_no for m in row.members)
    with translation.override("en"):
        [row] = problem_items(
            principal=with_purpose(Staff(personas["sam"]), "problem_item"), action="problems.list"
        ).items
    assert row.rule_name == "One phone number under different customers"
    assert row.reason == item.reason_en


def test_deadline_is_three_working_days_after_distribution():
    make_items()
    [row] = listed().items
    # 30 Sep distributed; 1–7 Oct National Day; 8, 9 and the make-up Saturday 10 Oct.
    assert (row.distributed_on, row.deadline, row.deadline_basis, row.deadline_provisional) == (
        date(2026, 9, 30),
        date(2026, 10, 10),
        "3_working_days",
        False,
    )


def test_deadline_never_after_the_cooling_off_callback():
    make_items()
    Policy.objects.filter(application_no="L2").update(callback_due_on=date(2026, 10, 8))
    Policy.objects.filter(application_no="L1").update(callback_due_on=date(2026, 10, 20))
    [row] = listed().items
    assert (row.deadline, row.deadline_basis, row.callback_due_on) == (
        date(2026, 10, 8),
        "callback",
        date(2026, 10, 8),
    )
    Policy.objects.filter(application_no="L2").update(callback_due_on=date(2026, 10, 10))
    [row] = listed().items
    assert (row.deadline, row.deadline_basis) == (date(2026, 10, 10), "3_working_days")


def test_deadline_in_a_year_without_calendar_data_is_provisional():
    cal = calendar()
    assert not cal.covers(2027)
    deadline = investigation_deadline(date(2026, 12, 30), [], cal)
    assert (deadline.distributed_on, deadline.deadline) == (date(2026, 12, 31), date(2027, 1, 5))
    assert deadline.provisional


def test_near_and_past_due():
    make_items()
    [row] = listed(as_of=date(2026, 10, 9)).items
    assert row.due == "near"
    [row] = listed(as_of=date(2026, 10, 11)).items
    assert row.due == "past"
    [row] = listed(as_of=date(2026, 9, 30)).items
    assert row.due == ""


def test_business_date_shows_open_items_first_seen_by_then():
    item = make_items()
    assert listed(business_date=date(2026, 9, 28)).total == 0
    assert listed(business_date=FIRST_SEEN).total == 1
    assert listed(business_date=date(2026, 11, 1)).total == 1
    ProblemItem.objects.filter(pk=item.pk).update(status="closed")
    assert listed(business_date=date(2026, 11, 1)).total == 0
    assert listed().total == 1
    assert listed(status="closed").total == 1
    assert listed(status="open").total == 0


@pytest.mark.parametrize(
    ("filters", "total"),
    [
        ({"rule": "SHARED_PHONE"}, 1),
        ({"rule": "SHARED_ACCOUNT"}, 0),
        ({"channel": "bancassurance"}, 1),
        ({"channel": "internet"}, 0),
        ({"seller_code": "BK7"}, 1),
        ({"seller_code": "AG1"}, 1),
        ({"seller_code": "ZZ9"}, 0),
    ],
)
def test_filters(filters, total):
    make_items()
    assert listed(**filters).total == total


@pytest.mark.parametrize(
    "filters",
    [
        {"rule": "NOPE"},
        {"channel": "carrier-pigeon"},
        {"status": "pending"},
        {"seller_code": "x" * 33},
        {"seller_code": "a\x00b"},
    ],
)
def test_unknown_filter_values_are_refused(filters):
    with pytest.raises(ListingError):
        listed(**filters)


def test_cli_json_is_refused_without_an_approved_export_request(capsys, personas):
    """The JSON lines hold personal data too: no format lists without --as and the person's
    approved export request (D4.23); the refusal is recorded, nothing is printed."""
    from django.core.management import CommandError

    make_items()
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("problems", "list", "--business-date", "2026-09-30")
    assert raised.value.returncode == 3
    with pytest.raises(CommandError) as raised:
        call_command("problems", "list", "--as", "sam")
    assert raised.value.returncode == 4 and "--export-request" in str(raised.value)
    assert capsys.readouterr().out == ""
    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert [(e.action, e.actor) for e in events] == [
        (Action.ACCESS_REFUSED, "system:problems-cli"),
        (Action.ACCESS_REFUSED, "sam"),
    ]


def test_cli_json(capsys, personas):
    from tests.web.test_problems import approve_export

    item = make_items()
    approval = approve_export(personas["sam"], personas["ivan"])
    before = AuditEvent.objects.count()
    as_sam = ("--as", "sam", "--export-request", str(approval.pk))
    call_command(
        "problems", "list", "--business-date", "2026-09-30", "--rule", "SHARED_PHONE", *as_sam
    )
    [line] = capsys.readouterr().out.strip().splitlines()
    data = json.loads(line)
    assert (data["id"], data["rule"], data["deadline"], data["deadline_basis"]) == (
        item.pk,
        "SHARED_PHONE",
        "2026-10-10",
        "3_working_days",
    )
    assert sorted(m["name"] for m in data["members"]) == ["王*芳", "赵*海"]
    assert "13800138000" not in line
    assert "sam" in data["watermark"] and f"#{approval.pk}" in data["watermark"]
    [export] = AuditEvent.objects.filter(seq__gt=before, action=Action.EXPORT)
    assert (export.actor, export.object_id) == ("sam", str(approval.pk))
    assert json.loads(export.detail)["watermark"] == data["watermark"]
    call_command("problems", "list", "--business-date", "2026-09-28", *as_sam)
    assert capsys.readouterr().out.strip() == ""


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_cli_csv_and_table_carry_the_watermark(capsys, personas, fmt):
    from tests.web.test_problems import approve_export

    make_items()
    approval = approve_export(personas["sam"], personas["ivan"])
    call_command(
        "problems", "list", "--format", fmt, "--as", "sam", "--export-request", str(approval.pk)
    )
    out = capsys.readouterr().out
    first, header, *rows = out.lstrip("\ufeff").splitlines()
    assert "sam" in first and f"#{approval.pk}" in first
    assert "档案号" in header and len(rows) == 2
    assert "13800138000" not in out
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(approval.pk)).exists()


def test_cli_xlsx(tmp_path, personas):
    from tests.web.test_problems import approve_export

    make_items()
    approval = approve_export(personas["sam"], personas["ivan"])
    out = tmp_path / "items.xlsx"
    call_command(
        "problems",
        "list",
        "--format",
        "xlsx",
        "--output",
        str(out),
        "--as",
        "sam",
        "--export-request",
        str(approval.pk),
    )
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "业务日期" in rows[0][0] and "generated" in rows[0][0]
    assert rows[1][0] == "问题件编号\nItem"
    assert rows[1][14] == "客户姓名（脱敏）\nCustomer name (masked)"
    assert sorted(r[14] for r in rows[2:]) == ["王*芳", "赵*海"]
    assert {r[5] for r in rows[2:]} == {"138****8000"}
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:U4"
    assert not any("13800138000" in str(v) for r in rows for v in r)


def test_cli_errors():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("problems", "list", "--format", "xlsx")
    with pytest.raises(CommandError):
        call_command("problems", "list", "--business-date", "30/09/2026")


@pytest.mark.parametrize(
    ("channel", "sees"), [("agency", 1), ("bancassurance", 1), ("internet", 0)]
)
def test_channel_back_office_sees_the_items_of_its_channel(personas, channel, sees):
    from veracity.org.models import StaffProfile

    make_items()  # one item: a member policy in the agency channel, one in bancassurance
    StaffProfile.objects.filter(user=personas["carol"]).update(channel=channel)
    listing = problem_items(
        principal=with_purpose(Staff(personas["carol"]), "problem_item"), action="problems.list"
    )
    assert listing.total == sees
