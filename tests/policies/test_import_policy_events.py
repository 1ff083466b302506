"""``veracity import policy-events FILE`` on .jsonl, .csv and .xlsx: good lines in, a bad line
reported with its line number, field and reason, a second run changes nothing."""

from __future__ import annotations

import csv
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tests.conftest import TODAY
from tests.policies.test_event_services import due, effective, event
from veracity.audit.services import Actor
from veracity.policies.models import Policy, PolicyEvent, PolicyStatus
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db

COLUMNS = ["event_id", "policy_no", "application_no", "kind", "occurred_on", "data"]


@pytest.fixture(autouse=True)
def application(make_application):
    applications_store(
        [make_application("A1")], source="test", actor=Actor.system("test"), as_of=TODAY
    )


def events() -> list[Any]:
    """Line 2 (of a csv/xlsx, after the header) … : effective, due, a bad one, a lapse."""
    bad = {**due("E-bad"), "data": {"due_on": "2026-13-01", "amount": 5}}
    return [effective(), due("E2"), bad, event("E4", "policy_lapsed")]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", "policy-events", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def cells(raw: dict[str, Any]) -> list[str]:
    return [
        json.dumps(raw[c], ensure_ascii=False) if c == "data" else str(raw.get(c) or "")
        for c in COLUMNS
    ]


def write(path, kind: str) -> None:
    rows = events()
    if kind == "jsonl":
        path.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
        )
    elif kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(cells(r) for r in rows)
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
        for r in rows:
            sheet.append(cells(r))
        book.save(path)


@pytest.mark.parametrize(("kind", "bad_line"), [("jsonl", 3), ("csv", 4), ("xlsx", 4)])
def test_the_command_on_each_file_type(tmp_path, kind, bad_line):
    path = tmp_path / f"events.{kind}"
    write(path, kind)
    out, err = run(str(path))
    summary = json.loads(out.splitlines()[0])
    assert summary["kind"] == "policy-events"
    assert (summary["rows"], summary["created"], summary["unchanged"], summary["rejected"]) == (
        4,
        3,
        0,
        1,
    )
    assert out.splitlines()[1].startswith(f"line {bad_line}: data.due_on: ")
    assert "3 taken" in err  # the progress
    policy = Policy.objects.get(application_no="A1")
    assert policy.policy_no == "P1" and policy.status == PolicyStatus.LAPSED
    assert policy.coverage["riders"][0]["code"] == "ADD-1"
    assert set(PolicyEvent.objects.values_list("event_id", flat=True)) == {"E-eff-1", "E2", "E4"}
    assert set(PolicyEvent.objects.values_list("source", flat=True)) == {"import"}

    again = json.loads(run(str(path))[0].splitlines()[0])
    assert (again["created"], again["unchanged"], again["rejected"]) == (0, 3, 1)
    assert PolicyEvent.objects.count() == 3


def test_a_data_cell_that_is_not_json(tmp_path):
    path = tmp_path / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerow(cells(effective()))
        writer.writerow(["E2", "P1", "", "premium_due", "2026-11-20", "{due_on: x"])
    out, _ = run(str(path))
    assert json.loads(out.splitlines()[0])["created"] == 1
    assert out.splitlines()[1].startswith("line 3: data: ")


def test_an_unreadable_file_is_refused_with_its_exit_code(tmp_path):
    with pytest.raises(CommandError) as refused:
        run(str(tmp_path / "missing.jsonl"))
    assert refused.value.returncode == 5
    assert PolicyEvent.objects.count() == 0
