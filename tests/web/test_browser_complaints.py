"""Click through the complaints register in Chromium (SF-2, SD-4): customer service records
two misselling complaints against one agent, compliance verifies them; the detection run
raises a re-check item and customer service records a second callback on its page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.browsing import done, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_verified_complaints_raise_a_recheck_with_callbacks(browser, live_server, personas):
    from tests.detection.test_rules import apply, person, run
    from veracity.cases.models import ProblemItem
    from veracity.conduct.models import Complaint, RecheckCallback
    from veracity.sales.models import Seller, SellerKind

    Seller.objects.create(code="AG17", kind=SellerKind.AGENT, name="司马成", qualified=True)
    apply("B1", person("客户甲", "1980-01-01", phones=["13700000031"]), seller="AG17")
    today = timezone.localdate()

    sam = signed_in(browser, live_server, "sam")
    for n, received in enumerate((today - timedelta(days=200), today - timedelta(days=10))):
        sam.goto(f"{live_server.url}/complaints/")
        sam.locator("#complaint-new").click()
        sam.fill("#id_complaint_no", f"TS2026-000{n + 1}")
        sam.fill("#id_received_on", received.isoformat())
        sam.select_option("#id_category", "misselling")
        sam.fill("#id_seller_code", "AG17")
        sam.fill("#id_summary", "夸大分红收益")
        sam.locator("#complaint-save").click()
        done(sam, "投诉已登记")
        assert "AG17 司马成" in sam.locator("#complaint-seller").inner_text()
    sam.context.close()

    dave = signed_in(browser, live_server, "dave")
    for complaint in Complaint.objects.order_by("pk"):
        dave.goto(f"{live_server.url}/complaints/{complaint.pk}/")
        dave.locator("#complaint-verify input[value=yes]").check()
        dave.fill("#id_basis", "通话录音证实夸大收益")
        dave.fill("#id_verified_on", complaint.received_on.isoformat())
        dave.locator("#complaint-decide").click()
        done(dave, "查实结论已登记")
        assert "已查实" in dave.locator("#complaint-status").inner_text()
    dave.goto(f"{live_server.url}/complaints/")
    assert dave.locator("#complaints tbody tr").count() == 2
    dave.context.close()

    run(today)
    item = ProblemItem.objects.get(rule="REPEAT_MISSELLING")
    task = RecheckCallback.objects.get(item=item)

    sam = signed_in(browser, live_server, "sam")
    sam.goto(f"{live_server.url}/problems/{item.pk}/")
    row = sam.locator(f"#callback-{task.pk}")
    row.locator("select").select_option("misselling_confirmed")
    row.locator("input[name=note]").fill("客户称未被告知退保损失")
    row.get_by_role("button", name="保存").click()
    done(sam, "回访结果已登记")
    sam.wait_for_url(re.compile(rf"/problems/{item.pk}/"))
    assert "确认存在销售误导" in sam.locator(f"#callback-{task.pk} .callback-result").inner_text()
    task.refresh_from_db()
    assert task.result == "misselling_confirmed"
    sam.context.close()
