"""Click through borrowing in Chromium (issue 5): an agent asks for a file outside her book
with a purpose; her department head and customer service approve; she reads the file for
the grant's duration; after expiry it is gone; the auditor finds every step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.browsing import signed_in
from tests.web.factories import other_application, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def approve(browser, live_server, username, request_id):
    page = signed_in(browser, live_server, username)
    page.goto(f"{live_server.url}/access/")
    page.locator("#to-decide a", has_text=f"#{request_id}").click()
    page.wait_for_url(re.compile(rf"/access/{request_id}/$"))
    page.fill("#reason", "同意，限回访使用")
    page.get_by_role("button", name="批准").click()
    page.locator(".alert, .messages").first.wait_for()
    page.context.close()


def test_agent_borrows_a_file_and_loses_it_at_expiry(browser, live_server, personas, application):
    from veracity.access.governance import access_grants_expire
    from veracity.access.models import AccessGrant
    from veracity.customers.models import Customer

    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    zhang = other.roles.get(role="policyholder").customer_id

    # alice finds the file only as "restricted" and asks for it, with purpose and reason
    alice = signed_in(browser, live_server, "alice")
    alice.goto(f"{live_server.url}/customers/")
    alice.fill("#id_query", "139 1234 5678")
    alice.select_option("#id_kind", "phone")
    alice.select_option("#id_purpose", "callback")
    alice.get_by_role("button", name="查询", exact=True).click()
    marker = alice.locator("#restricted-matches")
    marker.wait_for()
    assert "张伟" not in marker.inner_text()
    marker.get_by_role("link", name="申请查阅").click()
    alice.wait_for_url(re.compile(r"/access/new/"))
    assert alice.input_value("#id_customers") == Customer.objects.get(pk=zhang).archive_no
    alice.fill("#id_subject", "客户来电核实保单")
    alice.select_option("#id_purpose", "callback")
    alice.fill("#id_reason", "客户致电称曾通过本人购买保单，需核实")
    alice.get_by_role("button", name="提交审批").click()
    alice.wait_for_url(re.compile(r"/access/\d+/$"))
    request_id = int(alice.url.rstrip("/").rsplit("/", 1)[1])
    assert "待审批" in alice.locator("h1").inner_text()

    approve(browser, live_server, "henry", request_id)  # her department head
    approve(browser, live_server, "sam", request_id)  # customer service

    alice.goto(f"{live_server.url}/customers/{zhang}/")
    if alice.locator("#id_purpose").count():
        alice.select_option("#id_purpose", "callback")
        alice.locator("form button[type=submit]").first.click()
    alice.locator("h1", has_text="张伟").wait_for()
    assert "139****5678" in alice.locator("body").inner_text()

    # three days later the loan has run out: the file is gone
    AccessGrant.objects.filter(request_id=request_id).update(
        starts_at=timezone.now() - timedelta(days=3, minutes=1),
        ends_at=timezone.now() - timedelta(minutes=1),
    )
    assert access_grants_expire() == 1
    alice.goto(f"{live_server.url}/customers/{zhang}/")
    assert "张伟" not in alice.locator("body").inner_text()
    assert alice.locator("#no-access").count() == 1
    alice.goto(f"{live_server.url}/access/register/?state=overdue")
    assert f"#{request_id}" in alice.locator("#register").inner_text()
    alice.context.close()

    # the auditor finds every step in the audit trail of that customer / request
    audrey = signed_in(browser, live_server, "audrey")
    audrey.goto(f"{live_server.url}/audit/?customer={zhang}")
    trail = audrey.locator("body").inner_text()
    assert "查看了客户" in trail and "档案的借阅已到期" in trail  # as sentences, no codes
    assert "view_personal_data" not in trail and "grant_expired" not in trail
    audrey.goto(f"{live_server.url}/audit/?action=approval")
    approvals = audrey.locator("body").inner_text()
    assert f"henry 批准了第 {request_id} 号访问申请" in approvals
    assert f"sam 批准了第 {request_id} 号访问申请" in approvals
    audrey.goto(f"{live_server.url}/audit/?action=access_request")
    assert "alice 申请访问客户" in audrey.locator("body").inner_text()
    audrey.context.close()
