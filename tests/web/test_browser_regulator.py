"""Click through the quarterly regulator report in Chromium (issue 13): channel management
prepares it, the customer information manager and the customer service manager review it,
it is released, the general office is told, downloads it and records the filings."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conduct.conftest import Book
from tests.web.browsing import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def review(browser, live_server, username: str, report_id: int) -> None:
    page = signed_in(browser, live_server, username)
    page.goto(f"{live_server.url}/regulator-reports/{report_id}/")
    page.get_by_role("button", name="批准", exact=True).click()
    page.locator(".alert, .messages").first.wait_for()
    page.context.close()


def test_the_report_is_reviewed_released_and_filed(browser, live_server, personas) -> None:
    from veracity.conduct.models import RegulatorFiling, RegulatorReport
    from veracity.core.quarters import quarter_of

    book = Book(personas)
    today = date.today()
    agency = book.seller("AY0001", "某某保险代理有限公司", kind="agency")
    agent = book.seller("AG0001", "张𪚥", agency=agency)
    book.penalty(agent, today, measure="commission_deduction", policies=(book.policy(agent),))
    book.penalty(agency, today, reason="refused_true_data", measure="cooperation_suspension")

    mike = signed_in(browser, live_server, "mike")
    mike.goto(f"{live_server.url}/regulator-reports/")
    mike.select_option("#id_quarter", quarter_of(today).name)
    mike.get_by_role("button", name="编制并提交审核").click()
    mike.wait_for_url(re.compile(r"/regulator-reports/\d+/$"))
    report_id = int(mike.url.rstrip("/").rsplit("/", 1)[1])
    assert "审核中" in mike.locator("#report-status").inner_text()
    sellers = mike.locator("#report-sellers").inner_text()
    assert "AG0001" in sellers and "张𪚥" in sellers and "扣减佣金" in sellers
    assert "拒绝提供客户真实资料" in mike.locator("#report-agencies").inner_text()
    mike.context.close()

    review(browser, live_server, "ivan", report_id)
    assert RegulatorReport.objects.get(pk=report_id).status == "in_review"
    review(browser, live_server, "mona", report_id)
    report = RegulatorReport.objects.get(pk=report_id)
    assert report.status == "released" and set(report.files) == {"json", "xlsx", "pdf"}

    olga = signed_in(browser, live_server, "olga")
    olga.goto(f"{live_server.url}/notifications/")
    olga.get_by_text("已发布").first.wait_for()
    olga.goto(f"{live_server.url}/regulator-reports/{report_id}/")
    assert "已发布" in olga.locator("#report-status").inner_text()
    with olga.expect_download() as got:
        olga.locator("#downloads a", has_text="PDF").click()
    assert got.value.suggested_filename.endswith(".pdf")
    olga.select_option("#id_recipient", "regulator")
    olga.fill("#id_filed_on", today.isoformat())
    olga.fill("#id_means", "监管信息报送系统")
    olga.fill("#id_reference", "京保监报〔2026〕12号")
    olga.get_by_role("button", name="登记报送").click()
    olga.locator("#filing-list").wait_for()
    assert "监管信息报送系统" in olga.locator("#filing-list").inner_text()
    olga.context.close()
    filing = RegulatorFiling.objects.get(report_id=report_id)
    assert filing.recipient == "regulator" and filing.recorded_by.username == "olga"
