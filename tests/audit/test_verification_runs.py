"""A verification asked for in the auditor's pages runs as a job: one at a time, claimed
once, progress written, the result on the run and in the trail (``AUDIT_VERIFY``)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.audit.tampering import raw
from veracity.audit import services
from veracity.audit.models import Action, AuditEvent, ChainVerification
from veracity.audit.services import (
    Actor,
    Event,
    audit_record_many,
    audit_verification_request,
    audit_verification_run,
)

pytestmark = pytest.mark.django_db

AUDREY = Actor(label="audrey", user_id=9, ip="10.0.0.5")


@pytest.fixture
def trail():
    audit_record_many(actor=Actor.system("t"), events=[Event(action="login")] * 12)


def test_request_runs_the_job_after_commit(trail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, started = audit_verification_request(actor=AUDREY)
    assert started and run.target_seq == 12
    run.refresh_from_db()
    assert run.status == ChainVerification.Status.DONE and run.ok is True
    assert run.events == run.checked == 12 and run.head_seq == 12 and run.percent == 100
    assert run.started_at and run.finished_at and run.problems == []
    event = AuditEvent.objects.get(seq=run.audit_seq)
    assert event.action == Action.AUDIT_VERIFY
    assert (event.actor, event.actor_id, event.ip) == ("audrey", 9, "10.0.0.5")
    assert event.object_id == str(run.pk) and event.purpose == "audit"
    detail = json.loads(event.detail)
    assert detail == {
        "ok": True,
        "events": 12,
        "head_seq": 12,
        "head_hash": run.head_hash,
        "problem_count": 0,
        "problems": [],
        "anchors": 0,
        "via": "web",
    }


def test_a_broken_chain_is_the_result(trail, django_capture_on_commit_callbacks):
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    with django_capture_on_commit_callbacks(execute=True):
        run, _started = audit_verification_request(actor=AUDREY)
    run.refresh_from_db()
    assert run.ok is False
    assert run.problems == [
        "seq 5..5 missing (deleted rows)",
        "seq 6: link to previous event broken",
    ]
    detail = json.loads(AuditEvent.objects.get(seq=run.audit_seq).detail)
    assert detail["ok"] is False and detail["problem_count"] == 2


def test_one_run_at_a_time(trail):
    first, started = audit_verification_request(actor=AUDREY)  # not committed: stays queued
    assert started and first.status == ChainVerification.Status.QUEUED
    again, started = audit_verification_request(actor=Actor(label="admin", user_id=1))
    assert not started and again.pk == first.pk
    assert ChainVerification.objects.count() == 1


def test_a_dead_run_does_not_block_a_new_one(trail):
    dead, _started = audit_verification_request(actor=AUDREY)
    ChainVerification.objects.filter(pk=dead.pk).update(
        status=ChainVerification.Status.RUNNING,
        updated_at=timezone.now() - timedelta(minutes=11),
    )
    fresh, started = audit_verification_request(actor=AUDREY)
    assert started and fresh.pk != dead.pk
    dead.refresh_from_db()
    assert dead.status == ChainVerification.Status.FAILED and "abandoned" in dead.error


def test_a_run_is_claimed_once(trail):
    run, _started = audit_verification_request(actor=AUDREY)
    assert audit_verification_run(run_id=run.pk) is not None
    events = AuditEvent.objects.count()
    assert audit_verification_run(run_id=run.pk) is None  # a repeated delivery of the job
    assert AuditEvent.objects.count() == events


def test_progress_is_written_while_it_runs(trail, monkeypatch):
    seen: list[tuple[str, int]] = []
    verify = services.audit_verify

    def in_batches(**kwargs):
        def progress(checked, last_seq):
            kwargs["progress"](checked, last_seq)
            row = ChainVerification.objects.get()
            seen.append((row.status, row.checked))

        return verify(batch_size=5, progress=progress)

    monkeypatch.setattr(services, "audit_verify", in_batches)
    run, _started = audit_verification_request(actor=AUDREY)
    audit_verification_run(run_id=run.pk)
    assert seen == [("running", 5), ("running", 10), ("running", 12)]


def test_a_failure_is_kept_on_the_run(trail, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "audit_verify", broken)
    run, _started = audit_verification_request(actor=AUDREY)
    with pytest.raises(RuntimeError):
        audit_verification_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ChainVerification.Status.FAILED
    assert run.error == "RuntimeError: disk on fire" and run.finished_at
    assert not run.active
