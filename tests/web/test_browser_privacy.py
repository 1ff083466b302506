"""No personal data in URLs or logs, in Chromium (issue 10, point 9): customer service finds
a customer by ID number, phone and bank account; the values never reach the address bar, the
browser history or the server log; a search by phone typed into the address bar is refused
and its query string is cut from the log. Every page stays within the Content-Security-Policy.
(``server_log`` in ``conftest.py`` checks the log of every browser test.)"""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import sign_in
from tests.web.conftest import known_personal_values, leaked
from tests.web.factories import HOLDER_ACCOUNT, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stored(personas, application):
    seller_for(personas["alice"])
    (policy,) = store(application)
    return policy


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("id_number", "id"),
        ("phone", "+86 138 0013 8000"),
        ("account", "6222 0202 0000 1234 567"),
    ],
)
def test_exact_searches_keep_the_value_out_of_urls_and_logs(
    page, live_server, personas, stored, application, server_log, kind, typed
):
    if typed == "id":
        typed = application["policyholder"]["id_number"]
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/customers/")
    page.fill("#id_query", typed)
    page.select_option("#id_kind", kind)
    page.select_option("#id_purpose", "callback")
    page.get_by_role("button", name="查询", exact=True).click()
    page.locator("#results a", has_text="王芳").wait_for()
    assert page.url == f"{live_server.url}/customers/"
    history = page.evaluate("() => [location.href, document.referrer, history.length]")
    assert not leaked(" ".join(map(str, history)), known_personal_values())

    page.locator("#results a", has_text="王芳").click()
    page.wait_for_url(re.compile(r"/customers/\d+/"))
    assert not leaked(page.url, known_personal_values())

    searches = [line for line in server_log if "/customers/ HTTP" in line]
    assert any('"POST /customers/ HTTP/1.1" 200' in line for line in searches), server_log
    assert not [line for line in server_log if leaked(line, known_personal_values())]


def test_a_search_by_phone_in_the_address_bar_is_refused_and_not_logged(
    page, live_server, personas, stored, server_log
):
    sign_in(page, live_server, "sam")
    response = page.goto(
        f"{live_server.url}/customers/?kind=account&query={HOLDER_ACCOUNT}&purpose=callback"
    )
    assert response.status == 400
    body = page.locator("body").inner_text()
    assert "仅能通过查询表单" in body and "王芳" not in body
    assert page.input_value("#id_query") == ""
    refused = [line for line in server_log if "GET /customers/" in line]
    assert refused and all("?" not in line for line in refused), refused


PAGES = {
    "sam": [
        "/",
        "/customers/",
        "/customers/{customer}/",
        "/applications/",
        "/problems/",
        "/problems/queue/",
        "/problems/overdue/",
        "/problems/runs/",
        "/access/",
        "/access/new/",
        "/notifications/",
        "/incidents/report/",
    ],
    "ivan": ["/", "/retention/", "/incidents/", "/access/register/"],
    "audrey": ["/", "/audit/"],
    "admin": ["/admin/", "/api/v1/docs"],
}


@pytest.mark.parametrize("username", PAGES)
def test_pages_run_within_the_content_security_policy(
    browser, live_server, personas, stored, username
):
    """No page triggers a CSP violation (an inline script, style or handler the policy
    blocks), htmx runs with eval and script tags off, and the bars still get their width."""
    admin = personas["admin"]
    admin.is_staff = True
    admin.save()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text
            or (m.type == "error" and "Failed to load resource" not in m.text)
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(  # a missing script or style sheet; the browser's own favicon guess aside
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    sign_in(page, live_server, username)
    customer = stored.roles.get(role="policyholder").customer_id
    for path in PAGES[username]:
        url = live_server.url + path.format(customer=customer)
        response = page.goto(url)
        assert response.status < 400, url
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if path.startswith("/api/"):
            page.locator(".swagger-ui .info").first.wait_for()
            continue
        if path.startswith("/admin/"):
            continue
        config = page.evaluate("() => [htmx.config.allowEval, htmx.config.allowScriptTags]")
        assert config == [False, False], url
        unset = page.evaluate(
            "() => [...document.querySelectorAll('[data-bar]')]"
            ".filter(el => el.style.width === '').length"
        )
        assert unset == 0, url
    assert problems == []
    context.close()
