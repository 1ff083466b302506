"""The failures page (customer service) and the effect report (managers) with its export:
who may open them, what they show (masked, in words), and their refusals."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.notices.book import CORE, holder, policy, record  # noqa: F401
from veracity.audit.models import AuditEvent
from veracity.customers.models import Customer
from veracity.notices.models import CustomerNotice
from veracity.notices.receipts import Receipt, receipts_record
from veracity.notices.sending import notices_send_due


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"


@pytest.fixture
def failed(policy, record):  # noqa: F811
    record(policy, "premium_received", {"amount": 100})
    notices_send_due()
    notice = CustomerNotice.objects.get(channel="sms")
    receipts_record(
        principal=CORE,
        receipts=[Receipt(success=False, out_id=notice.notice_id, err_code="MK:0001")],
    )
    return notice


def test_customer_service_sees_the_failures_masked(client, personas, failed, holder):  # noqa: F811
    client.force_login(personas["sam"])
    page = client.get("/notices/failures/")
    assert page.status_code == 200
    html = page.content.decode()
    customer = Customer.objects.get(pk=holder)
    assert customer.archive_no and customer.archive_no in html
    assert "P2026000001" in html
    assert "保费到账" in html and "短信" in html
    assert "手机号码为空号、停机或无效" in html
    assert "138****8000" in html
    assert "13800138000" not in html and "MK:0001" not in html
    assert AuditEvent.objects.filter(
        action="view_personal_data", object_type="customer_notice", customer_id=holder
    ).exists()


@pytest.mark.parametrize("who", ["alice", "george", "audrey", "tina"])
def test_the_failures_page_is_refused_to_others(client, personas, failed, who):
    before = CustomerNotice.objects.values_list("status", flat=True).order_by("id")
    before = list(before)
    client.force_login(personas[who])
    assert client.get("/notices/failures/").status_code == 403
    assert list(CustomerNotice.objects.values_list("status", flat=True).order_by("id")) == before
    assert not AuditEvent.objects.filter(action="view_personal_data").exists()


@pytest.mark.parametrize("who", ["mona", "ivan", "george"])
def test_managers_see_the_effect_report(client, personas, failed, who):
    client.force_login(personas[who])
    page = client.get("/notices/effect/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "短信已送达" in html and "未发送通知" in html
    assert "premium_received" not in html and "not_sent" not in html


@pytest.mark.parametrize("who", ["sam", "alice", "audrey"])
def test_the_effect_report_is_refused_to_others(client, personas, failed, who):
    client.force_login(personas[who])
    assert client.get("/notices/effect/").status_code == 403
    assert client.get("/notices/effect/?format=xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_export_writes_the_figures_as_a_workbook(client, personas, failed):
    client.force_login(personas["mona"])
    answer = client.get("/notices/effect/?format=xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["通知送达", "续期提醒效果"]
    rows = list(book["通知送达"].iter_rows(values_only=True))
    assert rows[0] == ("月份", "事件", "渠道", "已发送", "已送达", "发送失败")
    sms = [r for r in rows[1:] if r[1] == "保费到账" and r[2] == "短信"]
    assert sms and sms[0][3:] == (1, 0, 1)
    assert isinstance(sms[0][0], str)
    assert AuditEvent.objects.filter(action="export", object_type="notice_effect_report").exists()


@pytest.mark.parametrize(
    "query", ["from=2026-13", "from=abc&to=2026-01", "from=2026-10&to=2026-01", "to=1999-99"]
)
def test_a_wrong_period_is_told_and_exports_nothing(client, personas, failed, query):
    client.force_login(personas["mona"])
    page = client.get(f"/notices/effect/?{query}")
    assert page.status_code == 400
    assert "不是有效的月份范围" in page.content.decode()
    assert client.get(f"/notices/effect/?{query}&format=xlsx").status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()
