"""A borrowed file that works, in Chromium (issue 12): an agent asks for a customer's policy
by file number; her department head and customer service approve; she opens the file, sees
that it is borrowed, the policy she asked for and when the loan ends; she returns it and
loses sight of the file and of the policy."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.web.browsing import signed_in
from tests.web.factories import other_application, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def approve(browser, live_server, username, request_id):
    page = signed_in(browser, live_server, username)
    page.goto(f"{live_server.url}/access/{request_id}/")
    assert "A2026110099" in page.locator("#borrowed-for").inner_text()
    page.fill("#reason", "同意，限核实该保单")
    page.get_by_role("button", name="批准").click()
    page.locator(".alert, .messages").first.wait_for()
    page.context.close()


def open_file(page, url):
    page.goto(url)
    if page.locator("#id_purpose").count():
        page.select_option("#id_purpose", "callback")
        page.get_by_role("button", name="查看客户").click()


def test_an_agent_borrows_a_policy_by_file_number_and_returns_it(
    browser, live_server, personas, application
):
    from veracity.access.models import AccessGrant, AccessRequest

    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    zhang = other.roles.get(role="policyholder").customer

    alice = signed_in(browser, live_server, "alice")
    alice.goto(f"{live_server.url}/access/new/")
    alice.fill("#id_customers", zhang.archive_no)
    alice.fill("#id_policy", "A2026110001")  # her own policy, not one of this file's
    alice.fill("#id_subject", "客户来电核实保单")
    alice.select_option("#id_purpose", "callback")
    alice.fill("#id_reason", "客户致电称曾通过本人购买保单，需核实")
    alice.get_by_role("button", name="提交审批").click()
    error = alice.locator(".alert-error")
    error.wait_for()
    assert "所涉保单" in error.inner_text() and "没有此保单" in error.inner_text()
    assert not AccessRequest.objects.exists()
    alice.fill("#id_policy", "A2026110099")
    alice.get_by_role("button", name="提交审批").click()
    alice.wait_for_url(re.compile(r"/access/\d+/$"))
    request_id = int(alice.url.rstrip("/").rsplit("/", 1)[1])
    assert "A2026110099" in alice.locator("#borrowed-for").inner_text()

    approve(browser, live_server, "henry", request_id)  # her department head
    approve(browser, live_server, "sam", request_id)  # customer service

    file_url = f"{live_server.url}/customers/{zhang.pk}/"
    open_file(alice, file_url)
    alice.locator("h1", has_text="张伟").wait_for()
    grant = AccessGrant.objects.get(request_id=request_id)
    notice = alice.locator(f"#loan-{grant.pk}")
    until = timezone.localtime(grant.ends_at).strftime("%Y-%m-%d %H:%M")
    text = notice.inner_text()
    assert f"借阅至 {until}" in text and "回访" in text and "A2026110099" in text
    body = alice.locator("body").inner_text()
    assert "您的查看范围内没有保单" not in body
    # the policy she asked for opens
    alice.locator("table a", has_text="A2026110099").first.click()
    alice.wait_for_url(re.compile(r"/applications/\d+/$"))
    policy_url = alice.url
    assert "A2026110099" in alice.locator("body").inner_text()
    # the panel lists her request and her loan
    open_file(alice, file_url)
    panel = alice.locator("#customer-panel").inner_text()
    assert "借阅中" in panel and f"#{request_id}" in panel

    notice = alice.locator(f"#loan-{grant.pk}")
    notice.get_by_role("button", name="归还").click()
    alice.wait_for_url(re.compile(r"/access/register/\?state=returned$"))
    register = alice.locator("#register").inner_text()
    assert f"#{request_id}" in register and "张伟" not in register
    grant.refresh_from_db()
    assert grant.returned_at is not None

    open_file(alice, file_url)
    assert alice.locator("#no-access").count() == 1
    assert "张伟" not in alice.locator("body").inner_text()
    alice.goto(policy_url)
    assert "A2026110099" not in alice.locator("main").inner_text()
    alice.context.close()

    # the approver is told the file came back
    henry = signed_in(browser, live_server, "henry")
    henry.goto(f"{live_server.url}/notifications/")
    assert "已归还" in henry.locator("main").inner_text()
    henry.context.close()
