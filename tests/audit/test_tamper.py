"""Tampering with the trail behind the application's back is found by ``veracity audit
verify``: it exits non-zero and names the seq. A cut-off tail, or a chain rewritten with
fresh hashes, is found only against an anchor written earlier."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.audit.tampering import raw, rewrite_from
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor, Event, audit_record_many

pytestmark = pytest.mark.django_db


def record(n: int, start: int = 0) -> None:
    audit_record_many(
        actor=Actor(label="sam", user_id=7, ip="10.0.0.7"),
        events=[
            Event(
                action=Action.VIEW_PERSONAL_DATA,
                object_type="customer",
                object_id=str(i),
                customer_id=i,
                purpose="customer_service",
                detail={"fields": ["name", "phone"], "i": i},
            )
            for i in range(start, start + n)
        ],
    )


def verify(*args: str) -> tuple[int, str, dict]:
    """``veracity audit verify``: (exit code, error message, the JSON it printed)."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, str(exc), json.loads(out.getvalue() or "{}")
    return 0, "", json.loads(out.getvalue())


def anchor(tmp_path, name: str = "anchor.json") -> str:
    path = tmp_path / name
    call_command("audit", "anchor", "--out", str(path), stdout=io.StringIO())
    return str(path)


def test_intact_chain_passes_and_the_verification_is_recorded():
    record(5)
    code, _message, printed = verify()
    assert code == 0 and printed["ok"] and printed["events"] == 5 and printed["head_seq"] == 5
    event = AuditEvent.objects.get(seq=6)
    assert event.action == Action.AUDIT_VERIFY and event.actor.startswith("system:cli:")
    detail = json.loads(event.detail)
    assert detail["ok"] is True and detail["events"] == 5 and detail["via"] == "cli"


def test_altered_detail_is_found():
    record(5)
    raw("UPDATE audit_auditevent SET detail = %s WHERE seq = %s", ['{"fields":["name"]}', 3])
    code, message, printed = verify()
    assert code != 0
    assert "seq 3: content does not match its hash (altered)" in message
    assert printed["problems"] == ["seq 3: content does not match its hash (altered)"]
    recorded = json.loads(AuditEvent.objects.get(seq=6).detail)
    assert recorded["ok"] is False and recorded["problems"] == printed["problems"]


def test_altered_time_is_found():
    record(5)
    moved = AuditEvent.objects.get(seq=2).occurred_at - timedelta(hours=1)
    raw(
        "UPDATE audit_auditevent SET occurred_at = %s WHERE seq = %s",
        [connection.ops.adapt_datetimefield_value(moved), 2],
    )
    code, message, _printed = verify()
    assert code != 0 and "seq 2: content does not match its hash" in message


def test_deleted_middle_row_is_found():
    record(5)
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    code, message, printed = verify()
    assert code != 0
    assert "seq 3..3 missing (deleted rows)" in message
    assert "seq 4: link to previous event broken" in printed["problems"]


def test_inserted_row_is_found():
    record(3)
    row = AuditEvent.objects.get(seq=3)
    raw(
        "INSERT INTO audit_auditevent (seq, occurred_at, actor_id, actor, action, object_type, "
        "object_id, customer_id, purpose, ip, detail, prev_hash, hash) "
        "VALUES (%s, %s, NULL, 'mallory', 'login', '', '', NULL, '', '', '', %s, %s)",
        [10, row.occurred_at, row.hash, "f" * 64],
    )
    code, message, _printed = verify()
    assert code != 0 and "seq 4..9 missing" in message and "seq 10: content" in message


def test_deleted_tail_is_found_only_against_an_anchor(tmp_path):
    record(5)
    anchored = anchor(tmp_path)
    raw("DELETE FROM audit_auditevent WHERE seq >= %s", [4])
    # without the anchor the shortened chain looks whole: that is why heads are anchored
    code, _message, printed = verify()
    assert code == 0 and printed["head_seq"] == 3
    code, message, printed = verify("--anchor", anchored)
    assert code != 0
    assert "anchored head seq 5 is missing" in message
    assert "ends at seq 4" in message  # 4: the verification just recorded
    assert printed["anchors"] == 1


def test_truncated_then_extended_chain_is_found_against_an_anchor(tmp_path):
    record(5)
    anchored = anchor(tmp_path)
    raw("DELETE FROM audit_auditevent WHERE seq >= %s", [4])
    record(4, start=100)  # new events take seq 4.. again, chained to the cut-off end
    assert verify()[0] == 0
    code, message, _printed = verify("--anchor", anchored)
    assert code != 0 and "anchored head seq 5 differs from the chain (rewritten)" in message


def test_rewritten_chain_is_found_only_against_an_anchor(tmp_path):
    record(5)
    anchored = anchor(tmp_path)
    rewrite_from(2, purpose="marketing")
    assert verify()[0] == 0  # every hash recomputed: the chain itself is consistent
    code, message, _printed = verify("--anchor", anchored)
    assert code != 0 and "seq 5" in message and "rewritten" in message


def test_every_anchor_of_a_directory_is_checked(tmp_path):
    record(2)
    anchor(tmp_path, "2026-11-25.json")
    record(2)
    anchor(tmp_path, "2026-11-26.json")
    record(2)
    code, _message, printed = verify("--anchor", str(tmp_path))
    assert code == 0 and printed["anchors"] == 2
    rewrite_from(3, actor="mallory")
    code, message, _printed = verify("--anchor", str(tmp_path))
    assert code != 0
    assert "2026-11-26.json: anchored head seq 4 differs" in message
    assert "2026-11-25.json" not in message  # seq 2 is before the rewrite


def test_expect_head_still_works():
    record(3)
    head = AuditEvent.objects.get(seq=3).hash
    assert verify("--expect-head", f"3:{head}")[0] == 0
    code, message, _printed = verify("--expect-head", f"3:{'0' * 64}")
    assert code != 0 and "seq 3" in message
    with pytest.raises(CommandError, match="expected SEQ:HASH"):
        call_command("audit", "verify", "--expect-head", "three", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_veracity_command_exits_non_zero(capsys):
    """Through the console entry point, as an operator runs it: the exit status."""
    from veracity.cli import main

    record(4)
    raw("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["mallory", 2])
    with pytest.raises(SystemExit) as exited:
        main(["veracity", "audit", "verify"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "seq 2: content does not match its hash (altered)" in err
    main(["veracity", "audit", "head"])  # prints, exits normally
    assert json.loads(capsys.readouterr().out) == {
        "seq": 5,
        "hash": AuditEvent.objects.get(seq=5).hash,
    }
