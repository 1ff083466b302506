"""SF-1: the training register — the import (idempotent, every bad line reported), the
training department's service (refused for others, nothing changed), and the seller's
qualification that follows."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.ingest.readers import RowError, read_records
from veracity.org.principals import Staff
from veracity.sales import qualification
from veracity.sales.models import Seller, SellerKind, TrainingRecord
from veracity.sales.services import seller_upsert
from veracity.sales.training import TrainingError, training_import, training_record

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
ON = date(2026, 6, 1)

COURSE = {
    "seller_code": "AG00017",
    "kind": "course",
    "date": "2026-03-02",
    "hours": 2,
    "course_code": "FORM-101",
    "title": "投保单规范填写",
}
TEST = {"seller_code": "AG00017", "kind": "test", "date": "2026-03-09", "passed": True, "score": 86}


@pytest.fixture
def agent():
    Seller.objects.create(code="AY1", kind=SellerKind.AGENCY, name="代理机构")
    return Seller.objects.create(code="AG00017", kind=SellerKind.AGENT, name="李爱丽")


def _import(rows):
    return training_import(list(enumerate(rows, start=1)), actor=ACTOR)


def test_import_course_and_test_makes_the_seller_qualified(agent):
    assert not qualification.snapshot().qualification("AG00017", on=ON).holds
    report = _import([COURSE, TEST])
    assert (report.created, report.errors) == (2, [])
    held = qualification.snapshot().qualification("AG00017", on=ON)
    assert held.holds and held.hours == Decimal(2)
    assert held.test_passed_on == date(2026, 3, 9)
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_type="training_record").count() == 2
    )


def test_import_is_idempotent_and_updates_a_changed_value(agent):
    _import([COURSE, TEST])
    again = _import([COURSE, TEST])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = _import([{**TEST, "score": 90}])
    assert changed.updated == 1
    assert TrainingRecord.objects.count() == 2
    assert TrainingRecord.objects.get(kind="test").score == Decimal(90)


BAD_LINES = [
    # (line, field the report names)
    ({**COURSE, "seller_code": "NOPE1"}, "seller_code"),  # not in the register
    ({**COURSE, "seller_code": "AG 17"}, "seller_code"),  # not an identifier
    ({**COURSE, "seller_code": "AY1"}, "seller_code"),  # an agency
    ({**COURSE, "hours": None}, "hours"),
    ({**COURSE, "hours": 0}, "hours"),
    ({**COURSE, "hours": "2"}, "hours"),  # text where a number belongs
    ({k: v for k, v in COURSE.items() if k != "course_code"}, "course_code"),
    ({**TEST, "passed": None}, "passed"),
    ({**TEST, "passed": "maybe"}, "passed"),
    ({**TEST, "date": "2026-13-01"}, "date"),
    ({**TEST, "kind": "exam"}, "kind"),
    ({**TEST, "extra": 1}, "extra"),
    ({"seller_code": "AG00017", "kind": "legacy", "date": "2026-01-01"}, "source"),
]


def test_every_bad_line_is_reported_with_line_field_and_reason_and_nothing_changes(agent):
    before = AuditEvent.objects.count()
    rows = [bad for bad, _ in BAD_LINES]
    report = _import([*rows, COURSE])
    assert report.created == 1
    assert [(e.line, e.field) for e in report.errors] == [
        (i, field) for i, (_, field) in enumerate(BAD_LINES, start=1)
    ]
    for e in report.errors:
        assert e.reason_zh and e.reason_en
    assert TrainingRecord.objects.count() == 1  # only the good line
    assert AuditEvent.objects.count() == before + 1


def test_bad_seller_code_line_changes_nothing(agent):
    before = (TrainingRecord.objects.count(), AuditEvent.objects.count())
    report = _import([{**COURSE, "seller_code": "AG99999"}])
    assert [(e.line, e.field) for e in report.errors] == [(1, "seller_code")]
    assert "AG99999" in report.errors[0].reason_zh
    assert (TrainingRecord.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx"])
def test_import_reads_every_file_kind(agent, tmp_path, suffix):
    path = tmp_path / f"training{suffix}"
    rows = [COURSE, TEST]
    columns = ["seller_code", "kind", "date", "hours", "course_code", "title", "passed", "score"]
    if suffix == ".jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    elif suffix == ".csv":
        lines = [",".join(columns)]
        for r in rows:
            lines.append(
                ",".join(
                    ""
                    if r.get(c) is None
                    else str(r.get(c)).lower()
                    if isinstance(r.get(c), bool)
                    else str(r.get(c))
                    for c in columns
                )
            )
        path.write_text("\n".join(lines), "utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(columns)
        for r in rows:
            sheet.append([r.get(c) for c in columns])
        book.save(path)
    report = training_import(read_records(path), actor=ACTOR)
    assert (report.created, report.errors) == (2, []), report.errors
    assert qualification.snapshot().qualification("AG00017", on=ON).holds


def test_unreadable_line_is_reported(agent):
    report = training_import([(1, RowError(1, "", "坏", "bad")), (2, COURSE)], actor=ACTOR)
    assert report.rows == 2 and report.created == 1 and report.errors[0].line == 1


def test_the_training_department_records_a_course_for_several_sellers(personas, agent):
    other = Seller.objects.create(code="AG00018", kind=SellerKind.AGENT, name="王二")
    tina = Staff(personas_user(personas, "tina"))
    done = training_record(
        principal=tina,
        kind="course",
        seller_codes=["AG00017", "AG00018"],
        date="2026-03-02",
        course_code="FORM-101",
        title="投保单规范填写",
        hours=2,
    )
    assert [outcome for outcome, _ in done] == ["created", "created"]
    training_record(
        principal=tina, kind="test", seller_codes=["AG00018"], date="2026-03-09", passed=True
    )
    assert qualification.qualification_of(other, on=ON).holds
    assert not qualification.qualification_of(agent, on=ON).holds
    assert TrainingRecord.objects.filter(recorded_by__username="tina").count() == 3


def test_one_bad_attendee_refuses_the_whole_course(personas, agent):
    tina = Staff(personas_user(personas, "tina"))
    with pytest.raises(TrainingError) as refused:
        training_record(
            principal=tina,
            kind="course",
            seller_codes=["AG00017", "ZZ404"],
            date="2026-03-02",
            course_code="FORM-101",
            hours=2,
        )
    assert refused.value.field == "seller_codes" and "ZZ404" in refused.value.message_zh
    assert TrainingRecord.objects.count() == 0


@pytest.mark.parametrize("username", ["alice", "carol", "dave", "mike"])
def test_a_non_training_user_is_refused_audited_and_nothing_changes(personas, agent, username):
    user = personas_user(personas, username)
    before = TrainingRecord.objects.count()
    with pytest.raises(TrainingError) as refused:
        training_record(
            principal=Staff(user),
            kind="test",
            seller_codes=["AG00017"],
            date="2026-03-09",
            passed=True,
        )
    assert refused.value.kind == "forbidden"
    assert TrainingRecord.objects.count() == before
    event = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).latest("seq")
    assert "training.record" in str(event.detail)


def test_seller_import_qualified_flag_is_a_legacy_record_with_its_source(agent):
    seller_upsert(
        {
            "code": "AG00020",
            "kind": "agent",
            "name": "旧系统",
            "qualified": True,
            "qualified_on": "2025-01-01",
        },
        actor=ACTOR,
    )
    seller = Seller.objects.get(code="AG00020")
    legacy = seller.training.get()
    assert legacy.kind == "legacy" and legacy.date == date(2025, 1, 1) and legacy.source
    held = qualification.qualification_of(seller, on=ON)
    assert held.holds and held.by_legacy
    assert not qualification.qualification_of(seller, on=date(2024, 12, 31)).holds
    # imported again: no second legacy record
    seller_upsert(
        {
            "code": "AG00020",
            "kind": "agent",
            "name": "旧系统",
            "qualified": True,
            "qualified_on": "2025-01-01",
        },
        actor=ACTOR,
    )
    assert seller.training.count() == 1


def test_termination_ends_qualification_and_the_snapshot_sees_it(agent):
    _import([COURSE, TEST])
    assert qualification.snapshot().qualification("AG00017", on=ON).holds
    Seller.objects.filter(pk=agent.pk).update(terminated_on=date(2026, 5, 1))
    held = qualification.snapshot().qualification("AG00017", on=ON)
    assert not held.holds and held.missing == ("terminated",)


def test_validity_period_is_a_setting(agent, settings):
    _import([COURSE, TEST])
    settings.VERACITY_QUALIFICATION_TEST_VALIDITY_DAYS = 30
    assert not qualification.snapshot().qualification("AG00017", on=ON).holds
    settings.VERACITY_QUALIFICATION_TEST_VALIDITY_DAYS = None
    assert qualification.snapshot().qualification("AG00017", on=ON).holds


def personas_user(personas, username):
    from django.contrib.auth import get_user_model

    return (
        personas[username]
        if username in personas
        else get_user_model().objects.get(username=username)
    )


def test_a_batch_over_the_limit_is_refused_whole(personas, agent):
    from veracity.sales.training import MAX_BATCH, training_batch_record

    with pytest.raises(TrainingError) as refused:
        training_batch_record(
            principal=Staff(personas["tina"]),
            records=[{**COURSE, "course_code": f"C{i}"} for i in range(MAX_BATCH + 1)],
        )
    assert (refused.value.code, refused.value.field) == ("too_many", "records")
    assert not TrainingRecord.objects.exists()
    report = training_batch_record(principal=Staff(personas["tina"]), records=[COURSE, {}])
    assert (report.created, [(e.line, e.field) for e in report.errors]) == (1, [(1, "seller_code")])
