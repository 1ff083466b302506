"""Click through a penalty in Chromium (issue 13): nora (channel management) proposes a
contract termination from the seller's code; mike, head of 销售渠道管理部, approves; george,
the general manager, approves the termination; the seller's contract ends and compliance is
told. Nora never gets an approve button on her own proposal."""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_termination_is_proposed_and_approved_by_two_people(browser, live_server, personas):
    from veracity.conduct.models import Penalty
    from veracity.notify.models import Notification
    from veracity.sales.models import Seller, SellerKind

    Seller.objects.create(code="AG1", kind=SellerKind.AGENT, name="李爱丽")
    page = signed_in(browser, live_server, "nora")
    page.goto(f"{live_server.url}/penalties/new/?seller=AG1")
    assert page.input_value("#id_code") == "AG1"
    page.select_option("#id_reason", "substituted_contact")
    page.select_option("#id_measure", "contract_termination")
    page.fill("#id_note", "以本人电话替代客户电话")
    page.click("#penalty-submit")
    page.wait_for_url(re.compile(r"/penalties/\d+/$"))
    penalty = Penalty.objects.get()
    assert page.locator("#penalty-status").inner_text() == "待审批"
    assert page.locator("#approve").count() == 0  # not on her own proposal
    page.context.close()

    for username in ("mike", "george"):
        page = signed_in(browser, live_server, username)
        page.goto(f"{live_server.url}/")
        page.goto(f"{live_server.url}/penalties/{penalty.pk}/")
        assert "李爱丽" in page.locator("#penalty-seller").inner_text()
        page.click("#approve")
        page.locator(".alert, .messages").first.wait_for()
        page.context.close()

    penalty.refresh_from_db()
    assert penalty.status == "approved"
    assert Seller.objects.get(code="AG1").terminated_on == penalty.decided_on
    assert Notification.objects.filter(kind="penalty_in_force", recipient__username="dave").exists()
    page = signed_in(browser, live_server, "dave")
    page.goto(f"{live_server.url}/penalties/{penalty.pk}/")
    assert page.locator("#penalty-status").inner_text() == "有效"
    assert page.locator("#approvals li").count() == 2
    page.context.close()
