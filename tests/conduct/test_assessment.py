"""The assessment (考核) on a small book, exact figures; and its Excel export — refused without
an approved export request, text that looks like a formula written as text."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from veracity.access.exports import ExportRefused
from veracity.audit.models import AuditEvent
from veracity.cases.models import Escalation, ProblemItem, ProblemItemMember
from veracity.conduct.assessment import assessment_export, assessment_rows
from veracity.conduct.models import Penalty
from veracity.core.assessment import period_parse
from veracity.core.refusals import Refusal
from veracity.org.principals import Staff, system
from veracity.policies.models import GateCheck, Policy, Product
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db

OCT = period_parse("2026-10")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def small_book(personas):
    product = Product.objects.create(code="PR1", name="福满堂", type="ordinary_life", term_years=10)
    agency = Seller.objects.create(code="A1", kind=SellerKind.AGENCY, name='=HYPERLINK("x")')
    s1 = Seller.objects.create(code="S1", kind=SellerKind.AGENT, name="@SUM(A1)", agency=agency)
    s2 = Seller.objects.create(code="S2", kind=SellerKind.AGENT, name="-3+4")
    policies = {}
    for no, seller, applied, ag in (
        ("P0", s1, date(2026, 9, 30), agency),
        ("P1", s1, date(2026, 10, 1), agency),
        ("P2", s1, date(2026, 10, 15), agency),
        ("P3", s1, date(2026, 10, 31), agency),
        ("P4", s2, date(2026, 10, 2), None),
    ):
        policies[no] = Policy.objects.create(
            application_no=f"A-{no}",
            product=product,
            channel="agency",
            seller=seller,
            agency=ag,
            applied_on=applied,
        )
    for no, verdicts in (
        ("P0", ["fail"]),
        ("P1", ["fail", "fail"]),
        ("P2", ["fail", "pass"]),
        ("P3", ["pass"]),
        ("P4", ["fail"]),
    ):
        for verdict in verdicts:
            GateCheck.objects.create(policy=policies[no], source="api", verdict=verdict)

    def item(key: str, seen: date, *nos: str) -> ProblemItem:
        made = ProblemItem.objects.create(
            rule="SHARED_PHONE",
            key=key,
            severity="high",
            reason_zh="共用",
            reason_en="shared",
            first_seen_on=seen,
            last_seen_on=seen,
        )
        for n, no in enumerate(nos):
            ProblemItemMember.objects.create(
                item=made, customer_id=1000 + n, policy=policies[no], added_on=seen
            )
        return made

    x = item("x", date(2026, 10, 5), "P1", "P2")
    item("y", date(2026, 10, 6), "P4")
    item("z", date(2026, 9, 30), "P1")
    dave = personas["dave"]
    for seller, day in (
        (s1, date(2026, 10, 10)),
        (s1, date(2026, 9, 10)),
        (agency, date(2026, 10, 11)),
    ):
        Escalation.objects.create(
            item=x, seller=seller, reason="r", escalated_by=dave, escalated_at=_at(day)
        )
    Penalty.objects.create(
        seller=s1,
        reason="false_data",
        measure="warning",
        decided_on=date(2026, 10, 12),
        status="approved",
    )
    Penalty.objects.create(seller=s1, reason="false_data", measure="warning", status="proposed")
    Penalty.objects.create(
        seller=s2,
        reason="false_data",
        measure="warning",
        decided_on=date(2026, 11, 1),
        status="imported",
    )
    return {"S1": s1, "S2": s2, "A1": agency}


def _figures(rows):
    return [
        (
            r.code,
            r.applications,
            r.gate_failed,
            r.gate_failed_per_100,
            r.problem_items,
            r.escalations,
            r.penalties,
        )
        for r in rows
    ]


def test_seller_figures_of_a_month(personas, small_book):
    rows = assessment_rows(principal=Staff(personas["mike"]), scope="seller", period=OCT)
    assert _figures(rows) == [
        ("S1", 3, 2, Decimal("66.7"), 1, 1, 1),
        ("S2", 1, 1, Decimal("100.0"), 1, 0, 0),
    ]


def test_seller_figures_of_a_quarter_and_a_year(personas, small_book):
    q4 = assessment_rows(
        principal=Staff(personas["mike"]), scope="seller", period=period_parse("2026Q4")
    )
    assert _figures(q4)[1] == ("S2", 1, 1, Decimal("100.0"), 1, 0, 1)
    year = assessment_rows(
        principal=Staff(personas["mike"]), scope="seller", period=period_parse("2026")
    )
    assert _figures(year)[0] == ("S1", 4, 3, Decimal("75.0"), 2, 2, 1)


def test_agency_figures(personas, small_book):
    rows = assessment_rows(principal=Staff(personas["mike"]), scope="agency", period=OCT)
    assert _figures(rows) == [("A1", 3, 2, Decimal("66.7"), 1, 1, 0)]


def test_one_code(personas, small_book):
    rows = assessment_rows(principal=Staff(personas["mike"]), scope="seller", period=OCT, code="S2")
    assert [r.code for r in rows] == ["S2"]


def test_refused_to_those_who_may_not_read_it(personas, small_book):
    before = AuditEvent.objects.filter(action="access_refused").count()
    with pytest.raises(Refusal):
        assessment_rows(principal=Staff(personas["carol"]), scope="seller", period=OCT)
    assert AuditEvent.objects.filter(action="access_refused").count() == before + 1


def _approve_export(requester, approver):
    from veracity.access.governance import access_request_decide, access_request_submit

    made = access_request_submit(
        principal=system("test", person=requester),
        customer_ids=[],
        subject="考核表",
        purpose="report",
        reason="月度考核",
        kind="export",
        export_of="assessment",
    )
    return access_request_decide(
        principal=system("test", person=approver), request_id=made.pk, approve=True
    )


def test_export_refused_without_an_approved_request(personas, small_book):
    before = AuditEvent.objects.filter(action="access_refused").count()
    exports = AuditEvent.objects.filter(action="export").count()
    with pytest.raises(ExportRefused) as refused:
        assessment_export(principal=Staff(personas["mike"]), scope="seller", period=OCT)
    assert refused.value.code == "request_required"
    assert AuditEvent.objects.filter(action="access_refused").count() == before + 1
    assert AuditEvent.objects.filter(action="export").count() == exports


def test_export_writes_text_as_text_with_the_watermark(personas, small_book):
    approval = _approve_export(personas["mike"], personas["george"])
    made = assessment_export(principal=Staff(personas["mike"]), scope="seller", period=OCT)
    assert made.request.pk == approval.pk and f"#{approval.pk}" in made.watermark
    sheet = load_workbook(io.BytesIO(made.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=False))
    by_code = {r[0].value: r for r in rows}
    assert by_code["S1"][1].value == "@SUM(A1)" and by_code["S1"][1].data_type == "s"
    assert by_code["S2"][1].value == "-3+4" and by_code["S2"][1].data_type == "s"
    assert by_code["S1"][2].value == 3 and by_code["S1"][2].data_type == "n"
    assert by_code["S1"][4].value == pytest.approx(66.7)
    agencies = assessment_export(principal=Staff(personas["mike"]), scope="agency", period=OCT)
    cell = load_workbook(io.BytesIO(agencies.data)).active.cell(row=3, column=2)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")
    assert AuditEvent.objects.filter(action="export").count() == 2
