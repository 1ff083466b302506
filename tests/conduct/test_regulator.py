"""The quarterly regulator report (D1.22, D1.23, D4.13): what it counts, its review on the
approvals engine, release, corrections, downloads and filings — every refusal changes
nothing."""

from __future__ import annotations

import hashlib
from datetime import date, time
from typing import Any

import pytest

from tests.conduct.conftest import local
from veracity.approvals.models import ApprovalDecision
from veracity.audit.models import AuditEvent
from veracity.conduct.models import RegulatorFiling, RegulatorReport, RegulatorReportFile
from veracity.conduct.regulator import (
    regulator_report_build,
    regulator_report_correct,
    regulator_report_download,
    regulator_report_export,
    regulator_report_file,
    regulator_report_prepare,
    regulator_report_release,
    regulator_report_review,
)
from veracity.core.quarters import parse_quarter
from veracity.core.refusals import Refusal
from veracity.notify.models import Notification
from veracity.org.principals import Staff

Q4 = parse_quarter("2026Q4")
CUT_OFF = local(date(2027, 1, 5))


def build() -> dict[str, Any]:
    return regulator_report_build(Q4, cut_off=CUT_OFF)


def codes(content: dict[str, Any], key: str = "sellers") -> list[str]:
    return [e["code"] for e in content[key]]


# --- what is counted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided_on", "counted"),
    [
        (date(2026, 9, 30), False),
        (date(2026, 10, 1), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
    ],
)
def test_a_penalty_counts_in_the_quarter_it_is_decided(quarter_book, decided_on, counted) -> None:
    seller = quarter_book.seller("AG1", "张三")
    quarter_book.penalty(seller, decided_on)
    assert codes(build()) == (["AG1"] if counted else [])


@pytest.mark.parametrize(
    ("day", "at", "counted"),
    [
        (date(2026, 9, 30), time(23, 59), False),
        (date(2026, 10, 1), time(0, 0), True),  # local midnight (UTC 09-30 16:00)
        (date(2026, 12, 31), time(23, 59), True),
        (date(2027, 1, 1), time(0, 0), False),
    ],
)
def test_an_escalation_counts_in_the_quarter_its_item_was_verified(
    quarter_book, day, at, counted
) -> None:
    seller = quarter_book.seller("AG1", "张三")
    quarter_book.escalation(seller, local(day, at))
    assert codes(build()) == (["AG1"] if counted else [])


@pytest.mark.parametrize(
    ("status", "reason", "counted"),
    [
        ("approved", "false_data", True),
        ("imported", "substituted_contact", True),
        ("proposed", "false_data", False),
        ("rejected", "false_data", False),
        ("withdrawn", "false_data", False),
        ("approved", "misselling", False),
        ("approved", "incomplete_data", False),
    ],
)
def test_only_penalties_in_force_for_false_data_count(
    quarter_book, status, reason, counted
) -> None:
    seller = quarter_book.seller("AG1", "张三")
    quarter_book.penalty(seller, date(2026, 11, 2), status=status, reason=reason)
    assert codes(build()) == (["AG1"] if counted else [])


