"""The work queue as an inbox and D1.13 on the item page, through Django's test client: stage
tabs with counts remembered in the URL, saved filters, the investigator by name, the return
asking for evidence by kind, and the agent's read-only page with its statement form."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from tests.cases.conftest import PDF
from tests.cases.test_listing import make_items
from veracity.audit.models import Action, AuditEvent
from veracity.cases import services as cs
from veracity.cases.models import CaseStep, ProblemItem, SavedQueueFilter
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def item(personas) -> ProblemItem:
    """Policy L1 (agency) sold by AG1 — alice's seller record — and L2 by BK7."""
    from veracity.policies.models import Policy
    from veracity.sales.models import Seller, SellerKind

    made = make_items()
    for code, user in (("AG1", personas["alice"]), ("BK7", None)):
        seller = Seller.objects.create(code=code, kind=SellerKind.AGENT, name=code, user=user)
        Policy.objects.filter(seller_code=code).update(seller=seller)
    return made


def submitted(item, personas) -> None:
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)
    cs.problem_item_attach(
        principal=Staff(personas["carol"]),
        item_id=item.pk,
        kind="investigator_report",
        description="调查报告",
        filename="report.pdf",
        data=PDF,
    )
    cs.problem_item_submit(
        principal=Staff(personas["carol"]), item_id=item.pk, outcome="explained", findings="夫妻"
    )


# --- tabs and names ---------------------------------------------------------------------------


def test_the_queue_shows_stage_tabs_with_counts(login, personas, item):
    body = html(login(personas["sam"]).get("/problems/queue/"))
    assert 'id="queue-tabs"' in body
    assert 'id="tab-all"' in body and 'id="tab-new"' in body
    assert 'id="tab-submitted"' not in body  # an empty stage has no tab
    tab = body.split('id="tab-new"')[1].split("</a>")[0]
    assert "新建" in tab and '<span class="count">1</span>' in tab


def test_the_stage_tab_is_kept_in_the_url(login, personas, item):
    submitted(item, personas)
    client = login(personas["dave"])
    body = html(client.get("/problems/queue/?stage=submitted&rule=SHARED_PHONE"))
    active = body.split('aria-current="page"')[0].rsplit("<a ", 1)[1]
    assert 'id="tab-submitted"' in active
    # the other tabs keep the other filters, and the pages keep the stage
    assert "?rule=SHARED_PHONE&amp;stage=submitted" in body or "stage=submitted" in body
    assert 'href="?rule=SHARED_PHONE"' in body  # the "all" tab
    assert f'id="item-{item.pk}"' in body
    assert f'id="item-{item.pk}"' not in html(client.get("/problems/queue/?stage=verified"))


def test_the_queue_names_the_investigator(login, personas, item):
    carol = personas["carol"]
    carol.first_name, carol.last_name = "丽", "陈"
    carol.save()
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    body = html(login(carol).get("/problems/queue/"))
    row = body.split(f'id="item-{item.pk}"')[1].split("</tr>")[0]
    assert carol.get_full_name() in row and ">carol<" not in row


def test_a_late_new_item_is_marked_in_the_queue(login, personas, item):
    created = datetime.combine(date(2026, 9, 22), time(9), tzinfo=timezone.get_current_timezone())
    ProblemItem.objects.filter(pk=item.pk).update(created_at=created)
    body = html(login(personas["sam"]).get("/problems/queue/"))
    row = body.split(f'id="item-{item.pk}"')[1].split("</tr>")[0]
    assert "超过1个工作日未分发" in row


# --- saved filters ----------------------------------------------------------------------------


