"""The problem-item workflow pages (issue 4) through Django's test client: the work queue,
the item page and each step's form, evidence upload and audited download, the overdue
dashboard — per persona, in both languages, and every refusal shown without a change."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.cases.conftest import PDF
from tests.cases.test_listing import make_items
from tests.web.test_problems import approve_export
from veracity.audit.models import Action, AuditEvent
from veracity.cases import services as cs
from veracity.cases.models import CaseStep, Evidence, ProblemItem
from veracity.customers.models import Phone
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def html(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def item(personas) -> ProblemItem:
    """Two strangers on one phone: policy L1 (agency, AG1) and L2 (bancassurance, BK7),
    both sellers in the sales register."""
    from veracity.policies.models import Policy
    from veracity.sales.models import Seller, SellerKind

    made = make_items()
    for code in ("AG1", "BK7"):
        seller = Seller.objects.create(code=code, kind=SellerKind.AGENT, name=code)
        Policy.objects.filter(seller_code=code).update(seller=seller)
    return made


def state(item: ProblemItem) -> dict:
    return ProblemItem.objects.values().get(pk=item.pk)


def distributed(item, personas, as_of=None):
    cs.problem_item_distribute(
        principal=Staff(personas["sam"]), item_id=item.pk, channel="agency", as_of=as_of
    )


def investigating(item, personas):
    distributed(item, personas)
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)


def submitted(item, personas, *, evidence=True):
    investigating(item, personas)
    if evidence:
        cs.problem_item_attach(
            principal=Staff(personas["carol"]),
            item_id=item.pk,
            kind="customer_confirmation",
            description="客户签字确认书",
            filename="confirm.pdf",
            data=PDF,
        )
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="explained",
        findings="夫妻共用电话",
    )


# --- the work queue ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "shows"),
    [("sam", True), ("mona", True), ("carol", False), ("henry", False), ("dave", False)],
)
def test_queue_of_a_new_item_per_role(login, personas, item, username, shows):
    response = login(personas[username]).get("/problems/queue/")
    assert response.status_code == 200
    body = html(response)
    assert "我的待办" in body
    assert (f'id="item-{item.pk}"' in body) is shows
    assert "王小芳" not in body and "13800138000" not in body
    if shows:
        assert "王*芳" in body and "新建" in body and f'href="/problems/{item.pk}/"' in body


def test_queue_follows_the_item_through_the_roles(login, personas, item):
    distributed(item, personas)
    carol = html(login(personas["carol"]).get("/problems/queue/"))
    assert f'id="item-{item.pk}"' in carol and "已分发" in carol
    assert f'id="item-{item.pk}"' not in html(login(personas["dave"]).get("/problems/queue/"))
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)
    cs.problem_item_submit(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        outcome="explained",
        findings="夫妻共用电话",
    )
    dave = html(login(personas["dave"]).get("/problems/queue/"))
    assert f'id="item-{item.pk}"' in dave and "已提交" in dave


def test_queue_highlights_past_due_items_with_their_basis(login, personas, item):
    distributed(item, personas, as_of=date(2026, 9, 30))  # due 10 Oct, long past today
    body = html(login(personas["carol"]).get("/problems/queue/"))
    assert 'class="due-past"' in body and "已逾期" in body
    assert "2026-10-10" in body and "3个工作日" in body


def test_queue_filters_and_bad_values(login, personas, item):
    client = login(personas["sam"])
    assert f'id="item-{item.pk}"' in html(client.get("/problems/queue/?stage=new"))
    assert f'id="item-{item.pk}"' not in html(client.get("/problems/queue/?stage=submitted"))
    assert f'id="item-{item.pk}"' in html(client.get("/problems/queue/?seller=BK7"))
    assert f'id="item-{item.pk}"' not in html(client.get("/problems/queue/?channel=internet"))
    for query in ("stage=nope", "rule=%00", "seller=" + "x" * 40, "page=abc", "page=-2"):
        response = client.get(f"/problems/queue/?{query}")
        assert response.status_code == 200, query
        assert f'id="item-{item.pk}"' in html(response), query


def test_bulk_distribution_reports_each_refusal(login, personas, item):
    client = login(personas["sam"])
    response = client.post(
        "/problems/queue/", {"item": [str(item.pk), "987654", "junk"], "channel": ""}, follow=True
    )
    assert response.status_code == 200
    body = html(response)
    assert "1件问题件已分发" in body
    assert "#987654" in body and "问题件不存在或无权查看" in body
    item.refresh_from_db()
    assert (item.stage, item.assigned_channel) == ("distributed", "agency")
    assert item.due_on is not None


def test_bulk_distribution_by_others_changes_nothing(login, personas, item):
    before = state(item)
    body = html(
        login(personas["dave"]).post(
            "/problems/queue/", {"item": [str(item.pk)], "channel": "agency"}, follow=True
        )
    )
    assert f"#{item.pk}" in body and "您的角色不能分发问题件" in body
    nothing = html(login(personas["sam"]).post("/problems/queue/", {"channel": ""}, follow=True))
    assert "请先勾选要分发的问题件" in nothing
    bad = html(
        login(personas["sam"]).post(
            "/problems/queue/", {"item": [str(item.pk)], "channel": "moon"}, follow=True
        )
    )
    assert "未知渠道" in bad
    assert state(item) == before and not CaseStep.objects.exists()


# --- the item page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "forms", "absent"),
    [
        ("sam", ["form-distribute", "form-claim", "form-attach", "form-note"], ["form-verify"]),
        ("mona", ["form-distribute", "form-claim"], ["form-submit"]),
        ("carol", [], ["form-claim", "form-distribute", "case-actions"]),
        ("dave", ["form-attach", "form-note"], ["form-distribute", "form-claim"]),
        ("ivan", [], ["case-actions"]),
        ("admin", [], ["case-actions"]),
    ],
)
def test_item_page_per_role(login, personas, item, username, forms, absent):
    response = login(personas[username]).get(f"/problems/{item.pk}/")
    assert response.status_code == 200
    body = html(response)
    assert f"问题件 #{item.pk}" in body and "新建" in body
    assert "王*芳" in body and "赵*海" in body and "138****8000" in body
    assert "王小芳" not in body and "13800138000" not in body
    assert "BK7" in body and "银行保险" in body
    for form in forms:
        assert f'id="{form}"' in body, form
    for form in absent:
        assert f'id="{form}"' not in body, form


def test_item_page_is_audited(login, personas, item):
    before = AuditEvent.objects.count()
    login(personas["sam"]).get(f"/problems/{item.pk}/")
    event = AuditEvent.objects.filter(seq__gt=before, action=Action.VIEW_PERSONAL_DATA).get()
    assert (event.action, event.purpose, event.actor) == (
        Action.VIEW_PERSONAL_DATA,
        "problem_item",
        "sam",
    )


def test_item_page_shows_deadline_basis_and_the_claim_form_to_the_channel(login, personas, item):
    distributed(item, personas, as_of=date(2026, 9, 30))
    body = html(login(personas["carol"]).get(f"/problems/{item.pk}/"))
    assert 'id="form-claim"' in body and "2026-10-10" in body
    assert "分发后3个工作日" in body and "个人代理" in body


@pytest.mark.parametrize("username", ["audrey", "george"])
def test_auditor_and_manager_are_refused_and_see_no_item(login, personas, item, username):
    client = login(personas[username])
    before, events = state(item), AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count()
    for url in ("/problems/queue/", "/problems/overdue/", f"/problems/{item.pk}/"):
        assert client.get(url).status_code == 403, url
    for step in ("distribute", "claim", "note", "submit"):
        response = client.post(f"/problems/{item.pk}/{step}/", {"channel": "agency", "note": "x"})
        assert response.status_code == 403
    assert client.post("/problems/queue/", {"item": [item.pk]}).status_code == 403
    home = html(client.get("/"))
    assert "/problems/queue/" not in home and "王*芳" not in home
    assert state(item) == before and not CaseStep.objects.exists()
    assert AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count() == events


def test_channel_back_office_of_another_channel_gets_404(login, personas, item):
    from veracity.org.models import StaffProfile

    StaffProfile.objects.filter(user=personas["henry"]).update(channel="internet")
    client = login(personas["henry"])
    assert client.get(f"/problems/{item.pk}/").status_code == 404
    assert client.post(f"/problems/{item.pk}/note/", {"note": "x"}).status_code == 404
    assert f'id="item-{item.pk}"' not in html(client.get("/problems/queue/"))


@pytest.mark.parametrize(
    "url",
    [
        "/problems/987654/",
        "/problems/99999999999999999999/",
        "/problems/99999999999999999999/claim/",
        "/problems/1/evidence/99999999999999999999/",
    ],
)
def test_unknown_items_are_404_never_500(login, personas, item, url):
    client = login(personas["sam"])
    assert client.get(url).status_code in {302, 404}
    assert client.post(url, {}).status_code == 404


def test_unknown_step_is_404_and_get_redirects(login, personas, item):
    client = login(personas["sam"])
    assert client.post(f"/problems/{item.pk}/explode/").status_code == 404
    response = client.get(f"/problems/{item.pk}/claim/")
    assert response.status_code == 302 and response["Location"] == f"/problems/{item.pk}/"
    assert state(item)["stage"] == "new"


# --- steps through the forms ----------------------------------------------------------------


def test_the_whole_path_through_the_forms(login, personas, item):
    sam = login(personas["sam"])
    response = sam.post(f"/problems/{item.pk}/distribute/", {"channel": ""})
    assert response.status_code == 302 and response["Location"] == f"/problems/{item.pk}/"
    assert "问题件已分发" in html(sam.get(response["Location"]))

    carol = login(personas["carol"])
    assert carol.post(f"/problems/{item.pk}/claim/").status_code == 302
    upload = io.BytesIO(PDF)
    upload.name = "客户确认书.pdf"
    response = carol.post(
        f"/problems/{item.pk}/attach/",
        {"kind": "customer_confirmation", "description": "客户签字确认书", "file": upload},
    )
    assert response.status_code == 302
    assert (
        carol.post(
            f"/problems/{item.pk}/submit/", {"outcome": "explained", "findings": "夫妻共用电话"}
        ).status_code
        == 302
    )

    dave = login(personas["dave"])
    assert dave.post(f"/problems/{item.pk}/return/", {"reason": "请补充结婚证"}).status_code == 302
    carol = login(personas["carol"])
    assert (
        carol.post(
            f"/problems/{item.pk}/submit/", {"outcome": "explained", "findings": "已补充结婚证"}
        ).status_code
        == 302
    )
    dave = login(personas["dave"])
    assert dave.post(f"/problems/{item.pk}/verify/", {"note": "材料齐全"}).status_code == 302
    assert dave.post(f"/problems/{item.pk}/close/", {"note": ""}).status_code == 302

    item.refresh_from_db()
    assert (item.stage, item.status, item.returned_times) == ("closed", "closed", 1)
    body = html(dave.get(f"/problems/{item.pk}/"))
    for label in ("已分发", "已认领", "已添加材料", "已提交", "已退回", "已核实", "已关闭"):
        assert label in body, label
    assert "请补充结婚证" in body and "carol" in body and "dave" in body and "sam" in body
    assert "客户确认书.pdf" in body and Evidence.objects.get().sha256 in body
    assert 'id="case-actions"' not in body  # nothing more to do on a closed item


def test_refusals_show_the_reason_and_change_nothing(login, personas, item):
    before = state(item)
    cases = [
        ("carol", "verify", {}, "您的角色不能核实或退回调查结果"),
        ("dave", "distribute", {"channel": "agency"}, "您的角色不能分发问题件"),
        ("sam", "verify", {}, "问题件处于“新建”状态，不能核实"),
        ("sam", "return", {"reason": ""}, "请填写退回原因"),
        ("sam", "note", {"note": "   "}, "请填写备注"),
        ("carol", "claim", {}, "问题件尚未分发到渠道，不能认领"),
        ("sam", "submit", {"outcome": "explained", "findings": "x"}, "只有认领该问题件的调查人"),
    ]
    for username, step, data, message in cases:
        response = login(personas[username]).post(f"/problems/{item.pk}/{step}/", data)
        assert response.status_code == 400, (username, step)
        body = html(response)
        assert message in body, (username, step)
        assert 'id="case-error"' in body
    assert state(item) == before and not CaseStep.objects.exists()


def test_refusal_in_english(login, personas, item):
    client = login(personas["dave"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = html(client.post(f"/problems/{item.pk}/distribute/", {"channel": "agency"}))
    assert f"Problem item #{item.pk}" in body
    assert "your role may not distribute problem items" in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


def test_submit_without_outcome_or_findings_keeps_the_input(login, personas, item):
    investigating(item, personas)
    before = state(item)
    client = login(personas["carol"])
    body = html(client.post(f"/problems/{item.pk}/submit/", {"findings": "我的调查记录"}))
    assert "请选择调查结论" in body and "我的调查记录" in body
    body = html(client.post(f"/problems/{item.pk}/submit/", {"outcome": "explained"}))
    assert "请填写调查结果" in body
    body = html(
        client.post(f"/problems/{item.pk}/submit/", {"outcome": "escalated", "findings": "x"})
    )
    assert "请选择本问题件保单的销售人员" in body
    assert state(item) == before


def test_corrected_rows_offer_the_members_records_and_name_the_bad_row(login, personas, item):
    investigating(item, personas)
    member = item.members.get(policy__channel="agency")  # within the agency back-office's reach
    phone = Phone.objects.get(customer_id=member.customer_id)
    target = f"{member.customer_id}:phone:{phone.pk}"
    client = login(personas["carol"])
    page = html(client.get(f"/problems/{item.pk}/"))
    assert f'value="{target}"' in page and "电话 138****8000" in page
    before = state(item)
    body = html(
        client.post(
            f"/problems/{item.pk}/submit/",
            {
                "outcome": "corrected",
                "findings": "营销员填了自己的电话",
                "change-1-target": target,
                "change-1-value": "12345",
            },
        )
    )
    assert "更正第2行" in body and "不是有效的电话号码" in body
    assert state(item) == before
    response = client.post(
        f"/problems/{item.pk}/submit/",
        {
            "outcome": "corrected",
            "findings": "营销员填了自己的电话",
            "change-0-target": target,
            "change-0-value": "139 1234 5678",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    [change] = item.correction["changes"]
    assert (change["customer_id"], change["field"], change["record_id"]) == (
        member.customer_id,
        "phone",
        phone.pk,
    )
    body = html(login(personas["dave"]).get(f"/problems/{item.pk}/"))
    assert 'id="case-correction"' in body and "139****5678" in body
    assert "13912345678" not in body and "139 1234 5678" not in body


def test_escalation_offers_the_sellers_of_the_items_policies(login, personas, item):
    investigating(item, personas)
    client = login(personas["carol"])
    page = html(client.get(f"/problems/{item.pk}/"))
    assert 'name="seller" value="AG1"' in page and 'name="seller" value="BK7"' in page
    response = client.post(
        f"/problems/{item.pk}/submit/",
        {"outcome": "escalated", "findings": "营销员代填客户电话", "seller": ["BK7"]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.correction == {"sellers": ["BK7"], "misconduct": "false_data"}


def test_verify_without_the_signed_confirmation_is_refused(login, personas, item):
    submitted(item, personas, evidence=False)
    before = state(item)
    body = html(login(personas["dave"]).post(f"/problems/{item.pk}/verify/", {}))
    assert "核实前须上传客户签字确认书" in body
    assert state(item) == before


# --- evidence ---------------------------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused_with_a_clear_message(login, personas, item):
    investigating(item, personas)
    upload = io.BytesIO(EXE)
    upload.name = "确认书.pdf"
    response = login(personas["carol"]).post(
        f"/problems/{item.pk}/attach/",
        {"kind": "customer_confirmation", "description": "确认书", "file": upload},
    )
    assert response.status_code == 400
    body = html(response)
    assert "文件" in body and "不支持的文件类型" in body and "PDF" in body
    assert "确认书" in body  # the description typed stays in the form
    assert not Evidence.objects.exists()
    assert not CaseStep.objects.filter(action="evidence").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "", "description": "d"}, "请选择材料类别"),
        ({"kind": "agent_statement", "description": ""}, "请填写材料说明"),
        ({"kind": "agent_statement", "description": "d"}, "请选择文件"),
    ],
)
def test_evidence_form_errors(login, personas, item, data, message):
    investigating(item, personas)
    body = html(login(personas["carol"]).post(f"/problems/{item.pk}/attach/", data))
    assert message in body
    assert not Evidence.objects.exists()


def test_item_page_states_the_upload_limits(login, personas, item):
    investigating(item, personas)
    body = html(login(personas["carol"]).get(f"/problems/{item.pk}/"))
    assert 'enctype="multipart/form-data"' in body
    assert "20 MB" in body and "PDF, JPEG" in body


def test_download_is_audited_with_its_purpose(login, personas, item):
    submitted(item, personas)
    evidence = Evidence.objects.get()
    client = login(personas["dave"])
    page = html(client.get(f"/problems/{item.pk}/"))
    assert evidence.sha256 in page and "confirm.pdf" in page and "客户签字确认书" in page
    url = f"/problems/{item.pk}/evidence/{evidence.pk}/"
    before = AuditEvent.objects.count()
    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 400 and "请说明查看目的" in html(refused)
    assert not AuditEvent.objects.filter(seq__gt=before, object_type="evidence").exists()
    response = client.post(url, {"purpose": "compliance_check"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(object_type="evidence").get()
    assert (event.action, event.object_id, event.purpose, event.actor) == (
        Action.VIEW_PERSONAL_DATA,
        str(evidence.pk),
        "compliance_check",
        "dave",
    )
    assert client.post(f"/problems/{item.pk + 1}/evidence/{evidence.pk}/", {}).status_code == 404
    # an agent who sold none of the item's policies: not found, like any item out of reach
    assert login(personas["alice"]).post(url, {"purpose": "callback"}).status_code == 404


def test_a_missing_evidence_file_is_said_plainly(login, personas, item, settings):
    from pathlib import Path

    submitted(item, personas)
    evidence = Evidence.objects.get()
    (Path(settings.VERACITY_EVIDENCE_DIR) / evidence.stored_as).unlink()
    response = login(personas["dave"]).post(
        f"/problems/{item.pk}/evidence/{evidence.pk}/", {"purpose": "compliance_check"}
    )
    assert response.status_code == 400 and "材料文件" in html(response)


# --- overdue, home, list, export -------------------------------------------------------------


@pytest.mark.parametrize("username", ["sam", "carol", "dave", "mona", "ivan", "admin"])
def test_overdue_dashboard(login, personas, item, username):
    distributed(item, personas, as_of=date(2026, 9, 30))
    response = login(personas[username]).get("/problems/overdue/")
    assert response.status_code == 200
    body = html(response)
    assert "逾期问题件" in body and 'id="total-past">1<' in body
    assert "个人代理" in body and "AG1" in body and "BK7" in body
    assert "bar bar-past" in body


def test_overdue_dashboard_empty(login, personas, item):
    body = html(login(personas["dave"]).get("/problems/overdue/"))
    assert 'id="total-past">0<' in body and "没有逾期或即将到期的问题件" in body


def test_home_shows_the_queue(login, personas, item):
    distributed(item, personas, as_of=date(2026, 9, 30))
    body = html(login(personas["carol"]).get("/"))
    assert 'id="home-queue"' in body and "1件问题件等待您处理" in body
    assert "1件已逾期" in body and 'href="/problems/queue/"' in body
    assert 'id="nav-queue"' in body


def test_problem_list_shows_the_stage_and_links_the_item(login, personas, item):
    distributed(item, personas)
    client = login(personas["sam"])
    body = html(client.get("/problems/"))
    assert "已分发" in body and f'href="/problems/{item.pk}/"' in body
    assert 'href="/problems/queue/"' in body and 'href="/problems/overdue/"' in body
    assert f'id="item-{item.pk}"' in html(client.get("/problems/?stage=distributed"))
    assert f'id="item-{item.pk}"' not in html(client.get("/problems/?stage=closed"))


def test_queue_export_needs_approval_and_keeps_the_filters(login, personas, item):
    client = login(personas["sam"])
    page = html(client.get("/problems/queue/?stage=new"))
    # no approval held: the button asks for one, naming the queue and its filter
    assert 'id="queue-export" href="/access/new/?kind=export&amp;export_of=problem_items' in page
    assert "problems/export.xlsx" not in page
    assert client.get("/problems/export.xlsx?queue=1&stage=new").status_code == 403
    approve_export(personas["sam"], personas["ivan"])
    page = html(client.get("/problems/queue/?stage=new"))
    assert 'href="/problems/export.xlsx?queue=1&amp;stage=new"' in page
    response = client.get("/problems/export.xlsx?queue=1&stage=new")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4  # title, header, the item's two members
    empty = client.get("/problems/export.xlsx?queue=1&stage=closed")
    assert len(list(load_workbook(io.BytesIO(empty.content)).active.iter_rows())) == 2


def test_overdue_counts_agents_missing_from_the_sales_register(login, personas):
    unregistered = make_items()  # AG1 and BK7 are only codes on the policies
    distributed(unregistered, personas, as_of=date(2026, 9, 30))
    body = html(login(personas["dave"]).get("/problems/overdue/"))
    assert "AG1" in body and "BK7" in body
