"""The complaints register (SF-2, D1.14): intake, investigation, verification (查实) with its
separation rule, and the import."""

from __future__ import annotations

import json
from datetime import date

import pytest

from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.conduct.complaints import (
    ComplaintError,
    complaint_investigate,
    complaint_record,
    complaint_verify,
    complaints_import,
)
from veracity.conduct.models import Complaint
from veracity.notify.models import Notification
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def record(no="TS2026-0001", **changes):
    return {
        "complaint_no": no,
        "received_on": "2026-05-10",
        "policy_no": None,
        "seller_code": "AG17",
        "agency_code": None,
        "category": "misselling",
        "summary": "夸大分红收益",
        "verified": None,
        "verified_on": None,
        **changes,
    }


def snapshot():
    return list(
        Complaint.objects.order_by("pk").values(
            "status", "verified", "verified_on", "verified_by", "basis", "investigator"
        )
    )


def test_a_complaint_is_taken_in_investigated_and_verified(personas, sellers):
    sam, mona = Staff(personas["sam"]), personas["mona"]
    complaint, outcome = complaint_record(record=record(), principal=sam)
    assert outcome == "created" and complaint.seller == sellers["AG17"]
    assert Notification.objects.filter(recipient=mona, kind="complaint_received").exists()
    complaint_investigate(complaint_id=complaint.pk, principal=sam)
    complaint.refresh_from_db()
    assert complaint.status == "investigating" and complaint.investigator == personas["sam"]
    complaint_verify(
        complaint_id=complaint.pk,
        principal=Staff(personas["dave"]),
        verified=True,
        basis="客户录音与投保单比对，确认夸大收益",
        verified_on=date(2026, 5, 20),
        as_of=TODAY,
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.verified, complaint.verified_by) == (
        "verified",
        True,
        personas["dave"],
    )
    assert complaint.basis.startswith("客户录音")
    told = set(
        Notification.objects.filter(kind="complaint_misselling_verified").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"mike", "nora"} <= told  # channel management
    assert Notification.objects.filter(recipient=personas["sam"], kind="complaint_decided").exists()


@pytest.mark.parametrize(
    ("who", "code", "against"),
    [
        pytest.param("sid", "conflict", {"seller_code": "AG17"}, id="the seller's own user"),
        pytest.param("lee", "conflict", {"seller_code": "AG17"}, id="their team leader"),
        pytest.param(
            "ann", "conflict", {"seller_code": None, "agency_code": "AY1"}, id="agency staff"
        ),
        pytest.param("alice", "role", {"seller_code": "AG17"}, id="an agent's role"),
        pytest.param("mike", "role", {"seller_code": "AG17"}, id="channel management"),
    ],
)
def test_nobody_verifies_a_complaint_against_themselves(personas, sellers, who, code, against):
    complaint, _ = complaint_record(record=record(**against), principal=Staff(personas["sam"]))
    user = sellers["users"].get(who) or personas[who]
    before = snapshot()
    refused = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    for attempt in (
        lambda: complaint_verify(
            complaint_id=complaint.pk,
            principal=Staff(user),
            verified=False,
            basis="无此事",
            verified_on=date(2026, 5, 11),
            as_of=TODAY,
        ),
        lambda: complaint_investigate(complaint_id=complaint.pk, principal=Staff(user)),
    ):
        with pytest.raises(ComplaintError) as caught:
            attempt()
        assert caught.value.code == code and caught.value.kind == "forbidden"
    assert snapshot() == before  # nothing changed
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == refused + 2


