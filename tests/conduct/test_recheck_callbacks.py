"""SD-4: the second callbacks of a re-check item while it is open — each result recorded is
a step of the item's timeline, in words on the item's page — and none on a closed item
(refused, nothing changed), on the page, through the service and through the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.conduct.test_recheck import verified
from tests.detection.test_rules import apply, person, run
from veracity.access.models import ApiClient
from veracity.audit.models import AuditEvent
from veracity.cases.models import CaseStep, ProblemItem
from veracity.cases.selectors import case_detail
from veracity.conduct.callbacks import CallbackError, callback_record, callbacks_of_item
from veracity.conduct.models import RecheckCallback
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def recheck(personas, sellers):
    """A re-check item of AG17 with the second callbacks of its two policies."""
    apply("M1", person("客户甲", "1980-01-01", phones=["13700000001"]), seller="AG17")
    apply("M2", person("客户丙", "1981-01-01", phones=["13700000002"]), seller="AG17")
    verified("T1", date(2026, 1, 5), seller=sellers["AG17"])
    verified("T3", date(2026, 12, 1), seller=sellers["AG17"])
    run(date(2026, 12, 2))
    [item] = ProblemItem.objects.filter(rule="REPEAT_MISSELLING")
    return item


def _close(item: ProblemItem) -> None:
    # how an item is closed is the cases' business (tests/cases); here only its state matters
    ProblemItem.objects.filter(pk=item.pk).update(
        status=ProblemItem.Status.CLOSED, stage="closed", closed_on=timezone.localdate()
    )


def _callbacks(item: ProblemItem) -> list[tuple]:
    return list(
        RecheckCallback.objects.filter(item=item)
        .order_by("pk")
        .values_list("result", "note", "called_by_id", "called_at")
    )


def _nothing_changed_since(item: ProblemItem, callbacks: list[tuple], steps: int) -> None:
    assert _callbacks(item) == callbacks
    assert CaseStep.objects.filter(item=item).count() == steps


def test_each_result_recorded_is_on_the_timeline(personas, recheck):
    sam = Staff(personas["sam"])
    first, second = callbacks_of_item(recheck.pk)
    callback_record(
        item_id=recheck.pk, policy_no=first.policy_no, result="not_reached", principal=sam
    )
    callback_record(
        item_id=recheck.pk,
        policy_no=first.policy_no,
        result="data_confirmed",
        note="客户确认电话无误",
        principal=sam,
    )
    callback_record(
        item_id=recheck.pk, policy_no=second.policy_no, result="misselling_confirmed", principal=sam
    )
    steps = list(CaseStep.objects.filter(item=recheck, action="callback").order_by("at", "pk"))
    assert [(s.detail["policy_no"], s.detail["result"]) for s in steps] == [
        (first.policy_no, "not_reached"),
        (first.policy_no, "data_confirmed"),
        (second.policy_no, "misselling_confirmed"),
    ]
    assert all(s.actor == personas["sam"] and s.note == "" for s in steps)
    # the item's view (page and API) carries them
    view = case_detail(recheck.pk, principal=sam)
    assert [s.action for s in view.steps].count("callback") == 3


@pytest.mark.parametrize("who", ["sam", "mona"])
def test_no_callback_on_a_closed_item(personas, recheck, who):
    sam = Staff(personas["sam"])
    first, second = callbacks_of_item(recheck.pk)
    callback_record(item_id=recheck.pk, policy_no=first.policy_no, result="reached", principal=sam)
    _close(recheck)
    callbacks = _callbacks(recheck)
    steps = CaseStep.objects.filter(item=recheck).count()
    audit = AuditEvent.objects.count()
    for policy_no in (first.policy_no, second.policy_no):
        with pytest.raises(CallbackError) as refused:
            callback_record(
                item_id=recheck.pk,
                policy_no=policy_no,
                result="data_corrected",
                note="改正",
                principal=Staff(personas[who]),
            )
        assert refused.value.code == "closed"
        assert refused.value.status == 409
    _nothing_changed_since(recheck, callbacks, steps)
    assert AuditEvent.objects.count() == audit


def test_the_page_shows_the_results_in_words_and_refuses_a_closed_item(client, personas, recheck):
    first, _ = callbacks_of_item(recheck.pk)
    client.force_login(personas["sam"])
    url = f"/problems/{recheck.pk}/callbacks/record/"
    done = client.post(url, {"policy_no": first.policy_no, "result": "data_corrected"})
    assert done.status_code == 302
    page = client.get(f"/problems/{recheck.pk}/").content.decode()
    timeline = page[page.index('id="case-timeline"') :]
    assert "已登记回访结果" in timeline
    assert f"保单: {first.policy_no}" in timeline and "结果: 客户资料已更正" in timeline
    assert "data_corrected" not in timeline
    assert 'class="inline-form callback-form"' in page
    _close(recheck)
    # a closed item shows its callbacks without the forms …
    closed = client.get(f"/problems/{recheck.pk}/").content.decode()
    assert 'id="recheck-callbacks"' in closed and "callback-form" not in closed
    # … and a posted one is refused in words, nothing changed
    callbacks = _callbacks(recheck)
    steps = CaseStep.objects.filter(item=recheck).count()
    refused = client.post(url, {"policy_no": first.policy_no, "result": "reached"}, follow=True)
    assert "该问题件已关闭，不能再登记回访结果" in refused.content.decode()
    _nothing_changed_since(recheck, callbacks, steps)


def test_the_api_refuses_a_closed_item(client, personas, recheck):
    made, token = ApiClient.issue(name="cs-desk", system="core")
    made.designated_user = personas["sam"]
    made.save(update_fields=["designated_user"])
    first, _ = callbacks_of_item(recheck.pk)
    _close(recheck)
    callbacks = _callbacks(recheck)
    steps = CaseStep.objects.filter(item=recheck).count()
    response = client.post(
        f"/api/v1/problem-items/{recheck.pk}/callbacks/{first.policy_no}",
        {"result": "reached"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "closed"
    _nothing_changed_since(recheck, callbacks, steps)
