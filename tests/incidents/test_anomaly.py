"""The anomaly signal: distinct customer files read per user and day, from the audit trail;
over the threshold or five times one's usual raises one incident candidate per (user, day)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.incidents.anomaly import anomaly_catch_up, anomaly_scan, files_read_on
from veracity.incidents.models import FileReadCount, FileReadDay, LeakIncident
from veracity.incidents.services import IncidentError, incident_move
from veracity.incidents.tasks import anomaly_daily
from veracity.notify.models import Notification

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test:anomaly")


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def at(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def reads(user, when, customer_ids, action="view_personal_data"):
    """Audit events of ``user`` reading ``customer_ids``, written as if at ``when``."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        audit_record_many(
            actor=Actor.of(user, "10.0.0.9"),
            events=[
                Event(action=action, object_type="customer", customer_id=c, purpose="t")
                for c in customer_ids
            ],
        )


def usual_days(user, days, files):
    """``files`` distinct files a day on each of ``days`` days before yesterday."""
    for back in range(days, 0, -1):
        reads(user, at(yesterday() - timedelta(days=back)), range(1, files + 1))


def test_counts_distinct_customer_files_of_the_reading_actions_only(personas):
    alice, sam = personas["alice"], personas["sam"]
    day = yesterday()
    reads(alice, at(day, 9), [1, 2, 3, 3, 3])  # the same file thrice is one file
    reads(alice, at(day, 11), [3, 4], action="unmask")
    reads(alice, at(day, 12), [5], action="search_personal_data")
    reads(alice, at(day, 13), [6, 7], action="create")  # not a read
    reads(alice, at(day, 0, 0), [8])  # the first minute of the day counts
    reads(alice, at(day - timedelta(days=1), 23, 59), [9])  # the day before does not
    reads(alice, at(day + timedelta(days=1), 0, 0), [10])  # nor today
    reads(sam, at(day, 10), [1, 2])
    audit_record_many(  # a read that names no customer file
        actor=Actor.of(sam), events=[Event(action="search_personal_data", object_type="customer")]
    )
    assert files_read_on(day) == {alice.pk: 6, sam.pk: 2}


def test_above_the_threshold_raises_a_candidate_and_tells_the_information_manager(personas):
    alice, carol = personas["alice"], personas["carol"]
    reads(alice, at(yesterday()), range(1, 202))  # 201 distinct files: above 200
    reads(carol, at(yesterday()), range(1, 201))  # exactly 200: not above
    [candidate] = anomaly_scan(day=yesterday(), actor=SYSTEM)
    assert candidate.status == "candidate" and candidate.source == "anomaly"
    assert candidate.reported_by is None
    assert (candidate.anomaly_user, candidate.anomaly_day, candidate.anomaly_files) == (
        alice,
        yesterday(),
        201,
    )
    assert "alice" in candidate.description and "201" in candidate.description
    [note] = Notification.objects.all()
    assert note.recipient == personas["ivan"] and note.kind == "incident_candidate"
    assert note.link == f"/incidents/{candidate.pk}/"
    event = AuditEvent.objects.filter(action="incident").get()
    assert event.actor == "system:test:anomaly"
    assert json.loads(event.detail)["files"] == 201


def test_the_threshold_is_a_setting(personas, settings):
    settings.VERACITY_ANOMALY_FILES_PER_DAY = 10
    reads(personas["alice"], at(yesterday()), range(1, 12))
    reads(personas["carol"], at(yesterday()), range(1, 11))
    assert [c.anomaly_user for c in anomaly_scan(day=yesterday(), actor=SYSTEM)] == [
        personas["alice"]
    ]


@pytest.mark.parametrize(
    ("history_days", "yesterday_files", "raised"),
    [
        (20, 21, True),  # median 4, five times 20: 21 is above
        (20, 20, False),  # 20 is not above five times 4
        (19, 21, False),  # fewer than 20 days: no usual to compare with
        (30, 21, True),
    ],
)
def test_five_times_ones_own_median(personas, history_days, yesterday_files, raised):
    sam = personas["sam"]
    usual_days(sam, history_days, 4)
    reads(sam, at(yesterday()), range(100, 100 + yesterday_files))
    candidates = anomaly_scan(day=yesterday(), actor=SYSTEM)
    assert bool(candidates) is raised
    if raised:
        assert candidates[0].anomaly_median == 4.0
        assert candidates[0].anomaly_files == yesterday_files


