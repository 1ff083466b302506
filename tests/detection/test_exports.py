"""The one export of the problem-item list (``detection.exports.problem_items_export``, D4.23):
the web page and the command line make it only under the person's approved export request,
record it and watermark every format; a refusal is recorded and exports nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tests.cases.test_listing import make_items
from tests.web.test_problems import approve_export
from veracity.access.exports import ExportRefused
from veracity.audit.models import Action, AuditEvent
from veracity.detection.exports import EXPORT_FORMATS, problem_items_export
from veracity.org.principals import Staff, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(personas):
    return make_items()


def detail(event: AuditEvent) -> dict:
    return dict(json.loads(event.detail))


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).order_by("seq"))


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.EXPORT).order_by("seq"))


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_without_an_approved_request_every_format_is_refused(personas, item, fmt):
    with pytest.raises(ExportRefused) as raised:
        problem_items_export(principal=Staff(personas["sam"]), fmt=fmt, via="cli")
    assert raised.value.code == "request_required"
    [event] = refusals()
    assert (event.actor, event.object_type, event.object_id) == ("sam", "problem_items", "list")
    assert (detail(event)["action"], detail(event)["via"]) == ("problems.export", "cli")
    assert exports() == []


def test_a_pending_or_someone_elses_request_does_not_count(personas, item):
    from veracity.access.governance import access_request_submit

    access_request_submit(
        principal=Staff(personas["sam"]),
        customer_ids=[],
        subject="问题件清单",
        purpose="problem_item",
        reason="pending",
        kind="export",
        export_of="problem_items",
    )
    approve_export(personas["mona"], personas["ivan"])
    with pytest.raises(ExportRefused):
        problem_items_export(principal=Staff(personas["sam"]))
    assert exports() == []


def test_a_request_named_must_be_the_one_in_force(personas, item):
    theirs = approve_export(personas["mona"], personas["ivan"])
    approve_export(personas["sam"], personas["ivan"])
    with pytest.raises(ExportRefused) as raised:
        problem_items_export(principal=Staff(personas["sam"]), request_id=theirs.pk)
    assert raised.value.code == "not_approved"
    assert detail(refusals()[-1])["request"] == theirs.pk
    assert exports() == []


@pytest.mark.parametrize("username", ["alice", "terry", "audrey", "george"])
def test_who_may_never_export_is_refused_even_with_an_approval(personas, item, username):
    approve_export(personas[username], personas["ivan"])
    with pytest.raises(ExportRefused) as raised:
        problem_items_export(principal=Staff(personas[username]))
    assert raised.value.code == "action"
    assert exports() == []


def test_a_system_without_its_person_is_refused(item):
    with pytest.raises(ExportRefused):
        problem_items_export(principal=system("problems-cli"))
    assert exports() == []


def test_an_approved_export_is_recorded_and_watermarked_in_every_format(personas, item):
    approval = approve_export(personas["sam"], personas["ivan"])
    sam = Staff(personas["sam"])
    made = {fmt: problem_items_export(principal=sam, fmt=fmt) for fmt in EXPORT_FORMATS}
    events = exports()
    assert len(events) == len(EXPORT_FORMATS)
    assert all((e.actor, e.object_id) == ("sam", str(approval.pk)) for e in events)
    assert [detail(e)["watermark"] for e in events] == [m.watermark for m in made.values()]
    for export in made.values():
        assert "sam" in export.watermark and f"#{approval.pk}" in export.watermark
        assert export.request.pk == approval.pk and export.items == 1
    book = load_workbook(io.BytesIO(made["xlsx"].data))
    assert made["xlsx"].watermark == book.properties.description
    assert f"#{approval.pk}" in book.active.oddHeader.left.text
    rows = list(csv.reader(io.StringIO(made["csv"].data.decode("utf-8-sig"))))
    assert rows[0] == [made["csv"].watermark] and len(rows) == 4
    [line] = made["json"].data.decode().splitlines()
    assert json.loads(line)["watermark"] == made["json"].watermark
    assert made["table"].data.decode().splitlines()[0] == made["table"].watermark
    for export in made.values():
        assert b"13800138000" not in export.data
    assert made["xlsx"].filename.endswith(".xlsx") and made["json"].filename.endswith(".jsonl")


def test_the_export_lists_what_the_person_may_see(personas, item):
    from veracity.org.models import StaffProfile

    StaffProfile.objects.filter(user=personas["carol"]).update(channel="internet")
    approve_export(personas["carol"], personas["ivan"])
    made = problem_items_export(principal=Staff(personas["carol"]), fmt="json")
    assert made.data == b"" and made.items == 0
