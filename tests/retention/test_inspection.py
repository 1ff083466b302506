"""The half-yearly archive inspection (D4.14): chain integrity, encryption coverage in every
table (history included), orphaned and missing files, open and overdue loans; recorded and
audited."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from tests.retention.conftest import Book
from veracity.access.models import AccessGrant, AccessRequest
from veracity.audit.models import Action, AuditEvent
from veracity.db.fields import field_crypto
from veracity.org.principals import Staff, system
from veracity.retention.inspection import (
    check_encryption,
    check_files,
    check_loans,
    encrypted_columns,
    file_fields,
    inspection_period,
    previous_period,
)
from veracity.retention.models import InspectionRecord
from veracity.retention.services import RetentionError, inspection_run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "period", "previous"),
    [
        (date(2026, 1, 1), "2026-H1", "2025-H2"),
        (date(2026, 6, 30), "2026-H1", "2025-H2"),
        (date(2026, 7, 1), "2026-H2", "2026-H1"),
        (date(2026, 12, 31), "2026-H2", "2026-H1"),
    ],
)
def test_periods(day, period, previous):
    assert inspection_period(day) == period
    assert previous_period(day) == previous


def column(report, table, name):
    return next(c for c in report["columns"] if c["table"] == table and c["column"] == name)


def test_every_encrypted_column_is_covered_history_included():
    tables = {(m._meta.db_table, f.column) for m, f in encrypted_columns()}
    assert ("customers_phone", "number") in tables
    assert ("customers_historicalphone", "number") in tables
    assert ("customers_historicalbankaccount", "holder_id_number") in tables


def test_clean_book_has_no_encryption_findings(book: Book):
    report = check_encryption()
    assert report["values"] > 0
    assert (report["not_ciphertext"], report["unknown_key"], report["sample_undecryptable"]) == (
        0,
        0,
        0,
    )


def test_plain_text_unknown_keys_and_moved_ciphertext_are_counted(book: Book):
    crypto = field_crypto()
    stranger = crypto.encrypt("x", aad="customers.Phone.number").replace("v1:k2:", "v1:k9:")
    moved = crypto.encrypt("+8613800138000", aad="customers.Phone.number")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_phone SET number = %s WHERE customer_id = %s",
            ["13800138000", book.wang.pk],
        )
        cursor.execute(
            "UPDATE customers_historicalphone SET number = %s WHERE customer_id = %s",
            ["v1:k2:not-base64!", book.wang.pk],
        )
        cursor.execute(
            "UPDATE customers_email SET address = %s WHERE customer_id = %s",
            [stranger, book.wang.pk],
        )
        cursor.execute(
            "UPDATE customers_address SET text = %s WHERE customer_id = %s",
            [moved, book.wang.pk],
        )
    report = check_encryption()
    assert column(report, "customers_phone", "number")["not_ciphertext"] == 1
    assert column(report, "customers_historicalphone", "number")["not_ciphertext"] == 1
    assert column(report, "customers_email", "address")["unknown_key"] == 1
    assert column(report, "customers_email", "address")["not_ciphertext"] == 0
    assert column(report, "customers_address", "text")["sample_undecryptable"] == 1
    assert report["not_ciphertext"] == 2 and report["unknown_key"] == 1
    record = inspection_run(principal=system("t"))
    codes = {f["code"] for f in record.results["findings"]}
    assert {"NOT_ENCRYPTED", "UNKNOWN_KEY", "UNDECRYPTABLE"} <= codes
    assert not record.ok
    assert "13800138000" not in json.dumps(record.results)  # counts, never values


@isolate_apps("veracity.retention")
def test_orphaned_and_missing_files(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    class Scan(models.Model):
        file = models.FileField(storage=storage, blank=True)

        class Meta:
            app_label = "retention"
            db_table = "retention_test_scan"

        def __str__(self) -> str:
            return str(self.file)

    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "letter.pdf").write_bytes(b"%PDF")
    (tmp_path / "stray.pdf").write_bytes(b"%PDF")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE retention_test_scan (id integer PRIMARY KEY, file varchar(100) NOT NULL)"
        )
    Scan.objects.bulk_create(
        [Scan(id=1, file="kept/letter.pdf"), Scan(id=2, file="gone.pdf"), Scan(id=3, file="")]
    )
    report = check_files([(Scan, Scan._meta.get_field("file"))], media_root=tmp_path)
    assert report["scanned"] == 2
    assert report["orphaned"] == 1 and report["orphaned_files"] == ["stray.pdf"]
    assert report["missing"] == 1
    assert report["missing_records"] == [{"model": "retention.Scan", "id": 2, "field": "file"}]
    assert report["file_fields"] == ["retention.Scan.file"]


def test_files_without_a_media_root_are_not_scanned(settings):
    settings.MEDIA_ROOT = ""
    report = check_files(file_fields())
    assert report["media_root"] is None and report["scanned"] == 0


def test_open_and_overdue_loans(personas, book: Book):
    request = AccessRequest.objects.create(
        requester=personas["sam"], subject="s", purpose="p", reason="r"
    )
    now = timezone.now()

    def grant(**kw):
        return AccessGrant.objects.create(
            request=request,
            holder=personas["sam"],
            customer=book.wang,
            scope="view",
            **kw,
        )

    grant(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2))  # in force
    late = grant(starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=6))
    grant(
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=6),
        returned_at=now - timedelta(days=7),
    )
    stamped = grant(
        starts_at=now - timedelta(days=5),
        ends_at=now - timedelta(days=2),
        expired_at=now - timedelta(days=2),
    )
    report = check_loans()
    assert report["open"] == 2  # in force, and the late one the expiry job has not stamped
    assert report["overdue"] == 2
    assert [loan["grant"] for loan in report["overdue_loans"]] == [late.pk, stamped.pk]
    assert report["overdue_loans"][0]["days_overdue"] == 6
    assert report["overdue_loans"][0]["holder"] == "sam"


def test_an_inspection_is_recorded_and_audited(personas, book: Book):
    record = inspection_run(principal=Staff(personas["ivan"]), as_of=date(2026, 11, 26))
    assert record.period == "2026-H2"
    assert record.performed_by == personas["ivan"] and record.performed_label == "ivan"
    assert record.ok, record.results["findings"]
    assert record.results["chain"]["ok"] and record.results["chain"]["events"] > 0
    event = AuditEvent.objects.get(action=Action.INSPECTION)
    assert event.seq == record.audit_seq and event.object_id == str(record.pk)
    assert json.loads(event.detail) == {"findings": [], "ok": True, "period": "2026-H2"}


@pytest.mark.parametrize(
    ("who", "period", "code"),
    [("sam", None, "NOT_ALLOWED"), ("audrey", None, "NOT_ALLOWED"), ("ivan", "2026-H3", "INVALID")],
)
def test_refused_inspections_change_nothing(personas, who, period, code):
    events = AuditEvent.objects.count()
    with pytest.raises(RetentionError) as refused:
        inspection_run(principal=Staff(personas[who]), period=period)
    assert refused.value.code == code
    assert not InspectionRecord.objects.exists()
    assert AuditEvent.objects.count() == events


def test_inspection_command(book: Book):
    out = StringIO()
    call_command("inspection", "run", "--period", "2026-H2", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["period"] == "2026-H2"
    assert InspectionRecord.objects.get().performed_label == "system:inspection-cli"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_phone SET number = '13800138000'")
    with pytest.raises(CommandError, match="NOT_ENCRYPTED"):
        call_command("inspection", "run", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("inspection", "run", "--period", "H2", stdout=StringIO())


def test_scheduled_inspection_covers_the_half_year_just_ended(book: Book, monkeypatch):
    from veracity.retention import tasks

    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2027, 1, 2))
    assert tasks.inspect_half_year.call_local() is not None
    assert InspectionRecord.objects.get().period == "2026-H2"
    assert tasks.inspect_half_year.call_local() is None  # already inspected
    counts = tasks.retention_due_count.call_local()
    assert counts["customer_policies_ended"] == 2


def test_evidence_files_orphaned_missing_and_unsealed(settings, tmp_path, personas):
    """The evidence folder against its records: a file nobody refers to, a record whose file
    is gone, and a file stored in the clear are each a finding."""
    from tests.cases.test_listing import make_items
    from veracity.cases.models import Evidence
    from veracity.cases.services import problem_item_attach, problem_item_claim
    from veracity.retention.inspection import check_evidence, inspection_results

    item = make_items()
    problem_item_claim(principal=Staff(personas["sam"]), item_id=item.pk)
    pdf = b"%PDF-1.4\n%%EOF\n"
    kept, gone, plain = (
        problem_item_attach(
            principal=Staff(personas["sam"]),
            item_id=item.pk,
            kind="callback_record",
            description=f"record {n}",
            filename=f"r{n}.pdf",
            data=pdf,
        )
        for n in range(3)
    )
    folder = settings.VERACITY_EVIDENCE_DIR
    assert check_evidence()["orphaned"] == check_evidence()["missing"] == 0
    (folder / gone.stored_as).unlink()
    (folder / plain.stored_as).write_bytes(pdf)
    (folder / "stray.bin").write_bytes(b"v1:...")
    found = check_evidence()
    assert (found["orphaned"], found["missing"], found["unsealed"]) == (1, 1, 1)
    assert found["orphaned_files"] == ["stray.bin"]
    assert Evidence.objects.filter(pk=kept.pk).exists()
    results = inspection_results()
    assert results["evidence"]["orphaned"] == 1
    codes = {f["code"] for f in results["findings"]}
    assert {"EVIDENCE_ORPHANED", "EVIDENCE_MISSING", "EVIDENCE_UNSEALED"} <= codes