def test_days_before_the_30_day_window_are_not_the_baseline(personas):
    sam = personas["sam"]
    for back in range(31, 51):  # 20 quiet days, all older than 30 days
        reads(sam, at(yesterday() - timedelta(days=back)), [1])
    reads(sam, at(yesterday()), range(1, 51))
    assert anomaly_scan(day=yesterday(), actor=SYSTEM) == []


def test_idempotent_per_user_and_day(personas):
    reads(personas["alice"], at(yesterday()), range(1, 202))
    assert len(anomaly_scan(day=yesterday(), actor=SYSTEM)) == 1
    assert anomaly_scan(day=yesterday(), actor=SYSTEM) == []
    assert anomaly_catch_up(today=timezone.localdate(), actor=SYSTEM) == []
    assert LeakIncident.objects.count() == 1
    assert Notification.objects.count() == 1
    assert FileReadCount.objects.filter(day=yesterday()).count() == 1


def test_a_counted_day_is_not_counted_again(personas):
    reads(personas["alice"], at(yesterday()), [1, 2])
    anomaly_scan(day=yesterday(), actor=SYSTEM)
    reads(personas["alice"], at(yesterday(), 23, 59), [3])  # cannot happen; proves no recount
    anomaly_scan(day=yesterday(), actor=SYSTEM)
    assert FileReadCount.objects.get(day=yesterday()).files == 2


def test_a_day_not_over_is_not_counted(personas):
    with pytest.raises(ValueError):
        anomaly_scan(day=timezone.localdate(), actor=SYSTEM)
    assert not FileReadDay.objects.filter(day=timezone.localdate()).exists()


def test_the_daily_job_evaluates_yesterday_and_missed_days(personas):
    reads(personas["alice"], at(yesterday() - timedelta(days=2)), range(1, 202))
    reads(personas["carol"], at(yesterday()), range(1, 202))
    anomaly_daily()  # HUEY is immediate in the tests: this runs the job
    assert {(c.anomaly_user.username, c.anomaly_day) for c in LeakIncident.objects.all()} == {
        ("alice", yesterday() - timedelta(days=2)),
        ("carol", yesterday()),
    }
    anomaly_daily()
    assert LeakIncident.objects.count() == 2
    assert FileReadDay.objects.filter(evaluated_at__isnull=False).count() >= 7


def test_a_candidate_is_accepted_or_dismissed(personas, principal_of):
    reads(personas["alice"], at(yesterday()), range(1, 202))
    reads(personas["carol"], at(yesterday()), range(1, 202))
    first, second = anomaly_scan(day=yesterday(), actor=SYSTEM)
    ivan = personas["ivan"]
    Notification.objects.all().delete()
    accepted = incident_move(incident_id=first.pk, to="reported", principal=principal_of(ivan))
    assert accepted.status == "reported"
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["mona"]
    with pytest.raises(IncidentError) as refused:
        incident_move(incident_id=second.pk, to="dismissed", principal=principal_of(ivan))
    assert refused.value.field == "dismissed_reason"
    assert LeakIncident.objects.get(pk=second.pk).status == "candidate"
    dismissed = incident_move(
        incident_id=second.pk,
        to="dismissed",
        reason="年度续期回访批量作业，经部门负责人确认",
        principal=principal_of(ivan),
    )
    assert dismissed.status == "dismissed" and dismissed.closed_at is not None


def test_the_command_lists_and_scans(personas, capsys):
    reads(personas["alice"], at(yesterday()), range(1, 202))
    call_command("incidents", "scan", "--day", yesterday().isoformat())
    out = json.loads(capsys.readouterr().out)
    [candidate] = LeakIncident.objects.all()
    assert out == {"candidates": [candidate.pk]}
    call_command("incidents", "list")
    listed = capsys.readouterr().out
    assert f"#{candidate.pk}\tcandidate" in listed and "1 incident(s)" in listed
    call_command("incidents", "list", "--json", "--status", "candidate")
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["id"] == candidate.pk and row["reported_by"] == "system"


def test_the_command_refuses_a_bad_day(personas):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("incidents", "scan", "--day", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("incidents", "scan", "--day", timezone.localdate().isoformat())
