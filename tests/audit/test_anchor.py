"""Anchoring the head outside the database: one file a day, written once, never rewritten;
the command; clear errors for files that are not anchors."""

from __future__ import annotations

import io
import json
import stat
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from veracity.audit.anchors import (
    AnchorError,
    audit_anchor_check,
    audit_anchor_read,
    audit_anchor_write,
)
from veracity.audit.models import GENESIS_HASH, AuditEvent
from veracity.audit.services import Actor, Event, audit_record_many

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def record(n: int) -> None:
    audit_record_many(actor=Actor.system("test"), events=[Event(action="login") for _ in range(n)])


def test_daily_task_writes_todays_head_once(var_dir):
    from veracity.audit.tasks import anchor_daily

    record(3)
    anchor_daily.call_local()
    files = list((var_dir / "audit-anchors").iterdir())
    assert len(files) == 1
    from django.utils import timezone

    assert files[0].name == f"{timezone.localdate().isoformat()}.json"
    written = json.loads(files[0].read_text())
    head = AuditEvent.objects.get(seq=3)
    assert written["seq"] == 3 and written["hash"] == head.hash
    assert written["head_time"].endswith("Z") and written["anchored_at"]
    assert not files[0].stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    before = files[0].read_bytes()
    record(2)
    anchor_daily.call_local()  # later the same day: the day's anchor stays as it was
    assert files[0].read_bytes() == before
    assert len(list((var_dir / "audit-anchors").iterdir())) == 1


def test_one_file_per_local_day(var_dir):
    record(1)
    # 2026-11-26 23:30 UTC is already 27 November in Beijing
    path, anchor, written = audit_anchor_write(now=datetime(2026, 11, 26, 23, 30, tzinfo=UTC))
    assert written and path.name == "2026-11-27.json" and anchor.seq == 1
    record(1)
    path, anchor, written = audit_anchor_write(now=datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    assert written and path.name == "2026-11-28.json" and anchor.seq == 2


def test_the_daily_task_is_scheduled_hourly():
    from veracity.audit.tasks import anchor_daily

    assert anchor_daily.task_class().validate_datetime(datetime(2026, 11, 27, 3, 50))
    assert not anchor_daily.task_class().validate_datetime(datetime(2026, 11, 27, 3, 49))


def test_empty_chain_anchors_the_genesis():
    path, anchor, _written = audit_anchor_write()
    assert anchor.seq == 0 and anchor.hash == GENESIS_HASH and anchor.head_time == ""
    assert audit_anchor_check(audit_anchor_read(path)) == []


def test_anchor_command(var_dir):
    record(2)
    out = io.StringIO()
    call_command("audit", "anchor", stdout=out, stderr=io.StringIO())
    printed = json.loads(out.getvalue())
    assert printed["seq"] == 2 and printed["new"] is True
    again, err = io.StringIO(), io.StringIO()
    call_command("audit", "anchor", stdout=again, stderr=err)
    assert json.loads(again.getvalue())["new"] is False and "already" in err.getvalue()
    target = var_dir / "elsewhere" / "head.json"
    call_command("audit", "anchor", "--out", str(target), stdout=io.StringIO())
    assert json.loads(target.read_text())["hash"] == AuditEvent.objects.get(seq=2).hash
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit", "anchor", "--out", str(target), stdout=io.StringIO())


def test_anchor_holds_while_the_chain_grows(tmp_path):
    record(3)
    path, _anchor, _written = audit_anchor_write(out=tmp_path / "a.json")
    record(5)
    assert audit_anchor_check(audit_anchor_read(path)) == []
    out = io.StringIO()
    call_command("audit", "verify", "--anchor", str(path), stdout=out)
    assert json.loads(out.getvalue())["ok"] is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable anchor file"),
        ("[1, 2]", "expected a JSON object"),
        ('{"seq": "3", "hash": "' + "a" * 64 + '"}', "seq must be a whole number"),
        ('{"seq": -1, "hash": "' + "a" * 64 + '"}', "seq must be a whole number"),
        ('{"seq": 3, "hash": "abc"}', "hash must be 64 hexadecimal digits"),
    ],
)
def test_a_file_that_is_not_an_anchor_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(AnchorError, match=message):
        audit_anchor_read(path)
    with pytest.raises(CommandError, match=message):
        call_command("audit", "verify", "--anchor", str(path), stdout=io.StringIO())
    assert not AuditEvent.objects.exists()  # refused before verifying: nothing recorded


def test_missing_anchor_file_and_empty_directory(tmp_path):
    with pytest.raises(CommandError, match="no such anchor file"):
        call_command("audit", "verify", "--anchor", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="no anchor files"):
        call_command("audit", "verify", "--anchor", str(tmp_path))
