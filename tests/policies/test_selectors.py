"""Policy selectors: visibility per role, findings in the active language, statistics,
masked parties and one audit event per application view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone, translation

from tests.web.factories import (
    HOLDER_PHONE,
    failing_application,
    other_application,
    seller_for,
    store,
)
from veracity.audit.models import Action, AuditEvent
from veracity.org.principals import Staff, with_purpose
from veracity.policies.models import GateCheck
from veracity.policies.selectors import (
    application_detail,
    applications_list,
    finding_counts,
    localized,
    supplement_requests_open,
    verdict_counts,
    visible_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, other, failed = store(application, other_application(), failing_application())
    return {
        "own": own,
        "other": other,
        "failed": failed,
        "holder_id": application["policyholder"]["id_number"],
    }


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("alice", {"own", "failed"}),
        ("sam", {"own", "other", "failed"}),
        ("carol", {"own", "other", "failed"}),
        ("dave", {"own", "other", "failed"}),
        ("ivan", {"own", "other", "failed"}),
        ("admin", {"own", "other", "failed"}),
        ("audrey", set()),
    ],
)
def test_visible_to_per_role(personas, book, username, expected):
    visible = set(
        visible_to(principal=Staff(personas[username]), action="applications.view").values_list(
            "pk", flat=True
        )
    )
    assert visible == {book[key].pk for key in expected}


def test_applications_list_filters_by_verdict(personas, book):
    sam = personas["sam"]
    assert list(applications_list(principal=Staff(sam), verdict="fail")) == [book["failed"]]
    assert book["failed"] not in applications_list(principal=Staff(sam), verdict="pass")
    assert applications_list(principal=Staff(sam), verdict="nonsense").count() == 3


def test_open_supplement_requests_follow_visibility(personas, book):
    assert [r.policy for r in supplement_requests_open(principal=Staff(personas["alice"]))] == [
        book["failed"]
    ]
    assert list(supplement_requests_open(principal=Staff(personas["audrey"]))) == []


def test_localized_picks_the_language():
    finding = {"message_zh": "投保人联系电话未填写", "message_en": "Policyholder phone is missing"}
    assert localized(finding, "zh-hans") == "投保人联系电话未填写"
    assert localized(finding, "en") == "Policyholder phone is missing"
    with translation.override("en"):
        assert localized(finding) == "Policyholder phone is missing"
    assert localized({"message_en": "only English"}, "zh-hans") == "only English"


def test_application_detail_in_both_languages(personas, book):
    with translation.override("en"):
        view = application_detail(
            "A2026110050", principal=with_purpose(Staff(personas["sam"]), "problem_item")
        )
    assert view.verdict == "fail"
    assert view.latest is not None and view.latest.findings
    codes = {f.code for f in view.latest.findings}
    assert "MISSING_FIELD" in codes
    stored = GateCheck.objects.filter(policy=book["failed"]).first().findings
    assert {f.message for f in view.latest.findings} == {f["message_en"] for f in stored}
    assert view.supplement is not None and view.supplement.status == "open"
    assert view.supplement.items
    with translation.override("zh-hans"):
        zh = application_detail(
            "A2026110050", principal=with_purpose(Staff(personas["sam"]), "problem_item")
        )
    assert {f.message for f in zh.latest.findings} == {f["message_zh"] for f in stored}


def test_application_detail_masks_parties_and_is_audited(personas, book):
    before = AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).count()
    view = application_detail(
        "A2026110001", principal=with_purpose(Staff(personas["sam"]), "callback")
    )
    holder = next(p for p in view.parties if p.name == "王芳")
    assert holder.phone == "138****8000"
    assert holder.id_number.startswith("1") and "*" in holder.id_number
    assert view.payer_account == "622202*********4567"
    text = repr(view)
    assert HOLDER_PHONE not in text and book["holder_id"] not in text
    events = AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).order_by("seq")
    assert events.count() == before + 1
    assert events.last().purpose == "callback"
    assert events.last().object_type == "policy"


@pytest.mark.parametrize("no", ["A2026110099", "NOPE", "", "x" * 300, "../../etc"])
def test_application_detail_invisible_or_unknown_is_404(personas, book, no):
    with pytest.raises(Http404):
        application_detail(no, principal=Staff(personas["alice"]))


def test_auditor_sees_no_application(personas, book):
    with pytest.raises(Http404):
        application_detail("A2026110001", principal=Staff(personas["audrey"]))


def test_statistics_count_findings_and_verdicts_of_the_last_30_days(personas, book):
    dave = personas["dave"]
    counts = dict(finding_counts(principal=Staff(dave)))
    assert counts.get("MISSING_FIELD", 0) >= 2  # phone and address missing
    assert verdict_counts(principal=Staff(dave)) == {"pass": 2, "fail": 1}
    # an old check is not counted
    GateCheck.objects.filter(policy=book["failed"]).update(
        checked_at=timezone.now() - timedelta(days=31)
    )
    assert "MISSING_FIELD" not in dict(finding_counts(principal=Staff(dave)))
    assert verdict_counts(principal=Staff(dave)) == {"pass": 2, "fail": 0}
    # an agent's statistics cover only their own book
    assert verdict_counts(principal=Staff(personas["alice"])) == {"pass": 1, "fail": 0}
