"""The auditor's pages over the audit trail: who may see them, filters, keyset pages, exports
(themselves audited), the chain verification run as a job, clear messages for bad input."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.web.browsing import sign_in
from veracity.audit import services
from veracity.audit.models import Action, AuditEvent, ChainVerification
from veracity.audit.services import Actor, Event, audit_record_many

pytestmark = pytest.mark.django_db

READERS = ["audrey", "admin"]
OTHERS = ["alice", "carol", "sam", "dave", "ivan", "mona", "george", "henry"]


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def login(client):
    """Log the test client in without a login event: the trail under test stays as built."""
    from django.contrib.auth.signals import user_logged_in

    from veracity.audit.receivers import _on_login

    def do(user):
        user_logged_in.disconnect(_on_login)
        try:
            client.force_login(user)
        finally:
            user_logged_in.connect(_on_login)
        return client

    return do


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def trail(personas):
    """Events by two users: sam views customers 1..60 for customer service, dave searches
    twice for a compliance check."""
    audit_record_many(
        actor=Actor.of(personas["sam"], "10.0.0.7"),
        events=[
            Event(
                action=Action.VIEW_PERSONAL_DATA,
                object_type="customer",
                object_id=str(i),
                customer_id=i,
                purpose="customer_service",
                detail={"fields": ["name", "phone"], "n": i},
            )
            for i in range(1, 61)
        ],
    )
    audit_record_many(
        actor=Actor.of(personas["dave"], "10.0.0.9"),
        events=[
            Event(
                action=Action.SEARCH_PERSONAL_DATA,
                customer_id=7,
                purpose="compliance_check",
                detail={"kind": "phone"},
            ),
            Event(action=Action.SEARCH_PERSONAL_DATA, purpose="compliance_check"),
        ],
    )
    return AuditEvent.objects.order_by("-seq").first()


def shown_seqs(body: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr id="event-(\d+)"', body)]


# --- who may see the trail -------------------------------------------------------------------


@pytest.mark.parametrize("username", OTHERS)
def test_everyone_but_the_auditor_and_admin_is_refused(login, personas, trail, username):
    client = login(personas[username])
    before = AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count()
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert client.get("/audit/verification/").status_code == 403
    assert client.post("/audit/verify/").status_code == 403
    # nothing changed: no export or verification recorded, no job asked for
    assert AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count() == before
    assert not ChainVerification.objects.exists()
    assert 'href="/audit/"' not in html(client.get("/"))


def test_login_required(client):
    for url in ("/audit/", "/audit/export.csv", "/audit/verification/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("username", READERS)
def test_auditor_and_admin_see_the_trail_and_the_head(login, personas, trail, username):
    client = login(personas[username])
    response = client.get("/audit/")
    assert response.status_code == 200
    body = html(response)
    assert 'href="/audit/"' in body  # the nav link
    assert trail.hash in body and f"<strong>{trail.seq}</strong>" in body
    assert shown_seqs(body) == list(range(trail.seq, trail.seq - 50, -1))
    assert "sam" in body and "10.0.0.7" in body


def test_page_in_english(login, personas, trail, english):
    client = login(personas["audrey"])
    body = html(client.get("/audit/"))
    assert "Audit trail" in body and "Hash chain" in body and "Verify the chain now" in body
    assert "viewed the personal data of customer" in body and "Customer-service inquiry" in body
    assert "Not yet verified" in body and "says nothing against the chain" in body


# --- filters and pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=dave", [62, 61]),
        ("actor=nobody", []),
        ("customer=7", [61, 7]),
        ("action=search_personal_data", [62, 61]),
        ("purpose=compliance_check", [62, 61]),
        ("customer=7&action=view_personal_data", [7]),
        ("actor=sam&customer=59", [59]),
    ],
)
def test_filters(login, personas, trail, query, expected):
    body = html(login(personas["audrey"]).get(f"/audit/?{query}"))
    assert shown_seqs(body) == expected
    if not expected:
        assert 'id="no-events"' in body


def test_time_range(login, personas, trail):
    client = login(personas["audrey"])
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    assert len(shown_seqs(html(client.get(f"/audit/?since={today}")))) == 50
    assert shown_seqs(html(client.get(f"/audit/?since={tomorrow}"))) == []
    assert len(shown_seqs(html(client.get(f"/audit/?until={today}")))) == 50  # the whole day
    yesterday = today - timedelta(days=1)
    assert shown_seqs(html(client.get(f"/audit/?until={yesterday}"))) == []
    later = (timezone.localtime() + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    assert shown_seqs(html(client.get(f"/audit/?since={later}"))) == []
    earlier = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert shown_seqs(html(client.get(f"/audit/?since={earlier}&actor=dave"))) == [62, 61]


def test_keyset_pages_without_counting(login, personas, trail):
    client = login(personas["audrey"])
    with CaptureQueriesContext(connection) as queries:
        first = html(client.get("/audit/"))
    trail_queries = [q["sql"].upper() for q in queries.captured_queries if "audit_" in q["sql"]]
    assert trail_queries and not any("COUNT(" in sql for sql in trail_queries)
    assert shown_seqs(first) == list(range(62, 12, -1))
    assert 'id="newer"' not in first and "before=13" in first
    second = html(client.get("/audit/?before=13"))
    assert shown_seqs(second) == list(range(12, 0, -1))
    assert 'id="older"' not in second and "after=12" in second
    back = html(client.get("/audit/?after=12"))
    assert shown_seqs(back) == list(range(62, 12, -1))
    assert 'id="newer"' not in back
    # the same with a filter: the pages keep it
    filtered = html(client.get("/audit/?actor=sam&before=11"))
    assert shown_seqs(filtered) == list(range(10, 0, -1))
    assert "actor=sam&amp;after=10" in filtered


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("customer=abc", "not a file number"),
        ("customer=%E6%9D%8E", "not a file number"),
        ("customer=99999999999999999999999", "not a file number"),
        ("customer=D123", "not a file number"),
        ("customer=C12345678901", "not a file number"),
        ("action=drop_table", "Unknown action"),
        ("since=2026-13-01", "Enter a date as YYYY-MM-DD"),
        ("until=yesterday", "Enter a date as YYYY-MM-DD"),
        ("since=0001-01-01", "Enter a date as YYYY-MM-DD"),
        ("since=2026-11-27&until=2026-11-26", "must come after its start"),
        ("actor=" + "x" * 151, "at most 150 characters"),
    ],
)
def test_bad_filters_get_a_clear_message(login, personas, trail, english, query, message):
    client = login(personas["audrey"])
    before = AuditEvent.objects.count()
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 400
    body = html(response)
    assert message in body and "alert-error" in body
    assert shown_seqs(body) == []  # no unfiltered trail passed off as the filtered one
    export = client.get(f"/audit/export.csv?{query}")
    assert export.status_code == 400 and message in html(export)
    assert AuditEvent.objects.count() == before  # nothing exported, nothing recorded


def test_bad_page_position_is_reported(login, personas, trail, english):
    body = html(login(personas["audrey"]).get("/audit/?before=abc"))
    assert "The page position was not understood" in body
    assert shown_seqs(body)[0] == 62


def test_unknown_export_format_is_404(login, personas, trail):
    assert login(personas["audrey"]).get("/audit/export.pdf").status_code == 404


# --- exports ---------------------------------------------------------------------------------


def last_export() -> AuditEvent:
    return AuditEvent.objects.filter(action=Action.AUDIT_EXPORT).order_by("-seq").first()


def test_excel_export_of_the_filtered_trail_is_audited(login, personas, trail):
    client = login(personas["audrey"])
    response = client.get("/audit/export.xlsx?actor=dave&purpose=compliance_check")
    # recorded before the file is handed over: the event exists before the body is read
    event = last_export()
    assert event is not None and event.actor == "audrey"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    detail = json.loads(event.detail)
    assert detail["filters"] == {"actor": "dave", "purpose": "compliance_check"}
    assert detail["format"] == "xlsx" and detail["rows"] == 2 and detail["head_seq"] == 62
    assert event.purpose == "audit"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert "compliance_check" in sheet.cell(1, 1).value and "seq 62" in sheet.cell(1, 1).value
    assert sheet.cell(2, 1).value == "序号\nSeq"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [61, 62]  # oldest first
    assert rows[0][3] == "dave" and rows[0][5] == "search_personal_data"
    assert rows[0][8] == "7" and rows[1][8] is None  # ids are text
    assert rows[1][13] == AuditEvent.objects.get(seq=62).hash


def test_csv_export_holds_what_the_hash_covers(login, personas, trail):
    from veracity.audit.chain import body, json_int, link_hash

    client = login(personas["admin"])
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "序号 / Seq"
    assert len(rows) == 1 + 62
    # the chain can be recomputed from the file alone
    prev = "0" * 64
    for row in rows[1:]:
        seq, _t, stamp, actor, actor_id, action, otype, oid, cid, purpose, ip, detail, ph, h = row
        assert ph == prev
        number = json_int(int(actor_id) if actor_id else None)
        customer = json_int(int(cid) if cid else None)
        assert h == link_hash(
            ph,
            body(int(seq), stamp, number, actor, action, otype, oid, customer, purpose, ip, detail),
        )
        prev = h
    detail = json.loads(last_export().detail)
    assert detail == {
        "filters": {},
        "format": "csv",
        "head_seq": 62,
        "rows": 62,
        "truncated": False,
    }


def test_exported_text_is_never_a_formula(login, personas):
    audit_record_many(
        actor=Actor(label='=HYPERLINK("http://evil.example","x")'),
        events=[Event(action=Action.LOGIN_FAILED, purpose="+1", object_id="@SUM(A1)")],
    )
    client = login(personas["audrey"])
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/audit/export.csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][7] == "'@SUM(A1)" and rows[1][9] == "'+1"
    book = load_workbook(io.BytesIO(b"".join(client.get("/audit/export.xlsx").streaming_content)))
    cell = book.active.cell(3, 4)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_no_file_when_the_export_cannot_be_recorded(login, personas, trail, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("audit trail unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    client = login(personas["audrey"])
    with pytest.raises(DatabaseError):
        client.get("/audit/export.csv")
    assert last_export() is None


# --- verification ----------------------------------------------------------------------------


def test_verify_button_runs_the_job_and_records_the_result(
    login, personas, trail, english, django_capture_on_commit_callbacks
):
    client = login(personas["audrey"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/verify/")
    assert response.status_code == 302 and response["Location"] == "/audit/"
    run = ChainVerification.objects.get()
    assert run.status == "done" and run.ok is True and run.events == 62 and run.checked == 62
    event = AuditEvent.objects.get(seq=run.audit_seq)
    assert event.action == Action.AUDIT_VERIFY and event.actor == "audrey"
    detail = json.loads(event.detail)
    assert detail["ok"] is True and detail["events"] == 62 and detail["head_seq"] == 62
    body = html(client.get("/audit/"))
    assert "Verified: the chain is intact" in body and "62 events checked up to No. 62" in body
    assert "Verification started" in body


def test_verification_shows_a_broken_chain(
    login, personas, trail, english, django_capture_on_commit_callbacks
):
    from tests.audit.tampering import triggers_off

    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET purpose = %s WHERE seq = %s", ["marketing", 30])
    client = login(personas["audrey"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/audit/verify/")
    run = ChainVerification.objects.get()
    assert run.ok is False
    assert run.problems == ["seq 30: content does not match its hash (altered)"]
    body = html(client.get("/audit/"))
    assert "Broken: the chain has been altered" in body
    assert "seq 30: content does not match its hash" in body
    assert json.loads(AuditEvent.objects.get(seq=run.audit_seq).detail)["ok"] is False


def test_progress_is_polled_while_a_verification_is_under_way(login, personas, trail, english):
    client = login(personas["audrey"])
    client.post("/audit/verify/")  # the test transaction never commits: the job waits
    run = ChainVerification.objects.get()
    assert run.status == "queued" and run.target_seq == 62
    ChainVerification.objects.filter(pk=run.pk).update(status="running", checked=31)
    panel = html(client.get("/audit/verification/"))
    assert 'hx-trigger="every 2s"' in panel
    assert "Verifying: 31 of 62 events checked (50%)" in panel
    assert "Verify the chain now" not in panel  # no second run while one is under way
    again = client.post("/audit/verify/", headers={"HX-Request": "true"})
    assert "A verification is already under way" in html(again)
    assert ChainVerification.objects.count() == 1


def test_htmx_verify_returns_the_panel(
    login, personas, trail, english, django_capture_on_commit_callbacks
):
    client = login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/verify/", headers={"HX-Request": "true"})
    body = html(response)
    assert response.status_code == 200 and body.startswith('<div id="verification"')
    assert "Verification started" in body
    assert ChainVerification.objects.get().requested_by == "admin"


def test_verify_needs_post(login, personas, trail):
    client = login(personas["audrey"])
    assert client.get("/audit/verify/").status_code == 405
    assert not ChainVerification.objects.exists()


# --- in the browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_auditor_filters_and_verifies_in_the_browser(page, live_server, roles_exist, personas):
    """audrey filters the trail by user and verifies the chain with the button (htmx swaps
    the panel in place)."""
    audit_record_many(
        actor=Actor.of(personas["sam"]),
        events=[Event(action=Action.VIEW_PERSONAL_DATA, customer_id=i) for i in range(1, 8)],
    )
    sign_in(page, live_server, "audrey")
    page.locator('nav a[href="/audit/"]').click()
    page.wait_for_url(f"{live_server.url}/audit/")
    page.fill("#id_actor", "sam")
    page.locator(".audit-filter button[type=submit]").click()
    page.wait_for_url(re.compile(r"/audit/\?actor=sam"))
    assert page.locator("tbody tr").count() == 7
    page.locator("#verification button[type=submit]").click()
    page.locator("#verification-result .badge-pass").wait_for()
    assert "/audit/?actor=sam" in page.url  # swapped in place, the filter kept
    page.screenshot(path="/tmp/veracity-audit-page.png", full_page=True)
    run = ChainVerification.objects.get()
    assert run.ok is True and run.requested_by == "audrey"


# --- sentences, people and the file number (issue 12) ----------------------------------------


@pytest.fixture
def about_one_customer(personas):
    """A problem item on two customers; an access request naming the first, approved by
    henry and sam; sam distributing the item; alice refused the first's file; sam viewing
    the second's file. Returns the first customer."""
    from tests.cases.test_listing import make_items
    from veracity.access.governance import access_request_decide, access_request_submit
    from veracity.access.policy import record_refusal
    from veracity.cases import services as cs
    from veracity.customers.models import Customer
    from veracity.org.principals import Staff

    personas["sam"].first_name, personas["sam"].last_name = "Sam", "孙明"
    personas["sam"].save()
    item = make_items()
    first, second = (
        Customer.objects.get(pk=m.customer_id) for m in item.members.order_by("customer_id")
    )
    request = access_request_submit(
        principal=Staff(personas["alice"]),
        customer_ids=[first.pk],
        subject="核实",
        purpose="callback",
        reason="客户来电",
    )
    access_request_decide(request_id=request.pk, principal=Staff(personas["henry"]), approve=True)
    access_request_decide(request_id=request.pk, principal=Staff(personas["sam"]), approve=True)
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    record_refusal(
        actor=Actor.of(personas["alice"]),
        action="customers.view",
        object_type="customer",
        object_id=str(first.pk),
        detail={"purpose": "callback"},
    )
    audit_record_many(
        actor=Actor.of(personas["sam"]),
        events=[
            Event(
                action=Action.VIEW_PERSONAL_DATA,
                object_type="customer",
                object_id=str(second.pk),
                customer_id=second.pk,
                purpose="problem_item",
            )
        ],
    )
    return {"first": first, "second": second, "request": request, "item": item}


