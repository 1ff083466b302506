"""The auditor's home figures: the chain's state and the refused attempts per day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from veracity.audit import figures
from veracity.audit.models import Action, ChainVerification
from veracity.audit.services import Actor, Event, audit_record
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def refuse(n: int) -> None:
    for _ in range(n):
        audit_record(actor=Actor.system("t"), event=Event(action=Action.ACCESS_REFUSED))


def test_refused_attempts_per_day_for_the_trail_readers(personas):
    refuse(3)
    audit_record(actor=Actor.system("t"), event=Event(action=Action.LOGIN))
    today = timezone.localdate()
    days = figures.refused_by_day(principal=Staff(personas["audrey"]), today=today)
    assert [d for d, _n in days] == [today - timedelta(days=6 - i) for i in range(7)]
    assert days[-1][1] == 3 and sum(n for _d, n in days) == 3
    yesterday = figures.refused_by_day(
        principal=Staff(personas["audrey"]), today=today - timedelta(days=1)
    )
    assert sum(n for _d, n in yesterday) == 0
    assert figures.refused_by_day(principal=Staff(personas["dave"])) == []


def test_chain_status(personas):
    audrey = Staff(personas["audrey"])
    refuse(2)
    never = figures.chain_status(principal=audrey)
    assert never is not None and (never.ok, never.events, never.unverified) == (None, 2, 2)
    now = timezone.now()
    ChainVerification.objects.create(
        requested_by="audrey",
        requested_at=now,
        updated_at=now,
        finished_at=now,
        status=ChainVerification.Status.DONE,
        ok=True,
        checked=2,
        head_seq=2,
    )
    refuse(1)
    done = figures.chain_status(principal=audrey)
    assert done is not None and (done.ok, done.events, done.unverified, done.running) == (
        True,
        3,
        1,
        False,
    )
    assert figures.chain_status(principal=Staff(personas["george"])) is None
