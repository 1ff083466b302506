"""Click through the real UI in Chromium: customer service finds a customer by phone, opens
the masked customer file, switches the language to English and back."""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import sign_in
from tests.web.factories import HOLDER_PHONE, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/veracity-customer-page.png"


@pytest.fixture
def stored(personas, application):
    seller_for(personas["alice"])
    (policy,) = store(application)  # policyholder phone "138 0013 8000"
    return policy


def test_customer_service_finds_customer_by_phone(page, live_server, personas, stored):
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    sign_in(page, live_server, "sam")
    assert page.locator("h1").first.inner_text().startswith("欢迎")

    page.goto(f"{live_server.url}/customers/")
    page.fill("#id_query", "+86 138 0013 8000")
    page.select_option("#id_kind", "phone")
    page.select_option("#id_purpose", "callback")
    page.get_by_role("button", name="查询", exact=True).click()
    result = page.locator("#results a", has_text="王芳")
    result.wait_for()
    result.click()

    page.wait_for_url(re.compile(r"/customers/\d+/"))
    body = page.locator("body").inner_text()
    assert "138****8000" in body
    assert HOLDER_PHONE not in body and "138 0013 8000" not in body
    assert "变更记录" in body
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    body = page.locator("body").inner_text()
    assert "Change history" in body and "Identity documents" in body
    assert "138****8000" in body and HOLDER_PHONE not in body

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert "变更记录" in page.locator("body").inner_text()
