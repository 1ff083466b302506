"""Reading the trail: only its readers see it; filters; keyset pages; the head."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veracity.audit.models import GENESIS_HASH, AuditEvent
from veracity.audit.selectors import (
    TrailFilter,
    trail_head,
    trail_page,
    trail_rows,
    visible_to,
)
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    audit_record_many(
        actor=Actor(label="sam", user_id=3),
        events=[Event(action="view_personal_data", customer_id=i % 4) for i in range(1, 24)],
    )


@pytest.mark.parametrize("username", ["alice", "sam", "dave", "ivan", "mona", "george"])
def test_the_trail_is_invisible_to_all_but_its_readers(personas, events, username):
    user = personas[username]
    assert not visible_to(principal=Staff(user), action="audit.read").exists()
    assert trail_page(TrailFilter(), principal=Staff(user)).events == []
    assert list(trail_rows(TrailFilter(), principal=Staff(user))) == []


@pytest.mark.parametrize("username", ["audrey", "admin"])
def test_readers_see_it_all(personas, events, username):
    assert visible_to(principal=Staff(personas[username]), action="audit.read").count() == 23


def test_pages_walk_both_ways(personas, events):
    audrey = personas["audrey"]
    page = trail_page(TrailFilter(), principal=Staff(audrey), size=10)
    assert [e.seq for e in page.events] == list(range(23, 13, -1))
    assert (page.newer, page.older) == (None, 14)
    page = trail_page(TrailFilter(), principal=Staff(audrey), before=14, size=10)
    assert [e.seq for e in page.events] == list(range(13, 3, -1))
    assert (page.newer, page.older) == (13, 4)
    page = trail_page(TrailFilter(), principal=Staff(audrey), before=4, size=10)
    assert [e.seq for e in page.events] == [3, 2, 1] and (page.newer, page.older) == (3, None)
    page = trail_page(TrailFilter(), principal=Staff(audrey), after=3, size=10)
    assert [e.seq for e in page.events] == list(range(13, 3, -1))
    assert (page.newer, page.older) == (13, 4)
    page = trail_page(TrailFilter(), principal=Staff(audrey), after=13, size=10)
    assert [e.seq for e in page.events] == list(range(23, 13, -1)) and page.newer is None
    # past either end: the newest page, or an empty one
    assert trail_page(TrailFilter(), principal=Staff(audrey), after=99, size=10).events[0].seq == 23
    assert trail_page(TrailFilter(), principal=Staff(audrey), before=1, size=10).events == []


def test_filtered_pages(personas, events):
    flt = TrailFilter(customer_id=2)
    page = trail_page(flt, principal=Staff(personas["audrey"]), size=3)
    assert [e.seq for e in page.events] == [22, 18, 14] and page.older == 14
    page = trail_page(flt, principal=Staff(personas["audrey"]), before=14, size=3)
    assert [e.seq for e in page.events] == [10, 6, 2] and page.older is None


def test_time_range_is_half_open(personas, events):
    at = AuditEvent.objects.get(seq=1).occurred_at  # one batch: one time
    audrey = personas["audrey"]
    assert len(trail_page(TrailFilter(since=at), principal=Staff(audrey)).events) == 23
    assert trail_page(TrailFilter(until=at), principal=Staff(audrey)).events == []


def test_export_rows_are_oldest_first_in_chunks(personas, events):
    rows = list(trail_rows(TrailFilter(actor="sam"), principal=Staff(personas["audrey"]), chunk=5))
    assert [r[0] for r in rows] == list(range(1, 24))


def test_filter_as_recorded():
    flt = TrailFilter(
        actor="sam",
        customer_id=7,
        since=datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert flt.as_detail() == {
        "actor": "sam",
        "customer_id": 7,
        "since": "2026-11-01T00:00:00+00:00",
    }
    assert TrailFilter().as_detail() == {}


def test_head(events):
    head = trail_head()
    last = AuditEvent.objects.get(seq=23)
    assert (head.seq, head.hash) == (23, last.hash) and head.stamp.endswith("Z")


def test_head_of_an_empty_trail():
    head = trail_head()
    assert (head.seq, head.hash, head.stamp) == (0, GENESIS_HASH, "")
