"""Each role's home page: its sections, once each, in words (no codes), with its charts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.factories import failing_application, other_application, seller_for, store
from veracity.access.roles import RoleName
from veracity.cases.models import ProblemItem, ProblemItemMember
from veracity.core.findings import CATALOGUE
from veracity.web.views.home import sections_for

pytestmark = pytest.mark.django_db

SECTIONS = {
    "alice": ["agent"],
    "carol": ["queue", "backoffice"],
    "henry": ["approvals", "queue", "backoffice"],  # heads the agency department
    "terry": ["queue"],
    "sam": ["approvals", "queue", "service"],
    "dave": ["approvals", "queue", "quality", "conduct"],  # heads compliance
    "ivan": ["approvals", "managers"],
    "mona": ["approvals", "queue", "managers"],
    "george": ["approvals", "general"],
    "audrey": ["auditor"],
    # the three roles of issue 13 (tina, mike and olga head their departments)
    "tina": ["approvals", "training"],
    "mike": ["approvals", "channels"],
    "nora": ["channels"],
    "olga": ["approvals", "office"],
    "admin": ["admin"],
}


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, _other, _failed = store(application, other_application(), failing_application())
    today = timezone.localdate()
    item = ProblemItem.objects.create(
        rule="MANUAL",
        key="home-1",
        severity="medium",
        reason_zh="测试",
        reason_en="test",
        first_seen_on=today,
        last_seen_on=today,
        stage="investigating",
        due_on=today - timedelta(days=1),
        assignee=personas["carol"],
        assigned_channel="agency",
    )
    ProblemItemMember.objects.create(
        item=item,
        customer=own.roles.get(role="policyholder").customer,
        policy=own,
        added_on=today,
    )
    return own


def sections(body: str) -> list[str]:
    return re.findall(r'data-section="(\w+)"', body)


@pytest.mark.parametrize("username", sorted(SECTIONS))
def test_each_role_sees_its_sections_once_in_words(login, personas, book, username):
    response = login(personas[username]).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert sections(body) == SECTIONS[username]
    # Chinese words only: no finding or rule codes, no article numbers
    for code in (*CATALOGUE, "SHARED_PHONE", "MANUAL"):
        assert code not in body, code
    assert not re.search(r"\bD\d+\.\d+", body)
    # the welcome line comes first, the inbox's panel goes right under it
    assert body.index("<h1>") < body.index("data-section=")


def test_a_person_with_several_roles_sees_each_section_once():
    roles = {RoleName.CUSTOMER_SERVICE, RoleName.CUSTOMER_SERVICE_MANAGER, RoleName.COMPLIANCE}
    assert sections_for(roles, approver=True) == [
        "approvals",
        "queue",
        "service",
        "quality",
        "conduct",
        "managers",
    ]
    assert sections_for(set()) == []


def test_compliance_sees_rates_as_charts_with_whole_labels(login, personas, book):
    body = login(personas["dave"]).get("/").content.decode()
    assert body.count("<svg") >= 4
    assert "每百件投保单校验未通过数" in body and "每百件保单的未结问题件数" in body
    assert ">个人代理<" in body  # the channel by name, in full
    assert ">必填项未填写<" in body  # the finding by name
    assert ">李爱丽<" in body  # the agent by name
    assert ">未通过<" in body and ">未通<" not in body


def test_back_office_sees_its_items_by_deadline(login, personas, book):
    body = login(personas["carol"]).get("/").content.decode()
    assert "我的问题件（按期限）" in body
    assert "<desc" in body and "已逾期: 1" in body


def test_customer_service_sees_stages_clues_and_supplements(login, personas, book):
    body = login(personas["sam"]).get("/").content.decode()
    for words in (
        "未结问题件（按环节）",
        "今日新线索",
        "待补充告知",
        "近14天每日新线索",
        "查找客户",
    ):
        assert words in body, words


def test_customer_service_sees_contact_changes_and_undelivered_notices(login, personas, book):
    """The portal's reported contact changes waiting for verification and the notices that
    did not reach the customer, as counts linking to their lists."""
    from tests.portal.factories import book as portal_book
    from veracity.org.principals import Customer
    from veracity.portal.services import contact_change_request

    wang = portal_book().wang
    contact_change_request(
        principal=Customer(wang, verified_by="test"), kind="phone", value="13900001111"
    )
    body = login(personas["sam"]).get("/").content.decode()
    block = body.split('id="home-customer-contact"')[1].split("</ul>")[0]
    assert "待核实的联系信息变更" in block and "近30天未送达的通知" in block
    assert ">1<" in block  # the one request
    assert "/customers/change-requests/" in block and "/notices/failures/" in block
    assert 'id="home-customer-contact"' not in login(personas["dave"]).get("/").content.decode()


def test_general_manager_sees_the_months_figures(login, personas, book):
    body = login(personas["george"]).get("/").content.decode()
    for words in ("本月数据", "新增客户", "校验通过率", "新增问题件", "办结问题件", "泄露事件"):
        assert words in body, words
    assert "66.7%" in body  # two of the three gate checks passed


def test_auditor_sees_chain_refusals_and_anomalies(login, personas, book):
    client = login(personas["audrey"])
    client.get("/problems/")  # refused: the auditor has no problem list
    body = client.get("/").content.decode()
    for words in ("审计链", "尚未校验", "近7天被拒绝的操作", "近30天异常访问线索"):
        assert words in body, words
    assert re.search(r'class="figure figure-fail">\s*1<', body)


def test_the_home_page_speaks_english_too(login, personas, book):
    client = login(personas["dave"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Gate failures per 100 applications" in body
    assert ">Required field missing<" in body
    assert "每百件" not in body


def test_the_snapshot_time_is_shown_with_the_counts_it_serves(login, personas, book):
    from veracity.cases.figures import quality_snapshot_take

    assert "问题件数据截至" not in login(personas["dave"]).get("/").content.decode()
    quality_snapshot_take(business_date=timezone.localdate())
    for username in ("dave", "george"):
        assert "问题件数据截至" in login(personas[username]).get("/").content.decode()
