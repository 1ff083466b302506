"""The homes of compliance (its overdue rectifications) and of the three roles of issue 13:
the training department, channel management and the general office — counts in words, no
personal data, links to the pages where the work is done."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from veracity.cases.models import Escalation, ProblemItem
from veracity.conduct.actions import compliance_action_record
from veracity.conduct.figures import quarter_of, training_figures
from veracity.conduct.models import ComplianceAction, Penalty, RegulatorFiling, RegulatorReport
from veracity.org.principals import Staff
from veracity.sales.models import Seller, SellerKind, TrainingRecord

pytestmark = pytest.mark.django_db


def section(body: str, name: str) -> str:
    match = re.search(rf'<div class="home-grid" data-section="{name}">(.*?)\n</div>', body, re.S)
    assert match, name
    return match.group(1)


def _demand(personas, seller, *, late_by: int = 0, owner: str = "henry") -> ComplianceAction:
    action = compliance_action_record(
        principal=Staff(personas["dave"]),
        kind="rectification",
        text="限期整改",
        seller_code=seller.code,
        due_on=timezone.localdate() + timedelta(days=3),
        owner_id=personas[owner].pk,
    )
    if late_by:
        ComplianceAction.objects.filter(pk=action.pk).update(
            due_on=timezone.localdate() - timedelta(days=late_by)
        )
    return action


@pytest.fixture
def agency(db):
    return Seller.objects.create(code="AGY0001", kind=SellerKind.AGENCY, name="诚信保险代理公司")


def test_compliance_sees_its_overdue_rectifications_oldest_first(login, personas, agency):
    oldest = _demand(personas, agency, late_by=9)
    newer = _demand(personas, agency, late_by=2)
    _demand(personas, agency)  # on time
    body = login(personas["dave"]).get("/").content.decode()
    part = section(body, "conduct")
    assert 'id="home-overdue-count">2<' in part
    assert part.index(f'/compliance/{oldest.pk}/"') < part.index(f'/compliance/{newer.pk}/"')
    assert "已逾期 9 天" in part and "/compliance/?overdue=1" in part
    assert "未完成的整改要求" in part


def test_compliance_with_nothing_overdue_is_told_so(login, personas):
    part = section(login(personas["dave"]).get("/").content.decode(), "conduct")
    assert "没有逾期的整改要求" in part


def test_the_owner_finds_their_demands_in_the_waiting_panel_overdue_first(login, personas, agency):
    _demand(personas, agency, late_by=1)
    _demand(personas, agency)
    body = login(personas["henry"]).get("/").content.decode()
    late = body.index('id="waiting-rectifications_overdue"')
    on_time = body.index('id="waiting-rectifications"')
    assert late < on_time
    assert "我负责的已逾期整改要求" in body
    assert "/compliance/?mine=1&amp;overdue=1" in body


def _course(seller, hours, day):
    TrainingRecord.objects.create(
        seller=seller, kind="course", date=day, hours=Decimal(hours), course_code=f"C{hours}"
    )


def _test(seller, passed, day):
    TrainingRecord.objects.create(
        seller=seller, kind="test", date=day, passed=passed, course_code="T1"
    )


@pytest.fixture
def sellers(db):
    today = timezone.localdate()
    first = today.replace(day=1)
    qualified, no_hours, no_test, _neither, legacy, ended = (
        Seller.objects.create(code=c, kind=SellerKind.AGENT, name=c)
        for c in ("Q1", "H1", "T1", "N1", "L1", "X1")
    )
    _course(qualified, "2", first)
    _test(qualified, True, first)
    _course(no_hours, "1.5", first)
    _test(no_hours, True, first)
    _course(no_test, "1", first)
    _course(no_test, "1", first - timedelta(days=40))
    _test(no_test, False, first)
    TrainingRecord.objects.create(seller=legacy, kind="legacy", date=first, source="旧系统")
    ended.terminated_on = first
    ended.save()
    Seller.objects.create(code="AGYX", kind=SellerKind.AGENCY, name="代理机构")  # not asked
    return today


def test_training_figures_count_what_is_missing_set_based(
    personas, sellers, django_assert_max_num_queries
):
    # the register's snapshot (its version, the training records, the sellers) and the count
    # of this month's tests
    with django_assert_max_num_queries(6):
        figures = training_figures(principal=Staff(personas["tina"]), today=sellers)
    assert figures is not None
    assert (figures.sellers, figures.qualified, figures.terminated) == (5, 2, 1)
    assert (figures.no_hours, figures.no_test, figures.neither) == (1, 1, 1)
    assert (figures.tests_month, figures.tests_month_passed) == (3, 2)
    assert training_figures(principal=Staff(personas["mike"]), today=sellers) is None


def test_the_training_home_shows_sellers_without_qualification(login, personas, sellers):
    body = login(personas["tina"]).get("/").content.decode()
    part = section(body, "training")
    assert 'id="home-unqualified">3<' in part
    assert "培训不足 2 课时" in part and "未通过测试" in part
    assert "本月资格测试" in part
    assert "<svg" in part  # the chart of what is missing
    assert "Q1" not in part and "N1" not in part  # counts, no names or codes


def test_the_channel_management_home_shows_the_quarter(login, personas, agency):
    from tests.cases.test_listing import make_items

    today = timezone.localdate()
    _name, first, _last = quarter_of(today)
    Penalty.objects.create(seller=agency, reason="false_data", measure="warning")
    Penalty.objects.create(
        seller=agency, reason="false_data", measure="warning", status="approved", decided_on=today
    )
    Penalty.objects.create(  # decided last quarter: not counted
        seller=agency,
        reason="false_data",
        measure="warning",
        status="approved",
        decided_on=first - timedelta(days=1),
    )
    Escalation.objects.create(
        seller=agency,
        reason="虚假电话",
        escalated_by=personas["carol"],
        escalated_at=timezone.now(),
    )
    item = make_items()
    ProblemItem.objects.filter(pk=item.pk).update(rule="REPEAT_MISSELLING")
    body = login(personas["mike"]).get("/").content.decode()
    part = section(body, "channels")
    assert 'id="home-penalties-awaiting">1<' in part
    assert 'id="home-repeat-open">1<' in part
    assert f"{today.year}年第{(today.month - 1) // 3 + 1}季度" in part
    assert ">REPEAT_MISSELLING" not in part  # the rule's code only in the link
    assert "/compliance/" in part  # channel management reads the compliance register
    # and the problem-item list of its channel (D1.14), the re-checks picked out
    assert "/problems/?rule=REPEAT_MISSELLING" in part


def test_the_general_office_home_shows_editions_not_yet_filed(login, personas):
    def edition(quarter: str, n: int) -> RegulatorReport:
        return RegulatorReport.objects.create(
            quarter=quarter,
            edition=n,
            status="released",
            cut_off=timezone.now(),
            content={},
            content_sha256="0" * 64,
            prepared_by=personas["mike"],
            released_at=timezone.now(),
        )

    filed = edition("2026Q2", 1)
    half = edition("2026Q3", 1)
    RegulatorReport.objects.filter(pk=edition("2026Q3", 2).pk).update(status="draft")
    for recipient in ("regulator", "association"):
        RegulatorFiling.objects.create(
            report=filed,
            recipient=recipient,
            filed_on=timezone.localdate(),
            means="邮寄",
            recorded_by=personas["olga"],
        )
    RegulatorFiling.objects.create(
        report=half,
        recipient="regulator",
        filed_on=timezone.localdate(),
        means="邮寄",
        recorded_by=personas["olga"],
    )
    part = section(login(personas["olga"]).get("/").content.decode(), "office")
    assert 'id="home-unfiled">1<' in part
    assert "2026年第3季度" in part and "2026年第2季度" not in part
    assert "未报送" in part and "2026Q3" not in part


@pytest.mark.parametrize("username", ["tina", "mike", "nora", "olga"])
def test_the_new_roles_homes_speak_english_too(login, personas, username):
    client = login(personas[username])
    client.cookies["django_language"] = "en"
    body = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert "data-section=" in body