def test_verification_needs_its_basis_and_a_sensible_date(personas, sellers):
    sam = Staff(personas["sam"])
    complaint, _ = complaint_record(record=record(), principal=sam)
    before = snapshot()
    for basis, on, code in [
        ("  ", date(2026, 5, 20), "required"),
        ("录音", None, "required"),
        ("录音", date(2026, 7, 1), "future"),
        ("录音", date(2026, 5, 1), "before_received"),
    ]:
        with pytest.raises(ComplaintError) as caught:
            complaint_verify(
                complaint_id=complaint.pk,
                principal=sam,
                verified=True,
                basis=basis,
                verified_on=on,
                as_of=TODAY,
            )
        assert caught.value.code == code
    assert snapshot() == before
    complaint_verify(
        complaint_id=complaint.pk,
        principal=sam,
        verified=False,
        basis="录音显示已充分说明",
        verified_on=date(2026, 5, 20),
        as_of=TODAY,
    )
    with pytest.raises(ComplaintError) as caught:
        complaint_verify(
            complaint_id=complaint.pk,
            principal=sam,
            verified=True,
            basis="再议",
            verified_on=date(2026, 5, 21),
            as_of=TODAY,
        )
    assert caught.value.code == "decided"


def test_intake_form_refuses_a_known_number(personas, sellers):
    sam = Staff(personas["sam"])
    complaint_record(record=record(), principal=sam)
    with pytest.raises(ComplaintError) as caught:
        complaint_record(record=record(summary="另一件"), principal=sam, update=False)
    assert caught.value.code == "exists"


def _lines(*records):
    return [(i, r) for i, r in enumerate(records, start=1)]


IMPORT = Actor.system("import:complaints")


def test_import_is_idempotent_reports_bad_lines_and_never_unverifies(personas, sellers):
    good = record("TS2026-0001", verified=True, verified_on="2026-05-20")
    bad_seller = record("TS2026-0002", seller_code="AG99999")
    other = record("TS2026-0003", seller_code=None, agency_code="AY1", category="service")
    first = complaints_import(_lines(good, bad_seller, other), actor=IMPORT)
    assert (first.created, first.unchanged, first.updated) == (2, 0, 0)
    [error] = first.errors
    assert (error.line, error.field) == (2, "seller_code")
    assert "AG99999" in error.reason_zh and "AG99999" in error.reason_en
    assert not Complaint.objects.filter(complaint_no="TS2026-0002").exists()
    imported = Complaint.objects.get(complaint_no="TS2026-0001")
    assert imported.verified and imported.verified_by is None and imported.source == "file"
    assert imported.status == "verified" and imported.basis

    again = complaints_import(_lines(good, other), actor=IMPORT)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 2, [])

    changes = AuditEvent.objects.filter(action=Action.CHANGE, object_type="complaint").count()
    changed = complaints_import(_lines({**other, "summary": "更正后的摘要"}), actor=IMPORT)
    assert changed.updated == 1
    event = AuditEvent.objects.filter(action=Action.CHANGE, object_type="complaint").last()
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_type="complaint").count() == (
        changes + 1
    )
    assert json.loads(event.detail)["before"]["summary"] == "夸大分红收益"

    unverify = complaints_import(
        _lines({**good, "verified": False, "verified_on": "2026-05-21"}), actor=IMPORT
    )
    [error] = unverify.errors
    assert (error.line, error.field) == (1, "verified")
    imported.refresh_from_db()
    assert imported.verified is True and imported.verified_on == date(2026, 5, 20)
    # null in the file: the register's decision stays
    silent = complaints_import(
        _lines({**good, "verified": None, "verified_on": None}), actor=IMPORT
    )
    assert silent.unchanged == 1
    imported.refresh_from_db()
    assert imported.verified is True


def test_import_line_with_a_bad_seller_code_changes_nothing(personas, sellers):
    before = (Complaint.objects.count(), AuditEvent.objects.filter(action=Action.CREATE).count())
    report = complaints_import(_lines(record(seller_code="NOPE1")), actor=IMPORT)
    assert [e.field for e in report.errors] == ["seller_code"]
    assert (
        Complaint.objects.count(),
        AuditEvent.objects.filter(action=Action.CREATE).count(),
    ) == before


def test_import_command(personas, sellers, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "complaints.jsonl"
    lines = [record("TS1"), record("TS2", seller_code="XX1")]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), "utf-8")
    out = StringIO()
    call_command("import", "complaints", str(path), stdout=out)
    summary = json.loads(out.getvalue().splitlines()[0])
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert "line 2: seller_code" in out.getvalue()
