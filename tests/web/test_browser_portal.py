"""The customer portal in Chromium at 375 px: a customer registers (the code read from the
file backend's ``sms-outbox.jsonl``), logs in, sees two policies in two roles, reports a new
phone; customer service verifies and applies it; neither session opens the other side."""

from __future__ import annotations

import re

import pytest

from tests.web.browsing import done, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lanting-Xu-2026!"
PHONE_SIZE = {"width": 375, "height": 740}


def no_sideways_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_customer_registers_sees_two_roles_and_reports_a_new_phone(
    browser, live_server, personas, settings, tmp_path
):
    from tests.portal.factories import P1, P2, book
    from veracity.customers.models import Phone
    from veracity.notify.sms import file_outbox

    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"
    b = book()
    context = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE)
    me = context.new_page()
    me.set_default_timeout(10_000)
    url = live_server.url

    me.goto(f"{url}/my/")
    me.wait_for_url(f"{url}/my/login/")
    me.locator("#link-register").click()
    me.select_option("#id_id_type", "resident_id")
    me.fill("#id_id_number", b.wang_id)
    me.fill("#id_name", "王芳")
    me.fill("#id_policy_no", P1)
    me.get_by_role("button", name="发送验证码").click()
    me.wait_for_url(f"{url}/my/code/")
    assert "如信息无误，验证码已发送至您在本公司登记的手机" in me.content()
    sent = file_outbox(tmp_path / "sms-outbox.jsonl")
    assert [m["to"] for m in sent] == ["+8613800138000"]
    me.fill("#id_code", sent[-1]["params"]["code"])
    me.get_by_role("button", name="继续").click()
    me.wait_for_url(f"{url}/my/password/")
    me.fill("#id_password", PASSWORD)
    me.fill("#id_password2", PASSWORD)
    me.get_by_role("button", name="保存并登录").click()
    me.wait_for_url(f"{url}/my/")

    me.locator("#portal-logout").click()
    me.wait_for_url(f"{url}/my/login/")
    me.select_option("#id_id_type", "resident_id")
    me.fill("#id_id_number", b.wang_id)
    me.fill("#id_password", PASSWORD)
    me.locator("#portal-login button[type=submit]").click()
    me.wait_for_url(f"{url}/my/")
    policies = me.locator("#my-policies .my-policy")
    assert policies.count() == 2
    text = me.locator("#my-policies").inner_text()
    assert P1 in text and P2 in text and "投保人" in text and "被保险人" in text
    assert no_sideways_scroll(me)
    me.get_by_role("link", name=P1).click()
    me.wait_for_url(re.compile(rf"/my/policies/{P1}/$"))
    assert "投保人" in me.locator("#my-role").inner_text()
    assert no_sideways_scroll(me)

    # a portal session does not open a staff page
    me.goto(f"{url}/customers/change-requests/")
    me.wait_for_url(re.compile(r"/login/\?next="))

    me.goto(f"{url}/my/contact/")
    me.select_option("#id_kind", "phone")
    me.fill("#id_value", "137 0013 7000")
    me.get_by_role("button", name="提交变更").click()
    done(me, "客户服务人员将与您核实变更")
    assert "待客户服务人员核实" in me.locator("#my-changes").inner_text()
    assert no_sideways_scroll(me)

    sam = signed_in(browser, live_server, "sam")
    # a staff session does not open a portal page
    sam.goto(f"{url}/my/")
    sam.wait_for_url(f"{url}/my/login/")
    sam.goto(f"{url}/customers/change-requests/")
    sam.locator("#pending-changes .change-apply").first.click()
    done(sam, "变更已记入客户档案")
    sam.context.close()

    me.reload()
    assert "已办理" in me.locator("#my-changes").inner_text()
    numbers = [p.number for p in Phone.objects.filter(customer_id=b.wang)]
    assert numbers == ["+8613700137000"]
    context.close()
