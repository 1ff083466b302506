"""The audit trail: chained, gap-free, append-only, verified."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from veracity.audit import guard
from veracity.audit.models import AuditEvent
from veracity.audit.services import Actor, Event, audit_record, audit_record_many, audit_verify

pytestmark = pytest.mark.django_db


def record(n: int) -> None:
    audit_record_many(
        actor=Actor(label="sam", user_id=7, ip="127.0.0.1"),
        events=[
            Event(
                action="view_personal_data",
                object_type="customer",
                object_id=str(i),
                customer_id=i,
                purpose="客户服务查询",
                detail={"i": i, "名": "值"},
            )
            for i in range(n)
        ],
    )


def test_chain_verifies_and_links():
    record(5)
    audit_record(actor=Actor.system("x"), event=Event(action="login"))
    report = audit_verify()
    assert report.ok and report.events == 6 and report.head_seq == 6
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5, 6]
    for prev, row in itertools.pairwise(rows):
        assert row.prev_hash == prev.hash


def _without_guard(sql: str, params: list) -> None:
    """Tamper as someone bypassing the application would: triggers out of the way."""
    with connection.cursor() as cursor:
        drop = guard.SQLITE_DROP if connection.vendor == "sqlite" else guard.POSTGRES_DROP
        for statement in drop:
            cursor.execute(statement)
        cursor.execute(sql, params)


def test_altered_row_is_detected():
    record(4)
    _without_guard("UPDATE audit_auditevent SET purpose = %s WHERE seq = %s", ["营销", 2])
    report = audit_verify()
    assert not report.ok
    assert any("seq 2" in p and "altered" in p for p in report.problems)


def test_deleted_row_is_detected():
    record(4)
    _without_guard("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    report = audit_verify()
    assert not report.ok
    assert any("missing" in p for p in report.problems)


def test_triggers_refuse_update_and_delete():
    record(2)
    guard.PURGE_ALLOWED["value"] = False
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET veracity.allow_audit_purge = 'off'")
        for sql in ("UPDATE audit_auditevent SET actor = 'x'", "DELETE FROM audit_auditevent"):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
    finally:
        guard.PURGE_ALLOWED["value"] = True
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET veracity.allow_audit_purge = 'on'")
    assert AuditEvent.objects.count() == 2


def test_login_and_failed_login_are_audited(client, django_user_model):
    django_user_model.objects.create_user(username="sam", password="pw-sam-123")
    assert client.login(username="sam", password="pw-sam-123")
    client.logout()
    client.login(username="sam", password="wrong")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["login", "logout", "login_failed"]
