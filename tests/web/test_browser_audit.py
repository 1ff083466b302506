"""The auditor finds, by file number, everything about one customer (issue 12): in Chromium,
audrey types the customer's 档案号 into the audit page's filter and reads the access request,
its approvals, the views and a refused attempt, each as a sentence in Chinese."""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import signed_in
from tests.web.factories import other_application, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_auditor_finds_everything_about_a_customer_by_file_number(
    browser, live_server, personas, application
):
    from django.http import Http404

    from veracity.access.governance import access_request_decide, access_request_submit
    from veracity.customers.models import Customer
    from veracity.customers.selectors import customer_detail
    from veracity.org.principals import Staff, with_purpose

    for login, first, last in (("alice", "Alice", "李爱丽"), ("sam", "Sam", "孙明")):
        personas[login].first_name, personas[login].last_name = first, last
        personas[login].save()
    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    zhang = Customer.objects.get(pk=other.roles.get(role="policyholder").customer_id)

    alice = with_purpose(Staff(personas["alice"]), "callback")
    with pytest.raises(Http404):  # outside her book: refused, and the refusal recorded
        customer_detail(principal=alice, customer_id=zhang.pk)
    request = access_request_submit(
        principal=alice,
        customer_ids=[zhang.pk],
        subject="核实保单",
        purpose="callback",
        reason="客户来电",
    )
    access_request_decide(request_id=request.pk, principal=Staff(personas["henry"]), approve=True)
    access_request_decide(request_id=request.pk, principal=Staff(personas["sam"]), approve=True)
    customer_detail(principal=alice, customer_id=zhang.pk)

    audrey = signed_in(browser, live_server, "audrey")
    audrey.goto(f"{live_server.url}/audit/")
    audrey.fill("#id_customer", zhang.archive_no.lower())
    audrey.get_by_role("button", name="筛选").click()
    audrey.wait_for_url(re.compile(r"/audit/\?"))
    sentences = [s.strip() for s in audrey.locator(".sentence").all_inner_texts()]
    number = zhang.archive_no
    assert f"Alice 李爱丽 被拒绝访问客户 {number}，目的：回访" in sentences
    asked = f"Alice 李爱丽 申请访问客户 {number} 的档案（第 {request.pk} 号访问申请），目的：回访"
    assert asked in sentences
    assert f"henry 批准了第 {request.pk} 号访问申请，目的：回访" in sentences
    assert f"Sam 孙明 批准了第 {request.pk} 号访问申请，目的：回访" in sentences
    assert f"Alice 李爱丽 查看了客户 {number} 的个人信息，目的：回访" in sentences
    body = audrey.locator("main, body").first.inner_text()
    assert "access_request" not in body and "view_personal_data" not in body
    assert re.search(r"第 1 / 1 页（共 \d+ 条）", body)
    # the details open as labelled fields, and the page is no wider than the window
    audrey.locator("#event-1 summary, tr[id^=event-] summary").first.click()
    assert audrey.locator("tr[id^=event-] details[open] dl").count() == 1
    assert audrey.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    audrey.context.close()
