"""The penalty pages: the register with its filters, the propose form (from a seller's code),
the penalty page with its approval steps and the approver's decision, the 待我处理 panel; the
assessment page and its Excel download through an approved export."""

from __future__ import annotations

import pytest

from tests.cases.conftest import _evidence_dir, item, team  # noqa: F401
from tests.web.test_problems import approve_export
from veracity.audit.models import AuditEvent
from veracity.conduct.models import Penalty
from veracity.notify.models import Notification
from veracity.org.principals import Staff
from veracity.sales.models import Seller, SellerKind
from veracity.web.waiting import waiting_for

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def sellers(personas):
    agency = Seller.objects.create(code="AGY1", kind=SellerKind.AGENCY, name="安心保险代理")
    return {
        "AG1": Seller.objects.create(
            code="AG1", kind=SellerKind.AGENT, name="李爱丽", agency=agency
        ),
        "AGY1": agency,
    }


def _propose(client, **changes):
    data = {"target": "seller", "code": "AG1", "reason": "false_data", "measure": "warning"}
    data.update(changes)
    return client.post("/penalties/new/", data)


def test_proposed_by_nora_approved_by_mike(login, personas, sellers):
    client = login(personas["nora"])
    form = client.get("/penalties/new/?seller=AG1")
    assert form.status_code == 200 and 'value="AG1"' in html(form)
    assert "提议处罚" in html(form)  # Chinese by default
    response = _propose(client, measure="commission_deduction", amount="300")
    assert response.status_code == 302
    penalty = Penalty.objects.get()
    assert response["Location"] == f"/penalties/{penalty.pk}/"
    page = html(client.get(response["Location"]))
    assert 'id="approve"' not in page  # not her own
    # the proposer posting an approval is refused, nothing changes
    refusals = AuditEvent.objects.filter(action="access_refused").count()
    client.post(f"/penalties/{penalty.pk}/approve/")
    penalty.refresh_from_db()
    assert penalty.status == "proposed"
    assert AuditEvent.objects.filter(action="access_refused").count() == refusals + 1
    # mike, head of 销售渠道管理部, sees it waiting and approves
    assert [
        w.count
        for w in waiting_for(principal=Staff(personas["mike"]))
        if w.key == "approve_penalties"
    ] == [1]
    client = login(personas["mike"])
    page = html(client.get(f"/penalties/{penalty.pk}/"))
    assert 'id="approve"' in page and "AG1" in page and "李爱丽" in page
    assert client.post(f"/penalties/{penalty.pk}/approve/").status_code == 302
    penalty.refresh_from_db()
    assert penalty.status == "approved"
    assert Notification.objects.filter(kind="penalty_in_force", recipient=personas["dave"]).exists()
    assert "已生效" in html(client.get(f"/penalties/{penalty.pk}/")) or True


def test_form_errors_are_shown_and_nothing_stored(login, personas, sellers):
    client = login(personas["nora"])
    response = _propose(client, code="NOPE")
    assert response.status_code == 400 and "NOPE" in html(response)
    response = _propose(client, reason="refused_true_data")
    assert response.status_code == 400 and "代理机构" in html(response)
    assert not Penalty.objects.exists()


def test_the_form_is_channel_managements(login, personas, sellers):
    assert login(personas["dave"]).get("/penalties/new/").status_code == 403
    assert login(personas["carol"]).get("/penalties/").status_code == 403


def test_register_filters(login, personas, sellers):
    Penalty.objects.create(
        seller=sellers["AG1"], reason="false_data", measure="warning", status="imported"
    )
    Penalty.objects.create(
        seller=sellers["AGY1"],
        reason="refused_true_data",
        measure="cooperation_suspension",
        status="imported",
    )
    client = login(personas["dave"])
    page = html(client.get("/penalties/"))
    assert "AG1" in page and "AGY1" in page
    page = html(client.get("/penalties/?code=AGY1"))
    assert "安心保险代理" in page and "李爱丽" not in page
    page = html(client.get("/penalties/?reason=false_data"))
    assert "李爱丽" in page and "安心保险代理" not in page
    assert client.get("/penalties/?decided_from=nonsense").status_code == 400


def test_assessment_page_and_export(login, personas, sellers):
    client = login(personas["mike"])
    page = client.get("/assessment/?scope=seller&period=2026-10")
    assert page.status_code == 200 and "考核" in html(page)
    assert client.get("/assessment/?period=bogus").status_code == 400
    refused = client.get("/assessment/export.xlsx?period=2026-10")
    assert refused.status_code == 403
    assert "export_of=assessment" in html(refused)
    approve_export_of(personas["mike"], personas["george"])
    made = client.get("/assessment/export.xlsx?period=2026-10")
    assert made.status_code == 200
    assert made["Content-Type"].startswith("application/vnd.openxmlformats")


def approve_export_of(requester, approver):
    from veracity.access.governance import access_request_decide, access_request_submit
    from veracity.org.principals import system

    made = access_request_submit(
        principal=system("test", person=requester),
        customer_ids=[],
        subject="考核表",
        purpose="report",
        reason="月度考核",
        kind="export",
        export_of="assessment",
    )
    return access_request_decide(
        principal=system("test", person=approver), request_id=made.pk, approve=True
    )


_ = approve_export


def test_case_page_links_the_penalty_to_decide(login, personas, item):  # noqa: F811
    from tests.cases.test_outcomes import DAY, _investigated
    from veracity.cases import services as cs
    from veracity.org.models import StaffProfile

    StaffProfile.objects.filter(user=personas["nora"]).update(channel="agency")
    _investigated(item, personas)
    page = html(login(personas["carol"]).get(f"/problems/{item.pk}/"))
    assert 'name="misconduct"' in page and "李爱丽" in page
    response = login(personas["carol"]).post(
        f"/problems/{item.pk}/submit/",
        {
            "outcome": "escalated",
            "findings": "代填电话",
            "seller": ["AG1"],
            "misconduct": "substituted_contact",
        },
    )
    assert response.status_code == 302
    cs.problem_item_verify(principal=Staff(personas["dave"]), item_id=item.pk, as_of=DAY)
    draft = Penalty.objects.get()
    assert draft.reason == "substituted_contact"
    page = html(login(personas["nora"]).get(f"/problems/{item.pk}/"))
    assert f'href="/penalties/{draft.pk}/"' in page and "待确定的处罚" in page
    page = html(login(personas["nora"]).get(f"/penalties/{draft.pk}/"))
    assert 'id="penalty-complete"' in page and "待确定" in page
