"""The fast verification gives the result the plain one gave: the same bytes hashed
(``chain.body`` is the JSON it replaced), the same problems, in batches, with progress."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.audit.tampering import raw
from veracity.audit.chain import body, event_hash, json_int, stamp
from veracity.audit.models import GENESIS_HASH, AuditEvent
from veracity.audit.services import (
    Actor,
    ChainReport,
    Event,
    _copy_field,
    _sqlite_stamp,
    audit_record_many,
    audit_verify,
)

# --- the hashed bytes --------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
NUMBERS = st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1)


def reference_body(seq, occurred_at, actor_id, actor, action, otype, oid, cid, purpose, ip, detail):
    """What the chain hashed before ``chain.body``: ``json.dumps`` of the list."""
    return json.dumps(
        [seq, stamp(occurred_at), actor_id, actor, action, otype, oid, cid, purpose, ip, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=2**63 - 1),
    occurred_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    actor_id=NUMBERS,
    customer_id=NUMBERS,
    texts=st.lists(TEXT, min_size=7, max_size=7),
)
def test_body_is_the_json_it_replaced(seq, occurred_at, actor_id, customer_id, texts):
    actor, action, otype, oid, purpose, ip, detail = texts
    expected = reference_body(
        seq, occurred_at, actor_id, actor, action, otype, oid, customer_id, purpose, ip, detail
    )
    got = body(
        seq,
        stamp(occurred_at),
        json_int(actor_id),
        actor,
        action,
        otype,
        oid,
        json_int(customer_id),
        purpose,
        ip,
        detail,
    )
    assert got == expected
    assert (
        event_hash(
            prev_hash="a" * 64,
            seq=seq,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor=actor,
            action=action,
            object_type=otype,
            object_id=oid,
            customer_id=customer_id,
            purpose=purpose,
            ip=ip,
            detail=detail,
        )
        == hashlib.sha256(("a" * 64 + expected).encode()).hexdigest()
    )


@pytest.mark.parametrize(
    ("stored", "hashed"),
    [
        ("2026-11-27 07:28:00.123456", "2026-11-27T07:28:00.123456Z"),
        ("2026-11-27 07:28:00", "2026-11-27T07:28:00.000000Z"),
        ("2026-11-27T07:28:00+08:00", "2026-11-26T23:28:00.000000Z"),
        ("2026-11-27 07:28:00.5", "2026-11-27T07:28:00.500000Z"),
        ("not a time", None),
        (None, None),
    ],
)
def test_sqlite_times_as_hashed(stored, hashed):
    assert _sqlite_stamp(stored) == hashed


@pytest.mark.parametrize(
    ("copied", "value"),
    [
        ("\\N", None),
        ("plain", "plain"),
        ("a\\tb\\nc\\rd", "a\tb\nc\rd"),
        ("\\b\\f\\v", "\b\f\v"),
        ("back\\\\slash", "back\\slash"),
        ("\\\\N", "\\N"),
    ],
)
def test_copy_text_fields(copied, value):
    assert _copy_field(copied) == value


# --- the same result as the plain verification --------------------------------------------------

NASTY = [
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\",
    'a "quoted" word',
    "\b\f\v\x01\x1f\x7f",
    "客户服务查询 😀",
    "",
    "\u2028\u2029",
    "a\\tb",
]


def reference_verify(max_problems: int = 50) -> ChainReport:
    """The plain verification: every row through the ORM, hashed by ``event_hash``."""
    problems: list[str] = []
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    for row in AuditEvent.objects.order_by("seq").iterator():
        count += 1
        if row.seq != expected_seq:
            problems.append(f"seq {expected_seq}..{row.seq - 1} missing (deleted rows)")
        if row.prev_hash != prev:
            problems.append(f"seq {row.seq}: link to previous event broken")
        digest = event_hash(
            prev_hash=row.prev_hash,
            seq=row.seq,
            occurred_at=row.occurred_at,
            actor_id=row.actor_id,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            customer_id=row.customer_id,
            purpose=row.purpose,
            ip=row.ip,
            detail=row.detail,
        )
        if digest != row.hash:
            problems.append(f"seq {row.seq}: content does not match its hash (altered)")
        prev, expected_seq = row.hash, row.seq + 1
        if len(problems) >= max_problems:
            break
    return ChainReport(
        ok=not problems,
        events=count,
        head_seq=expected_seq - 1,
        head_hash=prev,
        problems=tuple(problems),
    )


def record_nasty() -> None:
    for i, text in enumerate(NASTY):
        audit_record_many(
            actor=Actor(label=f"u{text}", user_id=i or None, ip=text[:45]),
            events=[
                Event(
                    action="view_personal_data",
                    object_type=text[:60],
                    object_id=text,
                    customer_id=None if i % 3 else i,
                    purpose=text,
                    detail={"text": text, "名": [text, i]} if i % 2 else {},
                ),
                Event(action="login", purpose=text, detail={"raw": text}),
            ],
        )


@pytest.mark.django_db
def test_awkward_text_verifies_on_this_database():
    record_nasty()
    report = audit_verify()
    assert report.ok, report.problems
    assert report == reference_verify()
    assert report.events == 2 * len(NASTY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE audit_auditevent SET purpose = %s WHERE seq = %s", ["tab\tthere", 5]),
        ("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["back\\\\slash", 8]),
        ("UPDATE audit_auditevent SET customer_id = %s WHERE seq = %s", [42, 3]),
        ("UPDATE audit_auditevent SET actor_id = NULL WHERE seq = %s", [4]),
        ("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = %s", ["b" * 64, 6]),
        ("UPDATE audit_auditevent SET hash = %s WHERE seq = %s", ["c" * 64, 6]),
        ("DELETE FROM audit_auditevent WHERE seq IN (%s, %s)", [1, 2]),
        ("DELETE FROM audit_auditevent WHERE seq BETWEEN %s AND %s", [7, 9]),
        ("DELETE FROM audit_auditevent WHERE seq = %s", [12]),
    ],
)
def test_same_problems_as_the_plain_verification(sql, params):
    record_nasty()
    raw(sql, params)
    report = audit_verify()
    assert not report.ok
    assert report == reference_verify()


@pytest.mark.django_db
def test_batches_and_progress():
    audit_record_many(actor=Actor.system("t"), events=[Event(action="login")] * 7)
    calls: list[tuple[int, int]] = []
    report = audit_verify(batch_size=3, progress=lambda n, seq: calls.append((n, seq)))
    assert calls == [(3, 3), (6, 6), (7, 7)]
    assert report == audit_verify() == reference_verify()
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [4])
    assert audit_verify(batch_size=3) == reference_verify()


@pytest.mark.django_db
def test_stops_at_max_problems_and_leaves_the_connection_usable():
    audit_record_many(actor=Actor.system("t"), events=[Event(action="login")] * 30)
    raw("UPDATE audit_auditevent SET actor = %s WHERE seq > %s", ["mallory", 10])
    report = audit_verify(max_problems=5)
    assert report == reference_verify(max_problems=5)
    assert len(report.problems) == 5 and report.events == 15
    assert AuditEvent.objects.count() == 30  # the next query on the connection works


@pytest.mark.django_db
def test_whole_second_times(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC))
    audit_record_many(actor=Actor.system("t"), events=[Event(action="login")] * 2)
    monkeypatch.undo()
    assert AuditEvent.objects.get(seq=1).occurred_at.microsecond == 0
    assert audit_verify().ok


@pytest.mark.django_db
def test_empty_chain():
    assert audit_verify() == ChainReport(
        ok=True, events=0, head_seq=0, head_hash=GENESIS_HASH, problems=()
    )


class _FakeResult:
    def __init__(self, status):
        self.status = status

    def get_error_message(self):
        return "boom"


class _FakePgconn:
    """libpq as ``_pg_rows`` sees it, sending the COPY text in the messages given."""

    def __init__(self, messages):
        from psycopg import pq

        self.messages = list(messages)
        self.results = [_FakeResult(pq.ExecStatus.COPY_OUT), _FakeResult(pq.ExecStatus.COMMAND_OK)]

    def send_query(self, sql):
        self.sql = sql

    def get_result(self):
        return self.results.pop(0) if self.results else None

    def get_copy_data(self, async_):
        if not self.messages:
            return -1, b""
        data = self.messages.pop(0)
        return len(data), memoryview(data)


ROWS = [
    [1, "2026-11-27T07:28:00.123456Z", "7", "王芳", "login", "", "", "null", "", "", "", "0", "a"],
    [2, "2026-11-27T07:28:01.000000Z", "null", "a\tb", "x", "", "", "3", "客户", "", "", "a", "b"],
    [3, "2026-11-27T07:28:02.000000Z", "null", "\\N", "y", "", "", "4", "", "", "{}", "b", "c"],
]
TEXT = (
    "1\t2026-11-27T07:28:00.123456Z\t7\t王芳\tlogin\t\t\tnull\t\t\t\t0\ta\n"
    "2\t2026-11-27T07:28:01.000000Z\tnull\ta\\tb\tx\t\t\t3\t客户\t\t\ta\tb\n"
    "3\t2026-11-27T07:28:02.000000Z\tnull\t\\\\N\ty\t\t\t4\t\t\t{}\tb\tc\n"
).encode()


@pytest.mark.parametrize(
    "messages",
    [
        [line + b"\n" for line in TEXT.split(b"\n")[:-1]],  # one row a message, as sent
        [TEXT],  # all in one
        [TEXT[:5], TEXT[5:62], TEXT[62:63], TEXT[63:]],  # split anywhere, even inside 王
        [bytes([b]) for b in TEXT],  # a byte at a time
    ],
)
def test_copy_messages_are_reassembled(monkeypatch, messages):
    from veracity.audit import services

    fake = _FakePgconn(messages)

    class Connection:
        connection = type("Raw", (), {"pgconn": fake})()

        def ensure_connection(self):
            pass

    monkeypatch.setattr(services, "connection", Connection())
    rows = [row for batch in services._pg_rows(0, 10) for row in batch]
    assert rows == ROWS
    assert b"seq > 0 ORDER BY seq LIMIT 10" in fake.sql
    assert fake.results == []  # the statement's results were collected
