"""Staff pages through Django's test client: login, per-role home pages, language switch,
masked customer data, 404 outside the agent's book, clear messages for bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.factories import (
    HOLDER_ACCOUNT,
    HOLDER_PHONE,
    failing_application,
    other_application,
    seller_for,
    store,
)
from veracity.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, other, failed = store(application, other_application(), failing_application())
    wang = own.roles.get(role="policyholder").customer
    zhang = other.roles.get(role="policyholder").customer
    return {
        "own": own,
        "other": other,
        "failed": failed,
        "wang": wang,
        "zhang": zhang,
        "holder_id": application["policyholder"]["id_number"],
    }


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/customers/", "/customers/1/", "/applications/", "/applications/1/"],
)
def test_login_required(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_login_page_and_login(client, personas):
    page = client.get(reverse("web:login"))
    assert page.status_code == 200
    assert "用户名" in html(page) and "密码" in html(page)
    bad = client.post(reverse("web:login"), {"username": "sam", "password": "wrong"})
    assert bad.status_code == 200 and "alert-error" in html(bad)
    response = client.post(reverse("web:login"), {"username": "sam", "password": "pw-sam"})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200


def test_logout_is_a_post(login, personas):
    client = login(personas["sam"])
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("alice", ["我最近的投保单", "A2026110001", "A2026110050"]),
        ("carol", ["待补充告知", "最近未通过的投保单"]),
        ("sam", ["待补充告知", "最近未通过的投保单", "查找客户", "A2026110050"]),
        ("dave", ["近30天核验结论", "必填项未填写", "每百件投保单校验未通过数"]),
        ("ivan", ["涉密档案", "泄露事件", "档案检查", "待我审批"]),
        ("audrey", ["审计", 'href="/audit/"']),
        ("admin", ["Django 管理后台"]),
    ],
)
def test_home_per_role(login, personas, book, username, expected):
    response = login(personas[username]).get("/")
    assert response.status_code == 200
    body = html(response)
    for text in expected:
        assert text in body, text
    assert "Veracity" in body and "客户信息真实性" in body


def test_agent_home_shows_only_own_applications(login, personas, book):
    body = html(login(personas["alice"]).get("/"))
    assert "A2026110001" in body
    assert "A2026110099" not in body


def test_language_switch_changes_the_page_language(login, personas, book):
    client = login(personas["sam"])
    assert '<html lang="zh-hans">' in html(client.get("/"))
    assert "待补充告知" in html(client.get("/"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = html(client.get("/"))
    assert '<html lang="en">' in body
    assert "Open supplement requests" in body and "Log out" in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "退出" in html(client.get("/"))


def test_customer_page_shows_masked_values_only(login, personas, book):
    client = login(personas["sam"])
    url = reverse("web:customer_detail", args=[book["wang"].pk])
    response = client.get(url, {"purpose": "customer_service"})
    assert response.status_code == 200
    body = html(response)
    assert "王芳" in body
    assert "138****8000" in body
    assert "622202*********4567" in body
    for secret in (HOLDER_PHONE, "138 0013 8000", book["holder_id"], HOLDER_ACCOUNT, "东长安街1号"):
        assert secret not in body
    assert "A2026110001" in body  # policies
    assert "变更记录" in body  # change history


def test_customer_page_asks_for_a_purpose_first(login, personas, book):
    client = login(personas["sam"])
    url = reverse("web:customer_detail", args=[book["wang"].pk])
    before = AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).count()
    response = client.get(url)
    assert response.status_code == 200
    assert "138****8000" not in html(response)
    assert 'name="purpose"' in html(response)
    assert AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).count() == before
    # the purpose stated once is remembered in the session
    client.get(url, {"purpose": "callback"})
    again = client.get(url)
    assert "138****8000" in html(again)
    assert (
        AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA, purpose="callback").count() == 2
    )


def test_agent_gets_404_outside_their_book(login, personas, book):
    client = login(personas["alice"])
    mine = client.get(
        reverse("web:customer_detail", args=[book["wang"].pk]), {"purpose": "callback"}
    )
    assert mine.status_code == 200
    other = client.get(
        reverse("web:customer_detail", args=[book["zhang"].pk]), {"purpose": "callback"}
    )
    assert other.status_code == 404
    assert "张伟" not in html(other)
    assert client.get(f"/applications/{book['other'].pk}/").status_code == 404


def test_auditor_is_refused_customer_pages(login, personas, book):
    client = login(personas["audrey"])
    response = client.get("/customers/")
    assert response.status_code == 403
    assert "无权访问" in html(response)
    assert client.get(f"/customers/{book['wang'].pk}/?purpose=callback").status_code == 403


def test_search_by_phone_finds_the_customer_and_audits(login, personas, book):
    client = login(personas["sam"])
    response = client.post(
        "/customers/", {"query": "+86 138 0013 8000", "kind": "phone", "purpose": "callback"}
    )
    assert response.status_code == 200
    body = html(response)
    assert "王芳" in body and f"/customers/{book['wang'].pk}/" in body
    assert HOLDER_PHONE not in body
    event = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).last()
    assert event.purpose == "callback" and event.actor == "sam"


def test_search_with_htmx_returns_the_results_fragment(login, personas, book):
    client = login(personas["sam"])
    response = client.get(
        "/customers/",
        {"query": "王", "kind": "name", "purpose": "callback"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = html(response)
    assert "<html" not in body and "王芳" in body


def test_search_remembers_the_purpose(login, personas, book):
    client = login(personas["sam"])
    client.get("/customers/", {"query": "王", "kind": "name", "purpose": "problem_item"})
    page = html(client.get("/customers/"))
    assert 'value="problem_item" selected' in page
    response = client.post("/customers/", {"query": HOLDER_PHONE, "kind": "phone"})
    assert "王芳" in html(response)
    assert AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).last().purpose == (
        "problem_item"
    )


@pytest.mark.parametrize(
    ("params", "message_zh", "message_en"),
    [
        (
            {"query": "x", "kind": "shoe_size", "purpose": "callback"},
            "未知的查询方式",
            "Unknown kind of search",
        ),
        (
            {"query": "", "kind": "phone", "purpose": "callback"},
            "请输入要查找的内容",
            "Type what to search for",
        ),
        (
            {"query": "13800138000", "kind": "phone", "purpose": ""},
            "请先说明查询目的",
            "State the purpose",
        ),
        (
            {"query": "13800138000", "kind": "phone", "purpose": "curiosity"},
            "未知的查询目的",
            "Unknown purpose",
        ),
        ({"query": "x" * 500, "kind": "name", "purpose": "callback"}, "查询内容过长", "too long"),
    ],
)
def test_bad_search_input_gets_a_clear_message_in_both_languages(
    login, personas, book, params, message_zh, message_en
):
    client = login(personas["sam"])
    before = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).count()
    response = client.post("/customers/", params)
    assert response.status_code == 200
    assert message_zh in html(response)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/customers/", params)
    assert message_en in html(response)
    assert AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).count() == before


@pytest.mark.parametrize(
    "url",
    [
        "/customers/abc/",
        "/customers/99999999999999999999999/?purpose=callback",
        "/customers/0/?purpose=callback",
        "/customers/1/?purpose=%00%ff",
        "/applications/NOPE/",
        "/applications/%E2%80%AE/",
        "/applications/0/",
        "/applications/99999999999999999999999/",
        "/applications/?verdict=maybe&page=-3",
        "/applications/?page=abc",
        "/applications/?page=99999",
        "/no/such/page/",
    ],
)
def test_garbage_in_urls_never_gives_500(login, personas, book, url):
    response = login(personas["sam"]).get(url)
    assert response.status_code in {200, 400, 404}
    assert "Traceback" not in html(response)


def test_404_page_is_friendly_in_both_languages(login, personas):
    client = login(personas["sam"])
    assert "页面不存在" in html(client.get("/no/such/page/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Not found" in html(client.get("/no/such/page/"))


def test_500_page_is_friendly(rf):
    from veracity.web.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错" in body and "Something went wrong" in body


def test_applications_list_filters_and_paginates(login, personas, book):
    client = login(personas["sam"])
    body = html(client.get("/applications/", {"verdict": "fail"}))
    assert "A2026110050" in body and "A2026110001" not in body
    body = html(client.get("/applications/"))
    assert all(no in body for no in ("A2026110001", "A2026110050", "A2026110099"))
    bad = html(client.get("/applications/", {"verdict": "maybe"}))
    assert "未知的结论筛选" in bad


def test_application_page_shows_findings_in_the_active_language(login, personas, book):
    from veracity.policies.models import GateCheck

    stored = GateCheck.objects.filter(policy=book["failed"]).first().findings
    client = login(personas["sam"])
    body = html(client.get(f"/applications/{book['failed'].pk}/"))
    assert all(f["message_zh"] in body for f in stored)
    assert "补充告知" in body and "badge-error" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = html(client.get(f"/applications/{book['failed'].pk}/"))
    assert all(f["message_en"] in body for f in stored)
    assert "Supplement request" in body


def test_application_page_masks_parties(login, personas, book):
    body = html(login(personas["alice"]).get(f"/applications/{book['own'].pk}/"))
    assert "138****8000" in body
    assert HOLDER_PHONE not in body and book["holder_id"] not in body
    assert HOLDER_ACCOUNT not in body


def test_chinese_by_default_even_for_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers.get("Content-Language") == "zh-hans"
    client.cookies["django_language"] = "en"
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.headers.get("Content-Language") == "en"
