"""SF-1 in the browser: the training department records a course and a test, and the seller
becomes qualified on their page."""

from __future__ import annotations

import pytest

from tests.web.browsing import signed_in
from veracity.sales.models import Seller, SellerKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_training_department_qualifies_a_seller(browser, live_server, personas):
    seller = Seller.objects.create(code="AG00017", kind=SellerKind.AGENT, name="李爱丽")
    page = signed_in(browser, live_server, "tina")
    page.goto(f"{live_server.url}/sellers/{seller.pk}/")
    assert "不具备销售资格" in page.locator("#qualification").inner_text()
    page.goto(f"{live_server.url}/training/")
    page.fill("#id_course-course_code", "FORM-101")
    page.fill("#id_course-date", "2026-03-02")
    page.fill("#id_course-hours", "2")
    page.fill("#id_course-sellers", "AG00017")
    page.locator("#course-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/training/")
    page.fill("#id_test-seller", "AG00017")
    page.fill("#id_test-date", "2026-03-09")
    page.select_option("#id_test-passed", "yes")
    page.fill("#id_test-score", "86")
    page.locator("#test-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/training/")
    page.locator("#recent-training a", has_text="AG00017").first.click()
    qualification = page.locator("#qualification").inner_text()
    assert "具备销售资格" in qualification and "不具备" not in qualification
    assert "2026-03-09" in page.locator("#test-passed").inner_text()
    page.context.close()
