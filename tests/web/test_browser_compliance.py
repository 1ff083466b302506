"""Click through a rectification demand in Chromium (SF-6, D1.24): compliance records it
against an agency with a due date and an owner; the owner finds it in the waiting panel,
reports it done; compliance is told, and closes it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.browsing import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1440, "height": 900}


def test_compliance_records_a_rectification_and_the_owner_reports_it_done(
    browser, live_server, personas
):
    from veracity.conduct.models import ComplianceAction
    from veracity.notify.models import Notification
    from veracity.sales.models import Seller, SellerKind

    Seller.objects.create(code="AGY0001", kind=SellerKind.AGENCY, name="诚信保险代理公司")
    due = timezone.localdate() + timedelta(days=10)

    # dave records the demand from the navigation's register, finding the agency by name
    dave = signed_in(browser, live_server, "dave", viewport=WIDE)
    dave.goto(f"{live_server.url}/compliance/")
    dave.locator("#compliance-new").click()
    dave.wait_for_url(re.compile(r"/compliance/new/$"))
    dave.select_option("#id_kind", "rectification")
    dave.locator("#id_seller").press_sequentially("诚信", delay=50)
    dave.locator("#seller-options option[value='AGY0001']").wait_for(state="attached")
    dave.fill("#id_seller", "AGY0001")
    dave.fill("#id_text", "客户电话与机构座机相同，逐件核实并更正")
    dave.fill("#id_due_on", due.isoformat())
    dave.select_option("#id_owner", str(personas["henry"].pk))
    dave.locator("#compliance-submit").click()
    dave.wait_for_url(re.compile(r"/compliance/\d+/$"))
    assert "诚信保险代理公司" in dave.locator("#compliance-target").inner_text()
    assert "待处理" in dave.locator("#compliance-status").inner_text()
    action = ComplianceAction.objects.get()
    assert action.owner == personas["henry"] and action.due_on == due

    # henry, the owner, is told and finds it waiting for him; he reports it done
    henry = signed_in(browser, live_server, "henry", viewport=WIDE)
    assert Notification.objects.filter(
        recipient=personas["henry"], kind="rectification_assigned"
    ).exists()
    henry.locator("#waiting-rectifications a").click()
    henry.locator(f"#compliance-{action.pk} a").click()
    henry.wait_for_url(re.compile(rf"/compliance/{action.pk}/$"))
    assert henry.locator("#compliance-close-button").count() == 0  # only compliance closes
    henry.fill("#follow-up-note", "已逐件核实，客户电话全部更正")
    henry.check("#follow-up-done")
    henry.locator("#compliance-follow-up-button").click()
    henry.locator(".messages").wait_for()
    assert "报告已完成" in henry.locator("#compliance-follow-ups").inner_text()
    henry.context.close()

    # dave is told, and closes it
    assert Notification.objects.filter(
        recipient=personas["dave"], kind="rectification_reported_done"
    ).exists()
    dave.goto(f"{live_server.url}/compliance/{action.pk}/")
    dave.fill("#close-note", "复核无误")
    dave.locator("#compliance-close-button").click()
    dave.locator(".messages").wait_for()
    assert "已完成" in dave.locator("#compliance-status").inner_text()
    action.refresh_from_db()
    assert action.status == "done"
    dave.context.close()
