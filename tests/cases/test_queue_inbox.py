"""The work queue as an inbox: counts per stage (the tabs), assignee names, saved filters."""

from __future__ import annotations

from datetime import date

import pytest

from veracity.audit.models import Action, AuditEvent
from veracity.cases import services as cs
from veracity.cases.models import SavedQueueFilter
from veracity.cases.policy import CaseError
from veracity.cases.selectors import queue_filters_of, queue_tabs, work_queue
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db


def test_the_tabs_count_each_stage_of_the_queue(item, personas):
    sam, carol = personas["sam"], personas["carol"]
    tabs = queue_tabs(principal=Staff(sam))
    assert (tabs.by_stage["new"], tabs.total) == (1, 1)
    assert AuditEvent.objects.filter(actor="sam").count() == 0  # counts only: not audited
    cs.problem_item_distribute(
        principal=Staff(sam), item_id=item.pk, channel="agency", as_of=date(2026, 9, 30)
    )
    # distributed: out of customer service's queue, into the channel's
    assert queue_tabs(principal=Staff(sam)).total == 0
    carols = queue_tabs(principal=Staff(carol))
    assert (carols.by_stage["distributed"], carols.total) == (1, 1)
    cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    assert queue_tabs(principal=Staff(carol)).by_stage == {
        "new": 0,
        "distributed": 0,
        "investigating": 1,
        "submitted": 0,
        "returned": 0,
        "verified": 0,
    }
    # the other filters narrow the counts as they narrow the list
    assert queue_tabs(principal=Staff(carol), rule="SHARED_ACCOUNT").total == 0
    assert queue_tabs(principal=Staff(carol), rule="SHARED_PHONE").total == 1


def test_the_tabs_count_the_late_new_items(item, personas):
    from datetime import datetime, time

    from django.utils import timezone

    created = datetime.combine(date(2026, 9, 22), time(9), tzinfo=timezone.get_current_timezone())
    type(item).objects.filter(pk=item.pk).update(created_at=created)
    early = queue_tabs(principal=Staff(personas["sam"]), as_of=date(2026, 9, 23))
    late = queue_tabs(principal=Staff(personas["sam"]), as_of=date(2026, 9, 24))
    assert (early.undistributed_overdue, late.undistributed_overdue) == (0, 1)


def test_the_queue_names_the_investigator(item, personas):
    carol = personas["carol"]
    carol.first_name, carol.last_name = "丽", "陈"
    carol.save()
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    [row] = work_queue(principal=with_purpose(Staff(carol), "t")).items
    assert row.assignee == "carol"  # the login stays for the API
    assert row.assignee_name == carol.get_full_name() and row.assignee_name != "carol"


# --- saved filters ----------------------------------------------------------------------------


def test_a_saved_filter_is_kept_per_person_and_replaced_by_name(personas):
    sam, dave = Staff(personas["sam"]), Staff(personas["dave"])
    saved = cs.queue_filter_save(
        principal=sam, name=" 代理渠道新件 ", query={"stage": "new", "channel": "agency", "x": "y"}
    )
    assert (saved.name, saved.query) == ("代理渠道新件", {"stage": "new", "channel": "agency"})
    again = cs.queue_filter_save(principal=sam, name="代理渠道新件", query={"stage": "submitted"})
    assert again.pk == saved.pk and again.query == {"stage": "submitted"}
    cs.queue_filter_save(principal=dave, name="代理渠道新件", query={"rule": "SHARED_PHONE"})
    assert [(f.name, f.query) for f in queue_filters_of(principal=sam)] == [
        ("代理渠道新件", {"stage": "submitted"})
    ]
    assert [f.query for f in queue_filters_of(principal=dave)] == [{"rule": "SHARED_PHONE"}]


@pytest.mark.parametrize(
    ("name", "query", "code", "field"),
    [
        ("", {"stage": "new"}, "required", "filter_name"),
        ("x" * 61, {"stage": "new"}, "too_long", "filter_name"),
        ("ok", {"stage": "closed"}, "filter_value", "stage"),
        ("ok", {"rule": "NOPE"}, "filter_value", "rule"),
        ("ok", {"channel": "moon"}, "filter_value", "channel"),
        ("ok", {"seller": "A\x00B"}, "filter_value", "seller"),
    ],
)
def test_a_bad_filter_is_refused_by_field(personas, name, query, code, field):
    with pytest.raises(CaseError) as refused:
        cs.queue_filter_save(principal=Staff(personas["sam"]), name=name, query=query)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message_zh and refused.value.message_en
    assert not SavedQueueFilter.objects.exists()


def test_at_most_twenty_filters(personas):
    sam = Staff(personas["sam"])
    for n in range(cs.MAX_SAVED_FILTERS):
        cs.queue_filter_save(principal=sam, name=f"f{n}", query={})
    with pytest.raises(CaseError) as refused:
        cs.queue_filter_save(principal=sam, name="one more", query={})
    assert refused.value.code == "filters_full"
    # replacing one still works
    cs.queue_filter_save(principal=sam, name="f0", query={"stage": "new"})
    assert SavedQueueFilter.objects.count() == cs.MAX_SAVED_FILTERS


def test_nobody_deletes_anothers_filter(personas):
    saved = cs.queue_filter_save(principal=Staff(personas["sam"]), name="mine", query={})
    with pytest.raises(CaseError) as refused:
        cs.queue_filter_delete(principal=Staff(personas["dave"]), filter_id=saved.pk)
    assert refused.value.code == "not_found"
    assert SavedQueueFilter.objects.filter(pk=saved.pk).exists()
    event = AuditEvent.objects.get(action=Action.ACCESS_REFUSED, actor="dave")
    assert (event.object_type, event.object_id) == ("saved_queue_filter", str(saved.pk))
    cs.queue_filter_delete(principal=Staff(personas["sam"]), filter_id=saved.pk)
    assert not SavedQueueFilter.objects.exists()
