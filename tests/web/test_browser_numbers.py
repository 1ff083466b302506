"""One customer number in Chromium: an access request made from the file number typed as
people type it, and one made with the customer picker, each ending on the request page that
shows the 档案号 (never the internal id)."""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import signed_in
from tests.web.factories import other_application, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_request(page, *, purpose: str = "callback") -> None:
    page.fill("#id_subject", "客户来电核实保单")
    page.select_option("#id_purpose", purpose)
    page.fill("#id_reason", "客户致电称曾通过本人购买保单，需核实")


def test_an_access_request_from_the_file_number_as_typed(
    browser, live_server, personas, application
):
    from veracity.access.models import AccessRequest

    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    zhang = other.roles.get(role="policyholder").customer
    typed = "c" + zhang.archive_no[1:].lstrip("0")  # C0000000003 typed as c3

    alice = signed_in(browser, live_server, "alice")
    alice.goto(f"{live_server.url}/access/new/")
    alice.fill("#id_customers", "C9999999999")
    fill_request(alice)
    alice.get_by_role("button", name="提交审批").click()
    error = alice.locator(".alert-error")
    error.wait_for()
    assert "档案号 C9999999999 不存在或不在您的查看范围" in error.inner_text()
    assert not AccessRequest.objects.exists()

    alice.fill("#id_customers", typed)
    alice.get_by_role("button", name="提交审批").click()
    alice.wait_for_url(re.compile(r"/access/\d+/$"))
    files = alice.locator("dd", has_text=zhang.archive_no)
    assert files.count() == 1
    assert f"#{zhang.pk}" not in files.inner_text()
    made = AccessRequest.objects.get()
    assert list(made.customers.all()) == [zhang]
    alice.context.close()


def test_an_access_request_with_the_customer_picker(browser, live_server, personas, application):
    from veracity.access.models import AccessRequest
    from veracity.audit.models import Action, AuditEvent

    seller_for(personas["alice"])
    own, _other = store(application, other_application())
    wang = own.roles.get(role="policyholder").customer

    sam = signed_in(browser, live_server, "sam")  # customer service reaches every general file
    sam.goto(f"{live_server.url}/access/new/")
    sam.select_option("#id_scope", "unmask")
    fill_request(sam, purpose="customer_service")
    sam.locator("#id_customers").press_sequentially("王芳", delay=50)
    option = sam.locator(".picker-option", has_text=wang.archive_no)
    option.wait_for()
    shown = option.inner_text()
    assert "王*" in shown and "王芳" not in shown and "1985" in shown
    option.click()
    assert sam.input_value("#id_customers").startswith(wang.archive_no)
    sam.get_by_role("button", name="提交审批").click()
    sam.wait_for_url(re.compile(r"/access/\d+/$"))
    assert sam.locator("dd", has_text=wang.archive_no).count() == 1
    assert list(AccessRequest.objects.get().customers.all()) == [wang]
    picked = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA, actor="sam")
    assert picked.exists() and {e.purpose for e in picked} == {"customer_service"}
    sam.context.close()