def test_the_entries_with_reasons_measures_dates_and_distinct_policies(quarter_book) -> None:
    agency = quarter_book.seller("AY1", "某某保险代理有限公司", kind="agency")
    agent = quarter_book.seller("AG1", "张𠀋", agency=agency)
    other = quarter_book.seller("AG2", "李四")
    p1, p2 = quarter_book.policy(agent), quarter_book.policy(agent, channel="bancassurance")
    p3 = quarter_book.policy(agent, channel="bancassurance")
    foreign = quarter_book.policy(other)  # named by the same item, but another seller's
    quarter_book.penalty(
        agent, date(2026, 10, 8), measure="commission_deduction", policies=(p1, p2)
    )
    quarter_book.escalation(agent, local(date(2026, 11, 3)), policies=(p2, p3, foreign))
    via_agency = quarter_book.policy(other, agency=agency)
    quarter_book.penalty(
        agency, date(2026, 12, 1), reason="refused_true_data", policies=(via_agency,)
    )
    content = build()
    assert content["quarter"] == "2026Q4"
    assert (content["first_day"], content["last_day"]) == ("2026-10-01", "2026-12-31")
    (entry,) = content["sellers"]
    assert entry["code"] == "AG1" and entry["name"] == "张𠀋" and entry["kind"] == "agent"
    assert entry["reasons"] == ["false_data"]
    assert entry["measures"] == ["commission_deduction", "escalated"]
    assert entry["policies"] == 3  # p1, p2, p3: p2 once; the other seller's policy not
    assert entry["channel"] == "bancassurance" and set(entry["channels"]) == {
        "agency",
        "bancassurance",
    }
    assert (entry["first_on"], entry["last_on"]) == ("2026-10-08", "2026-11-03")
    assert entry["agency"] == {"code": "AY1", "name": "某某保险代理有限公司"}
    (firm,) = content["agencies"]
    assert firm["code"] == "AY1" and firm["reasons"] == ["refused_true_data"]
    assert firm["policies"] == 1 and firm["channel"] == "agency"
    assert content["counts"] == {"sellers": 1, "agencies": 1, "refused_true_data": 1}


# --- the life of an edition ---------------------------------------------------------------


def state() -> dict[str, Any]:
    """Everything a refused step must leave as it was."""
    return {
        "reports": list(RegulatorReport.objects.order_by("pk").values()),
        "decisions": list(ApprovalDecision.objects.order_by("pk").values("pk", "step")),
        "filings": list(RegulatorFiling.objects.order_by("pk").values()),
        "files": list(RegulatorReportFile.objects.order_by("pk").values("pk", "sha256")),
    }


def refused_audited(code: str, call, *args: Any, **kwargs: Any) -> Refusal:
    before = state()
    events = AuditEvent.objects.filter(action="access_refused").count()
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.code
    assert state() == before, "nothing changed"
    assert AuditEvent.objects.filter(action="access_refused").count() == events + 1
    return caught.value


@pytest.fixture
def prepared(quarter_book, personas) -> RegulatorReport:
    seller = quarter_book.seller("AG1", "张三")
    quarter_book.penalty(seller, date(2026, 10, 8), policies=(quarter_book.policy(seller),))
    return regulator_report_prepare(principal=Staff(personas["mike"]), quarter="2026Q4")


def test_prepare_takes_the_data_into_an_edition_under_review(prepared, personas) -> None:
    assert prepared.status == RegulatorReport.Status.IN_REVIEW
    assert prepared.edition == 1 and prepared.content["sellers"][0]["code"] == "AG1"
    assert len(prepared.content_sha256) == 64
    waiting = Notification.objects.filter(kind="regulator_report_waiting")
    assert set(waiting.values_list("recipient__username", flat=True)) >= {"ivan", "mona"}


def test_only_channel_management_or_compliance_prepare(quarter_book, personas) -> None:
    for username in ("alice", "olga", "ivan"):
        refused_audited(
            "regulator.prepare",
            regulator_report_prepare,
            principal=Staff(personas[username]),
            quarter="2026Q4",
        )


def test_a_bad_quarter_is_refused(personas, db) -> None:
    refused_audited(
        "quarter.invalid", regulator_report_prepare, principal=Staff(personas["mike"]), quarter="Q9"
    )


def test_no_second_edition_while_one_is_under_review(prepared, personas) -> None:
    refused_audited(
        "regulator.in_review",
        regulator_report_prepare,
        principal=Staff(personas["dave"]),
        quarter="2026Q4",
    )


def test_release_without_both_approvals_is_refused(prepared, personas) -> None:
    mike = Staff(personas["mike"])
    refused_audited(
        "regulator.not_approved", regulator_report_release, principal=mike, report_id=prepared.pk
    )
    regulator_report_review(principal=Staff(personas["ivan"]), report_id=prepared.pk, approve=True)
    refused_audited(
        "regulator.not_approved", regulator_report_release, principal=mike, report_id=prepared.pk
    )
    prepared.refresh_from_db()
    assert prepared.status == RegulatorReport.Status.IN_REVIEW and not prepared.files


