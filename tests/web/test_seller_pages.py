"""The seller register's pages (SF-1, SD-2): who sees what, the training page's forms and
their errors naming the field, a relative registered on the seller's page."""

from __future__ import annotations

import pytest

from tests.sales.factories import qualify
from veracity.audit.models import Action, AuditEvent
from veracity.sales.models import Seller, SellerKind, SellerRelative, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(personas):
    return Seller.objects.create(
        code="AG00017", kind=SellerKind.AGENT, name="李爱丽", user=personas["alice"]
    )


def test_the_register_lists_sellers_with_their_qualification(login, personas, agent):
    other = qualify(Seller.objects.create(code="AG00018", kind=SellerKind.AGENT, name="王二"))
    client = login(personas["tina"])
    page = client.get("/sellers/").content.decode()
    assert "AG00017 李爱丽" in page and "AG00018 王二" in page
    assert "不具备销售资格" in page and "具备销售资格" in page
    only = client.get("/sellers/?qualified=yes").content.decode()
    assert "AG00018" in only and "AG00017" not in only
    found = client.get("/sellers/?q=李爱").content.decode()
    assert "AG00017" in found and "AG00018" not in found
    assert client.get(f"/sellers/{other.pk}/").status_code == 200


def test_an_agent_sees_only_their_own_page(login, personas, agent):
    other = Seller.objects.create(code="AG00018", kind=SellerKind.AGENT, name="王二")
    client = login(personas["alice"])
    own = client.get(f"/sellers/{agent.pk}/")
    assert own.status_code == 200 and "投保单规范填写培训不足2课时" in own.content.decode()
    assert client.get(f"/sellers/{other.pk}/").status_code == 404
    assert client.get("/sellers/").status_code == 403
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED, object_type="seller").exists()


def test_training_page_records_a_course_for_two_and_a_test(login, personas, agent):
    Seller.objects.create(code="AG00018", kind=SellerKind.AGENT, name="王二")
    client = login(personas["tina"])
    assert client.get("/training/").status_code == 200
    response = client.post(
        "/training/",
        {
            "record": "course",
            "course-course_code": "FORM-101",
            "course-title": "投保单规范填写",
            "course-date": "2026-03-02",
            "course-hours": "2",
            "course-sellers": "AG00017, AG00018",
        },
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(kind="course").count() == 2
    response = client.post(
        "/training/",
        {
            "record": "test",
            "test-seller": "AG00017",
            "test-date": "2026-03-09",
            "test-passed": "yes",
            "test-score": "86",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/sellers/{agent.pk}/").content.decode()
    assert "具备销售资格" in page and "2026-03-09" in page


def test_training_page_errors_name_the_field_and_store_nothing(login, personas, agent):
    client = login(personas["tina"])
    response = client.post(
        "/training/",
        {
            "record": "course",
            "course-course_code": "FORM-101",
            "course-title": "x",
            "course-date": "2026-03-02",
            "course-hours": "2",
            "course-sellers": "AG00017 ZZ404",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "参加人员" in text and "ZZ404" in text
    assert TrainingRecord.objects.count() == 0


def test_a_non_training_user_cannot_record(login, personas, agent):
    client = login(personas["carol"])
    response = client.post(
        "/training/",
        {
            "record": "test",
            "test-seller": "AG00017",
            "test-date": "2026-03-09",
            "test-passed": "yes",
        },
    )
    assert response.status_code == 403
    assert TrainingRecord.objects.count() == 0


def test_channel_management_registers_a_relative_masked_on_the_page(login, personas, agent):
    client = login(personas["mike"])
    response = client.post(
        f"/sellers/{agent.pk}/relatives/",
        {"name": "王配偶", "relation": "配偶", "phones": "13911112222", "address": ""},
    )
    assert response.status_code == 302
    assert SellerRelative.objects.get(seller=agent).relation == "配偶"
    page = client.get(f"/sellers/{agent.pk}/").content.decode()
    assert "13911112222" not in page and "配偶" in page
    # tina may view but not manage
    refused = login(personas["tina"]).post(
        f"/sellers/{agent.pk}/relatives/", {"name": "x", "relation": "父亲"}
    )
    assert refused.status_code == 403
    assert SellerRelative.objects.count() == 1


def _conduct_of(seller, personas):
    """One complaint, one penalty in force and one compliance action on ``seller``."""
    from datetime import date

    from veracity.conduct.models import Complaint, ComplianceAction, Penalty

    Complaint.objects.create(
        complaint_no="TS2026-0042",
        received_on=date(2026, 5, 10),
        seller=seller,
        category="misselling",
        status="verified",
        verified=True,
        verified_on=date(2026, 5, 20),
    )
    Penalty.objects.create(
        seller=seller,
        reason="false_data",
        measure="warning",
        status="imported",
        decided_on=date(2026, 10, 15),
    )
    ComplianceAction.objects.create(
        kind="criticism", seller=seller, text="批评", recorded_by=personas["dave"]
    )


def test_the_seller_page_shows_the_conduct_record_with_its_links(login, personas, agent):
    _conduct_of(agent, personas)
    page = login(personas["dave"]).get(f"/sellers/{agent.pk}/").content.decode()
    assert 'id="conduct"' in page
    assert "TS2026-0042" in page and "/complaints/" in page
    assert "提供虚假客户资料" in page and "警告" in page and "/penalties/" in page
    assert "批评" in page and "/compliance/" in page
    # compliance records actions from here, with the seller named
    assert "/compliance/new/?seller=AG00017" in page


def test_the_seller_sees_their_own_record_without_the_registers(login, personas, agent):
    _conduct_of(agent, personas)
    page = login(personas["alice"]).get(f"/sellers/{agent.pk}/").content.decode()
    assert "TS2026-0042" in page and "警告" in page
    assert "/complaints/" not in page and "/penalties/" not in page
    # compliance's own actions are compliance's register
    assert "批评" not in page


def test_the_training_department_sees_no_conduct_record(login, personas, agent):
    _conduct_of(agent, personas)
    page = login(personas["tina"]).get(f"/sellers/{agent.pk}/").content.decode()
    assert 'id="conduct"' not in page and "TS2026-0042" not in page