def event_texts(body: str) -> list[str]:
    """The sentences of the page, tags stripped."""
    found = re.findall(r'<span class="sentence">(.*?)</span></summary>', body, re.S)
    return [re.sub(r"<[^>]+>", "", s) for s in found]


def test_a_file_number_finds_the_requests_approvals_and_steps_about_the_customer(
    login, personas, about_one_customer
):
    first = about_one_customer["first"]
    request, item = about_one_customer["request"], about_one_customer["item"]
    client = login(personas["audrey"])
    body = html(client.get(f"/audit/?customer={first.archive_no.lower()}"))
    texts = event_texts(body)
    events = AuditEvent.objects.filter(seq__in=shown_seqs(body))
    about = {(e.action, e.object_type, e.object_id) for e in events}
    assert (Action.ACCESS_REQUEST, "access_request", str(request.pk)) in about
    approvals = [e for e in events if e.action == Action.APPROVAL]
    assert {e.actor for e in approvals} == {"henry", "sam"}
    assert any(e.action == Action.CASE_STEP and e.object_id == str(item.pk) for e in events)
    assert any(e.action == Action.ACCESS_REFUSED for e in events)
    # the second customer's own view is not about the first
    second = about_one_customer["second"]
    assert not any(e.customer_id == second.pk for e in events)
    # each as a sentence: people by name, the customer by file number, no codes
    number = first.archive_no
    assert f"alice 申请访问客户 {number} 的档案（第 {request.pk} 号访问申请），目的：回访" in texts
    assert f"Sam 孙明 批准了第 {request.pk} 号访问申请，目的：回访" in texts
    assert f"Sam 孙明 在第 {item.pk} 号问题件上记录了一步：已分发" in texts
    assert f"alice 被拒绝访问客户 {number}，目的：回访" in texts
    assert "access_request" not in "".join(texts) and "#" not in "".join(texts)
    assert 'title="sam"' in body  # the login in a tooltip


