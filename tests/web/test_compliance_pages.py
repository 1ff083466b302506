"""The compliance-action pages (SF-6, D1.24): list with its filters, record form with its
errors by field, the action page with follow-ups and closing; who reaches which."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.conduct.actions import compliance_action_record
from veracity.conduct.models import ComplianceAction, ComplianceFollowUp
from veracity.org.models import Department
from veracity.org.principals import Staff
from veracity.sales.models import Seller, SellerKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency(db):
    return Seller.objects.create(code="AGY0001", kind=SellerKind.AGENCY, name="诚信保险代理公司")


def make(personas, agency, **changes):
    values = {
        "principal": Staff(personas["dave"]),
        "kind": "rectification",
        "text": "客户电话与代理机构电话相同，限期整改",
        "seller_code": agency.code,
        "due_on": timezone.localdate() + timedelta(days=7),
        "owner_id": personas["henry"].pk,
    }
    values.update(changes)
    return compliance_action_record(**values)


def late(action, days=3):
    ComplianceAction.objects.filter(pk=action.pk).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )


def test_compliance_records_a_demand_on_the_form(login, personas, agency):
    client = login(personas["dave"])
    page = client.get("/compliance/new/?seller=AGY0001")
    assert page.status_code == 200
    assert 'value="AGY0001"' in page.content.decode()
    response = client.post(
        "/compliance/new/",
        {
            "kind": "rectification",
            "seller": "AGY0001",
            "text": "限期整改客户电话",
            "due_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "owner": str(personas["henry"].pk),
            "items": "",
        },
    )
    action = ComplianceAction.objects.get()
    assert response.status_code == 302 and response.url == f"/compliance/{action.pk}/"
    assert action.owner == personas["henry"] and action.seller == agency


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"seller": "", "department": ""}, "请填写一个对象"),
        ({"seller": "NOPE"}, "找不到代码为 NOPE"),
        ({"due_on": ""}, "整改要求须填写整改期限"),
        ({"owner": ""}, "整改要求须指定整改责任人"),
        ({"items": "12, abc"}, "请填写问题件编号"),
        ({"items": "424242"}, "找不到问题件：#424242"),
    ],
)
def test_a_wrong_form_names_the_field_and_stores_nothing(login, personas, agency, changes, words):
    data = {
        "kind": "rectification",
        "seller": "AGY0001",
        "department": "",
        "text": "限期整改",
        "due_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "owner": str(personas["henry"].pk),
        "items": "",
        **changes,
    }
    response = login(personas["dave"]).post("/compliance/new/", data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ComplianceAction.objects.exists()


def test_a_department_is_a_target_too(login, personas):
    department = Department.objects.get(code="CHN")
    response = login(personas["dave"]).post(
        "/compliance/new/",
        {"kind": "criticism", "department": str(department.pk), "text": "通报批评"},
    )
    assert response.status_code == 302
    assert ComplianceAction.objects.get().department == department


@pytest.mark.parametrize("username", ["mike", "george", "henry", "tina"])
def test_only_compliance_opens_the_record_form(login, personas, username):
    before = AuditEvent.objects.filter(action="access_refused").count()
    assert login(personas[username]).get("/compliance/new/").status_code == 403
    assert login(personas[username]).post("/compliance/new/", {"kind": "x"}).status_code == 403
    assert AuditEvent.objects.filter(action="access_refused").count() == before + 2
    assert not ComplianceAction.objects.exists()


def test_the_list_filters_by_kind_status_target_and_overdue(login, personas, agency):
    overdue = make(personas, agency)
    late(overdue)
    on_time = make(personas, agency)
    criticism = make(personas, agency, kind="criticism")
    department = make(
        personas,
        agency,
        seller_code="",
        department_id=Department.objects.get(code="AGY").pk,
        kind="committee_referral",
    )
    client = login(personas["dave"])

    def rows(query=""):
        body = client.get(f"/compliance/{query}").content.decode()
        return {int(n) for n in re.findall(r'id="compliance-(\d+)"', body)}

    assert rows() == {overdue.pk, on_time.pk, criticism.pk, department.pk}
    assert rows("?overdue=1") == {overdue.pk}
    assert rows("?kind=criticism") == {criticism.pk}
    assert rows("?status=open") == {overdue.pk, on_time.pk, department.pk}
    assert rows("?target=AGY") == {department.pk}
    assert rows("?target=AGY0001") == {overdue.pk, on_time.pk, criticism.pk}
    assert rows("?kind=nonsense&status=<x>") == rows()
    body = client.get("/compliance/?overdue=1").content.decode()
    assert "逾期" in body and "整改要求" in body


def test_channel_management_reads_the_register_without_recording(login, personas, agency):
    action = make(personas, agency)
    client = login(personas["mike"])
    body = client.get("/compliance/").content.decode()
    assert f'id="compliance-{action.pk}"' in body
    assert "/compliance/new/" not in body
    page = client.get(f"/compliance/{action.pk}/").content.decode()
    assert "compliance-follow-up-form" not in page and "compliance-close" not in page


def test_the_owner_sees_only_their_demand_and_reports_it_done(login, personas, agency):
    mine = make(personas, agency)
    other = make(personas, agency, owner_id=personas["carol"].pk)
    client = login(personas["henry"])
    body = client.get("/compliance/").content.decode()
    assert f'id="compliance-{mine.pk}"' in body and f'id="compliance-{other.pk}"' not in body
    assert client.get(f"/compliance/{other.pk}/").status_code == 404
    page = client.get(f"/compliance/{mine.pk}/").content.decode()
    assert "compliance-follow-up-form" in page and "compliance-close-button" not in page
    response = client.post(
        f"/compliance/{mine.pk}/follow-up/", {"note": "已全部更正", "done": "on"}
    )
    assert response.status_code == 302
    assert ComplianceFollowUp.objects.get().done is True
    # the owner cannot close it; and cannot follow up another's demand
    assert client.post(f"/compliance/{mine.pk}/close/", {"note": ""}).status_code == 400
    assert client.post(f"/compliance/{other.pk}/follow-up/", {"note": "x"}).status_code == 404
    assert ComplianceFollowUp.objects.count() == 1
    assert ComplianceAction.objects.get(pk=mine.pk).status == "open"


def test_compliance_closes_the_demand(login, personas, agency):
    action = make(personas, agency)
    client = login(personas["dave"])
    response = client.post(f"/compliance/{action.pk}/close/", {"note": "复核无误"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    page = client.get(f"/compliance/{action.pk}/").content.decode()
    assert "已完成" in page and "compliance-close-button" not in page
    # a second close is refused with words, nothing changes
    again = client.post(f"/compliance/{action.pk}/close/", {"note": ""})
    assert again.status_code == 400 and "已完成，不能再修改" in again.content.decode()


def test_a_follow_up_without_words_is_refused(login, personas, agency):
    action = make(personas, agency)
    response = login(personas["dave"]).post(f"/compliance/{action.pk}/follow-up/", {"note": ""})
    assert response.status_code == 400
    assert not ComplianceFollowUp.objects.exists()


def test_unknown_steps_and_gets_of_steps(login, personas, agency):
    action = make(personas, agency)
    client = login(personas["dave"])
    assert client.get(f"/compliance/{action.pk}/nonsense/").status_code == 404
    assert client.get(f"/compliance/{action.pk}/close/").status_code == 302
    assert client.get("/compliance/999999/").status_code == 404


def test_the_page_links_the_problem_items(login, personas, agency):
    from tests.cases.test_listing import make_items

    item = make_items()
    action = make(personas, agency, item_ids=[item.pk])
    page = login(personas["dave"]).get(f"/compliance/{action.pk}/").content.decode()
    assert f'href="/problems/{item.pk}/"' in page
    # the general manager reads the register but does not open problem items: the number
    # without a link
    page = login(personas["george"]).get(f"/compliance/{action.pk}/").content.decode()
    assert f"#{item.pk}" in page and f'href="/problems/{item.pk}/"' not in page


def test_the_type_ahead_offers_sellers_by_code_or_name(login, personas, agency):
    Seller.objects.create(code="AG00017", kind=SellerKind.AGENT, name="李爱丽")
    client = login(personas["dave"])
    body = client.get("/compliance/sellers/?seller=AGY").content.decode()
    assert 'value="AGY0001"' in body and "AG00017" not in body
    body = client.get("/compliance/sellers/?seller=爱丽").content.decode()
    assert 'value="AG00017"' in body
    assert login(personas["mike"]).get("/compliance/sellers/?seller=AG").status_code == 403


def test_the_navigation_offers_the_register_to_its_readers(login, personas):
    for username, shown in [("dave", True), ("mike", True), ("george", True), ("carol", False)]:
        body = login(personas[username]).get("/").content.decode()
        assert ('id="nav-compliance"' in body) is shown, username
