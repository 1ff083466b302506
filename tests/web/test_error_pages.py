"""Errors for people (issue 12): with DEBUG off, Veracity's own 400/403/404/500 pages in the
page's language, never Django's debug page; an application or a problem item outside one's
reach gets the same "restricted — request access" page as a customer file, and the attempt
is audited as refused."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from tests.web.browsing import sign_in
from tests.web.factories import other_application, seller_for, store
from veracity.audit.models import Action, AuditEvent


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, other = store(application, other_application())
    return {"own": own, "other": other}


@override_settings(DEBUG=False)
def test_404_in_chinese_then_english(login, personas):
    client = login(personas["sam"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = html(response)
    assert '<html lang="zh-hans">' in body and "页面不存在" in body
    assert "Page not found" not in body and "URLconf" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = html(client.get("/no/such/page/"))
    assert "Not found" in body and "页面不存在" not in body


@override_settings(DEBUG=False)
def test_404_for_an_anonymous_visitor_too(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 404 and "页面不存在" in html(response)


@override_settings(DEBUG=False)
def test_403_in_chinese(login, personas):
    response = login(personas["audrey"]).get("/customers/")
    assert response.status_code == 403
    body = html(response)
    assert "Forbidden" not in body and "403" in body and "无权" in body


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_400_in_chinese(client):
    response = client.get("/login/", HTTP_HOST="elsewhere.example", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 400
    body = html(response)
    assert "请求无法处理" in body or "请求有误" in body, body
    assert "DisallowedHost" not in body


@override_settings(DEBUG=False, ROOT_URLCONF="tests.web.urls_failing")
def test_500_in_chinese(login, personas):
    client = login(personas["sam"])
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = html(response)
    assert "系统出错" in body and "Traceback" not in body and "RuntimeError" not in body


@override_settings(DEBUG=False)
def test_a_form_without_its_token_gets_the_403_page_in_chinese(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-CN")
    response = client.post("/login/", {"username": "sam", "password": "pw-sam"})
    assert response.status_code == 403
    body = html(response)
    assert "表单已失效" in body and "CSRF verification failed" not in body


def refused(object_type: str) -> int:
    return AuditEvent.objects.filter(action=Action.ACCESS_REFUSED, object_type=object_type).count()


@override_settings(DEBUG=False)
def test_an_application_outside_reach_is_restricted_and_audited(login, personas, book):
    client = login(personas["alice"])
    before = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    response = client.get(f"/applications/{book['other'].pk}/")
    assert response.status_code == 404
    body = html(response)
    assert 'id="no-access"' in body and "受限" in body and "申请" in body
    assert "A2026110099" not in body and "张伟" not in body
    assert "/access/" in body  # the way to apply for access
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == before + 1
    # the same words for a number that does not exist at all
    missing = client.get("/applications/987654/")
    assert missing.status_code == 404 and 'id="no-access"' in html(missing)
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == before + 2


@override_settings(DEBUG=False)
def test_a_problem_item_outside_reach_is_restricted_and_audited(login, personas):
    from tests.cases.test_listing import make_items

    item = make_items()
    client = login(personas["alice"])
    before = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    response = client.get(f"/problems/{item.pk}/")
    assert response.status_code in {403, 404}
    if response.status_code == 404:
        body = html(response)
        assert 'id="no-access"' in body and "问题件" in body and "王小芳" not in body
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == before + 1
    sam = login(personas["sam"])
    assert sam.get(f"/problems/{item.pk}/").status_code == 200
    gone = sam.get("/problems/987654/")
    assert gone.status_code == 404 and 'id="no-access"' in html(gone)


def test_demo_settings_run_without_debug_and_serve_static_files():
    import subprocess
    import sys

    code = (
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS, "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in __import__("os").environ.items() if k != "DEBUG"},
            "DJANGO_SETTINGS_MODULE": "veracity.config.settings.demo",
        },
        timeout=120,
        check=False,
    )
    last = result.stdout.strip().splitlines()[-1:]
    assert last == ["False True True"], result.stdout + result.stderr


# --- in the browser, on the live server (DEBUG off, as the demo and production run) --------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_404_page_in_chinese_in_the_browser(page, live_server, roles_exist, personas):
    from django.conf import settings

    assert settings.DEBUG is False
    sign_in(page, live_server, "sam")
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response is not None and response.status == 404
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "页面不存在"
    body = page.locator("body").inner_text()
    assert "Page not found" not in body and "URLconf" not in body
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_restricted_application_in_the_browser(page, live_server, roles_exist, personas, book):
    sign_in(page, live_server, "alice")
    response = page.goto(f"{live_server.url}/applications/{book['other'].pk}/")
    assert response is not None and response.status == 404
    card = page.locator("#no-access")
    assert "该投保单不存在，或不在您工作所需的查看范围内" in card.inner_text()
    assert "A2026110099" not in page.locator("body").inner_text()
    card.get_by_role("link", name="申请查阅").click()
    page.wait_for_url(re.compile(r"/access/new/"))
    assert AuditEvent.objects.filter(
        action=Action.ACCESS_REFUSED, actor="alice", object_type="application"
    ).exists()
