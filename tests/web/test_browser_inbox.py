"""Hand-offs told, clicked through in Chromium (issue 12): an access request reaches its
approvers' inboxes (the badge count rises, the 待我处理 panel counts it) and the decision
reaches the requester; a distributed problem item reaches the channel's back-office and the
team leader of its seller, each notice opening the item."""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import signed_in
from tests.web.factories import other_application, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def badge(page) -> int:
    """The unread count in the navigation (0 when no badge is shown)."""
    found = page.locator("#nav-notifications .badge")
    return int(found.inner_text()) if found.count() else 0


def open_notice(page, live_server, text):
    """Open the inbox, check its buttons can be read, and follow the notice with ``text``."""
    page.goto(f"{live_server.url}/notifications/")
    note = page.locator(".notifications li", has_text=text)
    note.wait_for()
    mark = note.get_by_role("button", name="标为已读")
    colour, background = mark.evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colour != "rgb(255, 255, 255)", (colour, background)  # not white on white
    note.get_by_role("button", name="打开页面").click()


def test_access_request_reaches_the_approvers_and_the_decision_the_requester(
    browser, live_server, personas, application
):
    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    zhang = other.roles.get(role="policyholder").customer

    henry = signed_in(browser, live_server, "henry")  # alice's department head
    before = badge(henry)

    alice = signed_in(browser, live_server, "alice")
    alice.goto(f"{live_server.url}/access/new/")
    # the customer named as people write the file number: lower case, no leading zeros
    alice.fill("#id_customers", "c" + str(int(zhang.archive_no[1:])))
    alice.fill("#id_subject", "客户来电核实保单")
    alice.select_option("#id_purpose", "callback")
    alice.fill("#id_reason", "客户致电称曾通过本人购买保单，需核实")
    alice.get_by_role("button", name="提交审批").click()
    alice.wait_for_url(re.compile(r"/access/\d+/$"))
    request_id = int(alice.url.rstrip("/").rsplit("/", 1)[1])
    assert badge(alice) == 0  # nobody tells her of her own request

    henry.goto(f"{live_server.url}/")
    assert badge(henry) == before + 1
    waiting = henry.locator("#waiting-approve_access")
    assert waiting.locator(".waiting-count").inner_text() == "1"
    assert "待我审批的查阅申请" in waiting.inner_text()
    open_notice(henry, live_server, f"查阅申请 #{request_id} 待您审批")
    henry.wait_for_url(re.compile(rf"/access/{request_id}/$"))
    henry.fill("#reason", "同意，限回访使用")
    henry.get_by_role("button", name="批准").click()
    henry.locator(".alert, .messages").first.wait_for()
    assert badge(henry) == before  # opening the notice read it
    henry.context.close()

    sam = signed_in(browser, live_server, "sam")  # customer service: the second step
    assert badge(sam) >= 1
    open_notice(sam, live_server, f"查阅申请 #{request_id} 待您审批")
    sam.wait_for_url(re.compile(rf"/access/{request_id}/$"))
    sam.fill("#reason", "同意")
    sam.get_by_role("button", name="批准").click()
    sam.locator(".alert, .messages").first.wait_for()
    sam.context.close()

    alice.goto(f"{live_server.url}/")
    assert badge(alice) == 1
    open_notice(alice, live_server, f"您的查阅申请 #{request_id}：已批准")
    alice.wait_for_url(re.compile(rf"/access/{request_id}/$"))
    assert badge(alice) == 0
    alice.context.close()


def test_a_distribution_reaches_the_back_office_and_the_team_leader(browser, live_server, personas):
    from tests.cases.test_listing import make_items
    from veracity.sales.models import Seller, SellerKind

    leader = Seller.objects.create(
        code="TL1", kind=SellerKind.AGENT, name="陶瑞", qualified=True, user=personas["terry"]
    )
    Seller.objects.create(
        code="AG1", kind=SellerKind.AGENT, name="李爱丽", qualified=True, leader=leader
    )
    Seller.objects.create(code="BK7", kind=SellerKind.BANCA_SPECIALIST, name="白可", qualified=True)
    from tests.sales.factories import qualify_all

    qualify_all()
    item = make_items()

    sam = signed_in(browser, live_server, "sam")
    assert sam.locator("#waiting-distribute .waiting-count").inner_text() == "1"
    sam.locator("#waiting-distribute a").click()
    sam.wait_for_url(re.compile(r"/problems/queue/\?stage=new$"))
    sam.locator(f"#item-{item.pk} input[name=item]").check()
    sam.get_by_role("button", name="分发", exact=True).click()
    sam.locator(".msg.success", has_text="1件问题件已分发").wait_for()
    sam.goto(f"{live_server.url}/")
    assert sam.locator("#waiting-distribute .waiting-count").inner_text() == "0"
    sam.context.close()

    for username in ("carol", "terry"):  # the agency back-office and AG1's team leader
        page = signed_in(browser, live_server, username)
        assert badge(page) == 1, username
        open_notice(page, live_server, f"问题件 #{item.pk} 已分发至您的渠道，请调查")
        page.wait_for_url(re.compile(rf"/problems/{item.pk}/$"))
        assert badge(page) == 0, username
        page.context.close()

    carol = signed_in(browser, live_server, "carol")
    assert carol.locator("#waiting-take_up .waiting-count").inner_text() == "1"
    carol.context.close()
