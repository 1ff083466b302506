"""The complaints pages (SF-2): the list with its filters and counts, the intake form, a
complaint's page with its verification, and the second-callback section of a re-check item."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.conduct.conftest import sellers  # noqa: F401  (fixture)
from tests.detection.test_rules import apply, person, run
from veracity.cases.models import ProblemItem
from veracity.conduct.models import Complaint, RecheckCallback

pytestmark = pytest.mark.django_db


def intake(client, **changes):
    data = {
        "complaint_no": "TS2026-0009",
        "received_on": "2026-05-10",
        "category": "misselling",
        "seller_code": "AG17",
        "agency_code": "",
        "policy_no": "",
        "summary": "夸大收益",
        **changes,
    }
    return client.post("/complaints/new/", data)


def test_intake_list_and_verification(login, personas, sellers):  # noqa: F811
    sam = login(personas["sam"])
    answer = intake(sam)
    complaint = Complaint.objects.get()
    assert answer.status_code == 302 and answer.url == f"/complaints/{complaint.pk}/"
    page = sam.get(answer.url).content.decode()
    assert "AG17 司马成" in page and 'id="complaint-verify"' in page

    listing = sam.get("/complaints/?category=misselling&code=AG17").content.decode()
    assert "TS2026-0009" in listing and "AG17 司马成" in listing
    assert "TS2026-0009" not in sam.get("/complaints/?code=AY1").content.decode()
    assert sam.get("/complaints/?received_from=x").status_code == 400

    bad = intake(sam, complaint_no="TS2026-0010", seller_code="AG99999")
    assert bad.status_code == 400 and "AG99999" in bad.content.decode()
    assert Complaint.objects.count() == 1

    # the seller's own user may not verify it: refused on the page, nothing changed
    own = login(sellers["users"]["sid"])
    today = timezone.localdate().isoformat()
    form = {"action": "verify", "verified": "yes", "basis": "录音", "verified_on": today}
    refused = own.post(f"/complaints/{complaint.pk}/", form)
    assert refused.status_code == 400
    complaint.refresh_from_db()
    assert complaint.verified is None

    dave = login(personas["dave"])
    assert dave.post(f"/complaints/{complaint.pk}/", {**form, "basis": ""}).status_code == 400
    done = dave.post(f"/complaints/{complaint.pk}/", form)
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert complaint.verified is True and complaint.verified_by == personas["dave"]


def test_agents_see_no_complaints(login, personas, sellers):  # noqa: F811
    assert login(personas["alice"]).get("/complaints/").status_code == 403


def test_the_case_page_records_second_callbacks(login, personas, sellers):  # noqa: F811
    apply("P1", person("客户甲", "1980-01-01", phones=["13700000021"]), seller="AG17")
    for no, day in (("C1", date(2026, 1, 5)), ("C2", date(2026, 6, 5))):
        Complaint.objects.create(
            complaint_no=no,
            received_on=day,
            category="misselling",
            verified=True,
            verified_on=day,
            status="verified",
            seller=sellers["AG17"],
        )
    run(date(2026, 11, 26))
    item = ProblemItem.objects.get(rule="REPEAT_MISSELLING")
    task = RecheckCallback.objects.select_related("policy").get(item=item)
    number = task.policy.policy_no or task.policy.application_no
    sam = login(personas["sam"])
    page = sam.get(f"/problems/{item.pk}/").content.decode()
    assert 'id="recheck"' in page and number in page
    answer = sam.post(
        f"/problems/{item.pk}/callbacks/record/",
        {"policy_no": number, "result": "data_corrected", "note": "地址已更正"},
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.result == "data_corrected"
    # compliance sees the section but may not record
    dave = login(personas["dave"])
    assert "callback-form" not in dave.get(f"/problems/{item.pk}/").content.decode()
    refused = dave.post(
        f"/problems/{item.pk}/callbacks/record/", {"policy_no": number, "result": "reached"}
    )
    assert refused.status_code == 403
    task.refresh_from_db()
    assert task.result == "data_corrected"
