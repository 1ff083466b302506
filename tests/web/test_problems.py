"""The problem-item page for customer service: both languages, filters, deadlines, Excel."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.cases.test_listing import make_items
from veracity.audit.models import Action, AuditEvent
from veracity.org.principals import system
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def item(personas):
    return make_items()


def test_page_in_chinese_and_english(login, personas, item):
    client = login(personas["sam"])
    response = client.get("/problems/")
    assert response.status_code == 200
    body = html(response)
    assert "问题件清单" in body and "不同客户使用同一电话号码" in body
    assert "138****8000" in body and "王*芳" in body and "赵*海" in body
    assert "13800138000" not in body and "王小芳" not in body
    assert f"/customers/{item.members.first().customer_id}/?purpose=problem_item" in body
    assert "2026-10-10" in body and "调查截止日" in body
    assert 'href="/problems/"' in body  # the nav link
    client.post("/i18n/setlang/", {"language": "en", "next": "/problems/"})
    body = html(client.get("/problems/"))
    assert "Problem items" in body and "One phone number under different customers" in body
    assert "Investigation deadline" in body and item.reason_en in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


@pytest.mark.parametrize("username", ["sam", "dave", "ivan", "admin"])
def test_staff_who_work_the_list_see_it(login, personas, item, username):
    assert login(personas[username]).get("/problems/").status_code == 200


@pytest.mark.parametrize("username", ["alice", "audrey"])
def test_agent_and_auditor_are_refused(login, personas, item, username):
    client = login(personas[username])
    before = AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count()
    assert client.get("/problems/").status_code == 403
    assert client.get("/problems/export.xlsx").status_code == 403
    assert 'href="/problems/"' not in html(client.get("/"))
    assert AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count() == before


def test_login_required(client):
    assert client.get("/problems/").status_code == 302


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("rule=SHARED_PHONE", True),
        ("rule=SHARED_ACCOUNT", False),
        ("channel=bancassurance", True),
        ("channel=internet", False),
        ("seller=BK7", True),
        ("seller=ZZ1", False),
        ("status=open", True),
        ("status=closed", False),
        ("business_date=2026-09-29", True),
        ("business_date=2026-09-28", False),
    ],
)
def test_filters(login, personas, item, query, shown):
    body = html(login(personas["sam"]).get(f"/problems/?{query}"))
    assert ("138****8000" in body) is shown


@pytest.mark.parametrize(
    "query",
    [
        "rule=NOPE",
        "channel=%00",
        "status=x",
        "business_date=2026-99-99",
        "seller=" + "x" * 40,
        "page=abc",
        "page=-3",
        "page=999",
    ],
)
def test_bad_filter_values_are_no_500(login, personas, item, query):
    response = login(personas["sam"]).get(f"/problems/?{query}")
    assert response.status_code == 200
    body = html(response)
    if "page" not in query:
        assert "alert-error" in body
        assert "138****8000" in body  # the bad filter is ignored, the list still shows


def test_deadline_capped_by_callback_and_highlighted(login, personas, item):
    Policy.objects.filter(application_no="L2").update(callback_due_on=date(2026, 10, 8))
    body = html(login(personas["sam"]).get("/problems/"))
    assert "2026-10-08" in body and "以回访日为限" in body
    assert "badge badge-fail" in body  # today (after Oct 2026) the deadline is past
    assert "已逾期" in body


def approve_export(requester, approver):
    from veracity.access.governance import access_request_decide, access_request_submit

    made = access_request_submit(
        principal=system("test", person=requester),
        customer_ids=[],
        subject="问题件清单",
        purpose="problem_item",
        reason="send to the channels",
        kind="export",
        export_of="problem_items",
    )
    return access_request_decide(
        principal=system("test", person=approver), request_id=made.pk, approve=True
    )


def test_excel_download_needs_an_approved_export_request(login, personas, item):
    client = login(personas["sam"])
    before = AuditEvent.objects.filter(action="export").count()
    refused = client.get("/problems/export.xlsx")
    assert refused.status_code == 403
    assert "/access/new/?kind=export&amp;export_of=problem_items" in html(refused)
    assert AuditEvent.objects.filter(action="export").count() == before


def test_export_button_without_an_approval_opens_the_prefilled_request(login, personas, item):
    """No ``download`` attribute; no approval held: the button leads to the export request
    page, naming the list and the filters in words; the form shows them."""
    from urllib.parse import parse_qs, urlsplit

    client = login(personas["sam"])
    page = html(client.get("/problems/?channel=bancassurance&status=open"))
    assert " download" not in page
    assert "/problems/export.xlsx" not in page
    href = page.split('id="problems-export" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    url = urlsplit(href)
    assert url.path == "/access/new/"
    query = parse_qs(url.query)
    assert (query["kind"], query["export_of"]) == (["export"], ["problem_items"])
    assert query["reason"] == ["筛选条件：销售渠道 银行保险；处理状态 待处理"]
    form = html(client.get(href))
    assert "筛选条件：" in form and "渠道" in form
    assert 'value="export" selected' in form or 'value="export" checked' in form


def test_filters_have_distinct_labels(login, personas, item):
    page = html(login(personas["sam"]).get("/problems/"))
    assert ">处理状态</label>" in page and ">调查阶段</label>" in page
    assert ">状态</label>" not in page


@pytest.mark.parametrize("username", ["terry"])
def test_no_export_button_for_who_may_never_export(login, personas, item, username):
    """The team leader has a work queue but may never export the list: no button."""
    page = html(login(personas[username]).get("/problems/queue/"))
    assert 'id="queue-export"' not in page and "/access/new/?kind=export" not in page


def test_excel_download_uses_the_filters(login, personas, item):
    approval = approve_export(personas["sam"], personas["ivan"])
    client = login(personas["sam"])
    page = html(client.get("/problems/?channel=bancassurance"))
    assert 'id="problems-export" href="/problems/export.xlsx?channel=bancassurance"' in page
    assert " download" not in page
    response = client.get("/problems/export.xlsx?channel=bancassurance")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.object_id == str(approval.pk) and event.actor == "sam"
    book = load_workbook(io.BytesIO(response.content))
    assert f"#{approval.pk}" in book.active.oddHeader.left.text
    assert "sam" in book.properties.description
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert sorted(r[14] for r in rows[2:]) == ["王*芳", "赵*海"]
    empty = client.get("/problems/export.xlsx?channel=internet")
    assert len(list(load_workbook(io.BytesIO(empty.content)).active.iter_rows())) == 2


def test_detection_runs_page_shows_each_rule_with_its_time(login, personas, item):
    from veracity.detection.models import DetectionRun

    run = DetectionRun.objects.get()
    body = html(login(personas["sam"]).get("/problems/runs/"))
    assert f'id="run-{run.pk}"' in body
    assert "不同客户使用同一电话号码" in body and "SHARED_PHONE" in body
    assert "bar bar-info" in body
    assert login(personas["alice"]).get("/problems/runs/").status_code == 403