def test_a_bare_or_unknown_file_number(login, personas, about_one_customer, english):
    client = login(personas["audrey"])
    first = about_one_customer["first"]
    bare = shown_seqs(html(client.get(f"/audit/?customer={first.pk}")))
    assert bare == shown_seqs(html(client.get(f"/audit/?customer={first.archive_no}")))
    # a number no file has: nothing, and no error
    response = client.get("/audit/?customer=C0000999999")
    assert response.status_code == 200 and 'id="no-events"' in html(response)


def test_the_person_filter_takes_a_name_or_a_login(login, personas, about_one_customer):
    client = login(personas["audrey"])
    by_login = shown_seqs(html(client.get("/audit/?actor=sam")))
    by_name = shown_seqs(html(client.get("/audit/?actor=孙明")))
    assert by_login and by_login == by_name
    assert {e.actor for e in AuditEvent.objects.filter(seq__in=by_name)} == {"sam"}
    assert shown_seqs(html(client.get("/audit/?actor=孙"))) == by_name


def test_people_type_ahead(login, personas, about_one_customer):
    client = login(personas["audrey"])
    response = client.get("/audit/people/?q=孙")
    assert response.status_code == 200
    assert response.json() == {"results": [{"value": "sam", "label": "Sam 孙明 (sam)"}]}
    assert client.get("/audit/people/?q=").json() == {"results": []}
    assert login(personas["alice"]).get("/audit/people/?q=sam").status_code == 403


