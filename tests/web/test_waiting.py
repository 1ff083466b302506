"""The 待我处理 panel on the home page: what waits for me, counted per kind, each linking to
its list; a few indexed queries whatever the number of items."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.cases.conftest import PDF, attach_confirmation
from tests.cases.test_listing import make_items
from veracity.cases import services as cs
from veracity.org.principals import Staff
from veracity.web.waiting import waiting_for

pytestmark = pytest.mark.django_db

DAY = date(2026, 9, 30)


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def counts(user) -> dict[str, int]:
    return {w.key: w.count for w in waiting_for(principal=Staff(user))}


def test_each_role_sees_the_kinds_of_work_it_does(personas):
    make_items()
    assert counts(personas["sam"]) == {"distribute": 1, "investigate": 0, "verify": 0, "close": 0}
    assert counts(personas["carol"]) == {"take_up": 0, "investigate": 0}
    assert counts(personas["dave"]) == {"verify": 0, "close": 0, "incidents": 0}
    assert counts(personas["alice"]) == {}  # agents are never told of a suspicion
    assert counts(personas["audrey"]) == {}


def test_counts_follow_the_item_through_its_hand_offs(personas):
    item = make_items()
    sam, carol, dave = (Staff(personas[n]) for n in ("sam", "carol", "dave"))
    cs.problem_item_distribute(principal=sam, item_id=item.pk, channel="agency", as_of=DAY)
    assert counts(personas["sam"])["distribute"] == 0
    assert counts(personas["carol"]) == {"take_up": 1, "investigate": 0}
    cs.problem_item_claim(principal=carol, item_id=item.pk)
    assert counts(personas["carol"]) == {"take_up": 0, "investigate": 1}
    cs.problem_item_attach(
        principal=carol,
        item_id=item.pk,
        kind="investigator_report",
        description="signed report",
        filename="report.pdf",
        data=PDF,
    )
    attach_confirmation(carol, item.pk)
    cs.problem_item_submit(principal=carol, item_id=item.pk, outcome="explained", findings="夫妻")
    assert counts(personas["dave"])["verify"] == 1 and counts(personas["sam"])["verify"] == 1
    assert counts(personas["carol"])["investigate"] == 0
    cs.problem_item_verify(principal=dave, item_id=item.pk, as_of=DAY)
    assert counts(personas["dave"]) == {"verify": 0, "close": 1, "incidents": 0}


def test_approvals_grants_and_incidents_are_counted(personas, application):
    from tests.web.factories import other_application, seller_for, store
    from veracity.access.governance import access_request_decide, access_request_submit
    from veracity.access.models import AccessGrant
    from veracity.incidents.services import incident_report

    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    made = access_request_submit(
        principal=Staff(personas["alice"]),
        customer_ids=[other.roles.get(role="policyholder").customer_id],
        subject="回访核实",
        purpose="callback",
        reason="客户来电",
        scope="view",
    )
    assert counts(personas["henry"])["approve_access"] == 1
    assert "approve_access" not in counts(personas["sam"])  # not his step yet
    for name in ("henry", "sam"):
        access_request_decide(principal=Staff(personas[name]), request_id=made.pk, approve=True)
    assert "approve_access" not in counts(personas["henry"])
    assert "grants_ending" not in counts(personas["alice"])  # days away yet
    AccessGrant.objects.filter(request=made).update(ends_at=timezone.now() + timedelta(hours=2))
    assert counts(personas["alice"])["grants_ending"] == 1

    incident_report(
        principal=Staff(personas["alice"]),
        description="手机丢失",
        certainty="suspected",
        data_types=["name"],
        customer_ids=[],
    )
    assert counts(personas["ivan"])["incidents"] == 1 and counts(personas["dave"])["incidents"] == 1


@pytest.mark.parametrize("username", ["sam", "carol", "dave", "ivan", "henry", "terry", "alice"])
def test_the_home_page_shows_the_panel_in_chinese(login, personas, username):
    make_items()
    body = login(personas[username]).get("/").content.decode()
    assert 'id="waiting-for-me"' in body and "待我处理" in body
    panel = body.split('id="waiting-for-me"', 1)[1].split("</section>", 1)[0]
    words = re.sub(r"<[^>]*>", " ", panel.split(">", 1)[1])
    assert words.strip() and not re.search(r"[A-Za-z]", words), words


def test_the_panel_costs_a_few_queries_whatever_the_items(
    login, personas, django_assert_max_num_queries
):
    make_items()
    with django_assert_max_num_queries(12):
        waiting_for(principal=Staff(personas["sam"]))
