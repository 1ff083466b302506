"""Click through the inquiry desk in Chromium: customer service verifies a caller on the phone
and sees only that policy (no other policy's number on the page); a wrong statement is told
only that the details do not match."""

from __future__ import annotations

import pytest

from tests.web.browsing import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caller_is_verified_at_the_desk_and_sees_only_that_policy(
    browser, live_server, personas
) -> None:
    from tests.inquiry.book import HOLDER_ID, make_book
    from veracity.inquiry.models import Disclosure

    make_book()
    sam = signed_in(browser, live_server, "sam")
    sam.goto(f"{live_server.url}/")
    sam.locator("#home-inquiry-link").click()
    sam.wait_for_url("**/inquiries/")

    # a wrong name first: nothing but "does not match"
    sam.fill("#id_policy_no", "P2026000001")
    sam.fill("#id_name", "王芬")
    sam.select_option("#id_id_type", "resident_id")
    sam.fill("#id_id_number", HOLDER_ID)
    sam.locator("#verify-submit").click()
    assert "信息不符，无法核实身份" in sam.locator("#verify-outcome").inner_text()
    assert "P2026000002" not in sam.content()

    sam.fill("#id_policy_no", "P2026000001")
    sam.fill("#id_name", "王芳")
    sam.fill("#id_id_number", HOLDER_ID)
    sam.locator("#verify-submit").click()
    sam.wait_for_url("**/inquiries/*/")
    assert sam.locator("#answer-policy").inner_text() == "P2026000001"
    assert "投保人" in sam.locator("#verified-as").inner_text()
    page = sam.content()
    assert "P2026000002" not in page and HOLDER_ID not in page
    assert sam.locator("#section-premiums").is_visible()
    assert Disclosure.objects.filter(role="policyholder", channel="phone").count() == 1
    sam.context.close()