def test_page_count_unfiltered_and_filtered(login, personas, trail):
    client = login(personas["audrey"])
    assert "第 1 / 2 页（共 62 条）" in html(client.get("/audit/"))
    assert "第 2 / 2 页（共 62 条）" in html(client.get("/audit/?before=13"))
    assert "第 1 / 2 页（共 60 条）" in html(client.get("/audit/?actor=sam"))
    assert "第 2 / 2 页（共 60 条）" in html(client.get("/audit/?actor=sam&before=11"))


def test_the_filtered_count_is_capped(login, personas, trail, monkeypatch):
    from veracity.audit import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 20)
    client = login(personas["audrey"])
    with CaptureQueriesContext(connection) as queries:
        body = html(client.get("/audit/?actor=sam"))
    assert "符合条件的事件超过 20 条" in body and "第 1 页" in body
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "audit_auditevent" in q["sql"]
    ]
    assert counts and all("LIMIT 21" in sql for sql in counts)
    # unfiltered, the head's seq is the count: never capped
    assert "共 62 条" in html(client.get("/audit/"))


def test_details_are_labelled_fields_not_json(login, personas, trail):
    body = html(login(personas["audrey"]).get("/audit/?actor=dave"))
    assert "<details>" in body and '<dl class="facts event-facts">' in body
    assert "<dt>类别</dt><dd>电话号码</dd>" in body
    assert '{"kind"' not in body and "&quot;kind&quot;" not in body


def test_the_chain_state_in_words(login, personas, trail, django_capture_on_commit_callbacks):
    client = login(personas["audrey"])
    body = html(client.get("/audit/"))
    assert "尚未校验" in body and "这并不表示哈希链有问题" in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/audit/verify/")
    audit_record_many(actor=Actor.of(personas["sam"]), events=[Event(action=Action.LOGOUT)])
    body = html(client.get("/audit/"))
    assert "已校验：哈希链完整" in body and "1 条事件将在下次校验时检查" in body
    assert "尚未" not in body.split('id="verification-result"')[1].split("</dd>")[0]


def test_the_chain_state_after_a_verification_by_the_command(login, personas, trail):
    from veracity.audit.services import audit_verify, audit_verify_record

    audit_verify_record(actor=Actor.system("audit-verify"), report=audit_verify(), via="cli")
    body = html(login(personas["audrey"]).get("/audit/"))
    assert "已校验：哈希链完整" in body and "系统 于" in body