def test_a_reviewer_approving_twice_is_refused(prepared, personas) -> None:
    ivan = Staff(personas["ivan"])
    regulator_report_review(principal=ivan, report_id=prepared.pk, approve=True)
    refused_audited(
        "regulator.already_reviewed",
        regulator_report_review,
        principal=ivan,
        report_id=prepared.pk,
        approve=True,
    )


def test_a_return_needs_a_reason_and_ends_the_edition(prepared, personas) -> None:
    mona = Staff(personas["mona"])
    refused_audited(
        "regulator.rejection_reason",
        regulator_report_review,
        principal=mona,
        report_id=prepared.pk,
        approve=False,
    )
    regulator_report_review(principal=mona, report_id=prepared.pk, approve=False, reason="数据有误")
    prepared.refresh_from_db()
    assert prepared.status == RegulatorReport.Status.REJECTED
    again = regulator_report_prepare(principal=Staff(personas["mike"]), quarter="2026Q4")
    assert again.edition == 2 and again.correction_of is None


def test_only_the_two_managers_review(prepared, personas) -> None:
    for username in ("mike", "olga", "george"):
        refused_audited(
            "regulator.review",
            regulator_report_review,
            principal=Staff(personas[username]),
            report_id=prepared.pk,
            approve=True,
        )


def released(report: RegulatorReport, personas) -> RegulatorReport:
    regulator_report_review(principal=Staff(personas["ivan"]), report_id=report.pk, approve=True)
    regulator_report_review(principal=Staff(personas["mona"]), report_id=report.pk, approve=True)
    report.refresh_from_db()
    return report


def test_both_approvals_release_it_frozen_and_tell_the_general_office(prepared, personas) -> None:
    report = released(prepared, personas)
    assert report.status == RegulatorReport.Status.RELEASED and report.released_at
    assert set(report.files) == {"json", "xlsx", "pdf"}
    assert {r["username"] for r in report.reviewers} == {"ivan", "mona"}
    for stored in RegulatorReportFile.objects.filter(report=report):
        assert hashlib.sha256(bytes(stored.data)).hexdigest() == report.files[stored.format]
    told = Notification.objects.filter(kind="regulator_report_released")
    assert "olga" in set(told.values_list("recipient__username", flat=True))
    assert told.first().link == f"/regulator-reports/{report.pk}/"


def test_a_released_edition_does_not_change(prepared, personas) -> None:
    report = released(prepared, personas)
    refused_audited(
        "regulator.frozen",
        regulator_report_review,
        principal=Staff(personas["ivan"]),
        report_id=report.pk,
        approve=False,
        reason="再改一下",
    )
    refused_audited(
        "regulator.frozen",
        regulator_report_release,
        principal=Staff(personas["mike"]),
        report_id=report.pk,
    )
    refused_audited(
        "regulator.released",
        regulator_report_prepare,
        principal=Staff(personas["mike"]),
        quarter="2026Q4",
    )


def test_a_correction_is_a_new_edition_and_supersedes_on_release(
    quarter_book, prepared, personas
) -> None:
    first = released(prepared, personas)
    quarter_book.penalty(quarter_book.seller("AG9", "王五"), date(2026, 12, 30))
    refused_audited(
        "regulator.reason_required",
        regulator_report_correct,
        principal=Staff(personas["mike"]),
        report_id=first.pk,
        reason="  ",
    )
    second = regulator_report_correct(
        principal=Staff(personas["mike"]), report_id=first.pk, reason="补报一名营销员"
    )
    assert second.edition == 2 and second.correction_of_id == first.pk
    assert codes(second.content) == ["AG1", "AG9"]
    first.refresh_from_db()
    assert first.status == RegulatorReport.Status.RELEASED  # until the correction is
    released(second, personas)
    first.refresh_from_db()
    assert first.status == RegulatorReport.Status.SUPERSEDED
    assert first.content["sellers"][0]["code"] == "AG1" and len(first.content["sellers"]) == 1


