"""Every export writes text as text (issue 10, point 5): values that a spreadsheet would take
for a formula — stored where the import path would refuse them, straight through the ORM —
come out of every Excel export as text cells (no formula, no number, no link) and out of every
CSV export with a leading apostrophe; identifiers are text cells.

The exports: the problem-item list from the web (under an approved export request) and from
``veracity problems list --format xlsx``, the audit trail as Excel and as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.cases.test_listing import make_items
from tests.web.test_problems import approve_export
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.cases.models import ProblemItem
from veracity.customers.models import Customer
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\t=1", "=1+1", "-0012"]

# Problem-item list columns (0-based): see ``veracity.detection.exports.COLUMNS``.
ITEM, REASON, CUSTOMER, ARCHIVE, APPLICATION, POLICY = 0, 6, 13, 15, 16, 17
# Audit trail columns: see ``veracity.audit.exports.COLUMNS``.
ACTOR, ACTOR_ID, OBJECT_ID, CUSTOMER_ID, PURPOSE = 3, 4, 7, 8, 9


ARCHIVE_NO_LENGTH = Customer._meta.get_field("archive_no").max_length


def poisoned_items(payload: str) -> None:
    """The two-member SHARED_PHONE item, its reason, the first policy's application number,
    the second policy's policy number and one customer's archive number set to ``payload``."""
    item = make_items()
    ProblemItem.objects.filter(pk=item.pk).update(reason_zh=payload, reason_en=payload)
    Policy.objects.filter(application_no="L1").update(application_no=payload)
    Policy.objects.filter(application_no="L2").update(policy_no=payload)
    if len(payload) <= ARCHIVE_NO_LENGTH:  # PostgreSQL holds the column to its length
        first = item.members.order_by("customer_id").first()
        Customer.objects.filter(pk=first.customer_id).update(archive_no=payload)


def problems_web(client, personas, tmp_path, payload):
    poisoned_items(payload)
    approve_export(personas["sam"], personas["ivan"])
    client.force_login(personas["sam"])
    response = client.get("/problems/export.xlsx")
    assert response.status_code == 200
    return response.content


def problems_cli(client, personas, tmp_path, payload):
    poisoned_items(payload)
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
        "--request",
        str(approval.pk),
    )
    return out.read_bytes()


def poisoned_trail(payload: str, customer_id: int) -> None:
    audit_record_many(
        actor=Actor(label=payload, user_id=123456),
        events=[
            Event(
                action=Action.LOGIN_FAILED,
                purpose=payload,
                object_id=payload,
                customer_id=customer_id,
            )
        ],
    )


def audit_export(fmt):
    def export(client, personas, tmp_path, payload):
        client.force_login(personas["audrey"])
        poisoned_trail(payload, customer_id=987654)
        response = client.get(f"/audit/export.{fmt}")
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    return export


ITEM_TEXT, ITEM_IDS = (REASON, ARCHIVE, APPLICATION, POLICY), (ITEM, CUSTOMER)
XLSX_EXPORTS = {
    # name: (export, columns holding the payload, identifier columns)
    "problem items (web)": (problems_web, ITEM_TEXT, ITEM_IDS),
    "problem items (cli)": (problems_cli, ITEM_TEXT, ITEM_IDS),
    "audit trail (xlsx)": (
        audit_export("xlsx"),
        (ACTOR, OBJECT_ID, PURPOSE),
        (ACTOR_ID, CUSTOMER_ID),
    ),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("name", XLSX_EXPORTS)
def test_excel_exports_write_text_as_text(client, personas, tmp_path, name, payload):
    export, columns, ids = XLSX_EXPORTS[name]
    sheet = load_workbook(io.BytesIO(export(client, personas, tmp_path, payload))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert not any(c.hyperlink for c in cells)
    data = [row for row in sheet.iter_rows(min_row=3) if any(c.value is not None for c in row)]
    assert data
    for col in columns:  # the payload, exactly, as a text cell
        if col == ARCHIVE and name.startswith("problem") and len(payload) > ARCHIVE_NO_LENGTH:
            continue
        found = [row[col] for row in data if row[col].value == payload]
        assert found, (name, col, [row[col].value for row in data])
        assert all(c.data_type == "s" for c in found)
    for col in ids:  # identifiers are text, never numbers
        values = [row[col] for row in data if row[col].value is not None]
        assert values and all(c.data_type == "s" and c.value.isdigit() for c in values)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_export_puts_an_apostrophe_before_formula_text(client, personas, tmp_path, payload):
    data = audit_export("csv")(client, personas, tmp_path, payload)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    [row] = [r for r in rows[1:] if r[OBJECT_ID].endswith(payload)]
    for col in (ACTOR, OBJECT_ID, PURPOSE):
        assert row[col] == "'" + payload
    assert (row[ACTOR_ID], row[CUSTOMER_ID]) == ("123456", "987654")
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_the_watermark_stays(client, personas, tmp_path):
    """The text-as-text workbook keeps the approval's watermark (D4.23)."""
    book = load_workbook(io.BytesIO(problems_web(client, personas, tmp_path, "=1")))
    assert "sam" in book.active.oddHeader.left.text
    assert "sam" in book.properties.description