def test_saving_using_and_removing_a_filter(login, personas, item):
    client = login(personas["sam"])
    response = client.post(
        "/problems/queue/filters/", {"name": "新件", "query": "stage=new&rule=SHARED_PHONE"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/problems/queue/?stage=new&rule=SHARED_PHONE"
    saved = SavedQueueFilter.objects.get()
    assert (saved.user, saved.query) == (personas["sam"], {"stage": "new", "rule": "SHARED_PHONE"})
    body = html(client.get(response["Location"]))
    assert "筛选条件“新件”已保存" in body
    assert f'id="saved-filter-{saved.pk}"' in body and "新件" in body
    # another person neither sees nor removes it
    dave = login(personas["dave"])
    assert f'id="saved-filter-{saved.pk}"' not in html(dave.get("/problems/queue/"))
    assert dave.post(f"/problems/queue/filters/{saved.pk}/delete/").status_code == 404
    assert SavedQueueFilter.objects.filter(pk=saved.pk).exists()
    assert AuditEvent.objects.filter(
        action=Action.ACCESS_REFUSED, actor="dave", object_type="saved_queue_filter"
    ).exists()
    login(personas["sam"]).post(f"/problems/queue/filters/{saved.pk}/delete/")
    assert not SavedQueueFilter.objects.exists()


def test_a_filter_without_a_name_is_refused_in_words(login, personas):
    client = login(personas["sam"])
    response = client.post("/problems/queue/filters/", {"name": "", "query": "stage=new"})
    body = html(client.get(response["Location"]))
    assert "筛选名称" in body and "请填写筛选名称" in body
    assert not SavedQueueFilter.objects.exists()


# --- the return asks for evidence by kind; verification needs the confirmation ---------------


def test_the_return_asks_for_kinds_and_the_investigator_reads_them(login, personas, item):
    submitted(item, personas)
    dave = login(personas["dave"])
    refused = dave.post(f"/problems/{item.pk}/verify/", {})
    assert refused.status_code == 400 and "客户签字确认书" in html(refused)
    assert ProblemItem.objects.get(pk=item.pk).stage == "submitted"
    page = html(dave.get(f"/problems/{item.pk}/"))
    assert 'name="requested_kinds" value="agent_statement"' in page
    dave.post(
        f"/problems/{item.pk}/return/",
        {"reason": "请补充", "requested_kinds": ["agent_statement", "partner_statement"]},
    )
    body = html(login(personas["carol"]).get(f"/problems/{item.pk}/"))
    requested = body.split('id="case-requested"')[1].split("</div>")[0]
    assert "营销员情况说明" in requested
    assert "合作机构" in requested
    bad = dave.post(f"/problems/{item.pk}/return/", {"reason": "r", "requested_kinds": ["x"]})
    assert bad.status_code in (400, 409)


# --- the agent's page --------------------------------------------------------------------------


def test_the_agent_reads_their_item_and_only_they_get_the_statement_form(login, personas, item):
    alice = login(personas["alice"])
    body = html(alice.get(f"/problems/{item.pk}/"))
    assert 'id="form-statement"' in body
    assert "王*芳" in body and "赵*海" not in body  # her own customer only
    for form in ("form-claim", "form-distribute", "form-note", "form-attach"):
        assert f'id="{form}"' not in body
    queue = html(alice.get("/problems/queue/"))
    assert f'id="item-{item.pk}"' in queue and 'id="queue-export"' not in queue
    # no other step
    before = ProblemItem.objects.values().get(pk=item.pk)
    refused = alice.post(f"/problems/{item.pk}/claim/")
    assert refused.status_code == 400 and "您的角色不能认领问题件" in html(refused)
    assert ProblemItem.objects.values().get(pk=item.pk) == before
    assert AuditEvent.objects.filter(
        action=Action.ACCESS_REFUSED, actor="alice", object_id=str(item.pk)
    ).exists()
    sam = login(personas["sam"])
    assert 'id="form-statement"' not in html(sam.get(f"/problems/{item.pk}/"))


def test_the_agent_adds_a_statement(login, personas, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    alice = login(personas["alice"])
    empty = alice.post(f"/problems/{item.pk}/statement/", {"statement": ""})
    assert empty.status_code == 400 and "请填写情况说明" in html(empty)
    response = alice.post(
        f"/problems/{item.pk}/statement/",
        {"statement": "客户为夫妻", "file": SimpleUploadedFile("说明.pdf", PDF)},
    )
    assert response.status_code == 302
    step = CaseStep.objects.get(item=item, action="statement")
    assert step.note == "客户为夫妻"
    body = html(login(personas["sam"]).get(f"/problems/{item.pk}/"))
    assert "客户为夫妻" in body and "说明.pdf" in body


def test_an_agent_of_another_book_gets_404(login, personas, item):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    amy = get_user_model().objects.create_user(username="amy", password="pw-amy")
    amy.groups.add(Group.objects.get(name="agent"))
    client = login(amy)
    assert client.get(f"/problems/{item.pk}/").status_code == 404
    assert client.post(f"/problems/{item.pk}/statement/", {"statement": "x"}).status_code == 404
    assert f'id="item-{item.pk}"' not in html(client.get("/problems/queue/"))
    assert not CaseStep.objects.exists()