def test_downloads_serve_the_frozen_file_after_checking_its_hash(prepared, personas) -> None:
    report = released(prepared, personas)
    olga = Staff(personas["olga"])
    made = regulator_report_download(principal=olga, report_id=report.pk, fmt="pdf")
    assert made.data.startswith(b"%PDF") and made.sha256 == report.files["pdf"]
    RegulatorReportFile.objects.filter(report=report, format="pdf").update(data=b"%PDF-forged")
    refused_audited(
        "regulator.file_mismatch",
        regulator_report_download,
        principal=olga,
        report_id=report.pk,
        fmt="pdf",
    )


def test_an_unreleased_edition_is_not_downloaded(prepared, personas) -> None:
    refused_audited(
        "regulator.not_released",
        regulator_report_download,
        principal=Staff(personas["olga"]),
        report_id=prepared.pk,
        fmt="json",
    )


def test_the_export_of_a_quarter_without_a_release_is_built_now(quarter_book, personas) -> None:
    quarter_book.penalty(quarter_book.seller("AG1", "张三"), date(2026, 10, 8))
    made = regulator_report_export(
        principal=Staff(personas["george"]), quarter="2026Q4", fmt="json"
    )
    assert made.edition is None and b'"unreleased"' in made.data
    refused_audited(
        "regulator.view",
        regulator_report_export,
        principal=Staff(personas["alice"]),
        quarter="2026Q4",
        fmt="json",
    )


# --- filings -------------------------------------------------------------------------------


def test_the_general_office_records_the_filings(prepared, personas) -> None:
    report = released(prepared, personas)
    olga = Staff(personas["olga"])
    today = date.today()
    filing = regulator_report_file(
        principal=olga,
        report_id=report.pk,
        recipient="regulator",
        filed_on=today.isoformat(),
        means="监管信息报送系统",
        reference="BJ-2027-001",
    )
    assert filing.recorded_by == personas["olga"] and filing.filed_on == today
    regulator_report_file(
        principal=olga, report_id=report.pk, recipient="association", filed_on=today, means="邮寄"
    )
    refused_audited(
        "regulator.already_filed",
        regulator_report_file,
        principal=olga,
        report_id=report.pk,
        recipient="regulator",
        filed_on=today,
        means="再次报送",
    )


@pytest.mark.parametrize("username", ["mike", "ivan", "dave", "alice"])
def test_only_the_general_office_records_a_filing(prepared, personas, username) -> None:
    report = released(prepared, personas)
    refused_audited(
        "regulator.file",
        regulator_report_file,
        principal=Staff(personas[username]),
        report_id=report.pk,
        recipient="regulator",
        filed_on=date.today(),
        means="监管信息报送系统",
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"recipient": "press"}, "regulator.recipient"),
        ({"filed_on": "2026-13-01"}, "regulator.date"),
        ({"filed_on": "2099-01-01"}, "regulator.date_future"),
        ({"filed_on": "2000-01-01"}, "regulator.date_before_release"),
        ({"means": "  "}, "regulator.means_required"),
        ({"means": "x" * 101}, "regulator.too_long"),
        ({"reference": "a\x00b"}, "regulator.control_characters"),
    ],
)
def test_a_bad_filing_is_refused(prepared, personas, changes, code) -> None:
    report = released(prepared, personas)
    values = {
        "recipient": "regulator",
        "filed_on": date.today().isoformat(),
        "means": "监管信息报送系统",
        "reference": "",
        **changes,
    }
    refused_audited(
        code,
        regulator_report_file,
        principal=Staff(personas["olga"]),
        report_id=report.pk,
        **values,
    )


def test_a_filing_of_an_unreleased_edition_is_refused(prepared, personas) -> None:
    refused_audited(
        "regulator.not_released",
        regulator_report_file,
        principal=Staff(personas["olga"]),
        report_id=prepared.pk,
        recipient="regulator",
        filed_on=date.today(),
        means="监管信息报送系统",
    )
