"""Tampering as someone with database access would: bypassing the application, with the
append-only triggers out of the way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from veracity.audit import guard
from veracity.audit.chain import event_hash
from veracity.audit.models import AuditEvent


@contextmanager
def triggers_off() -> Iterator[None]:
    """PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER ALL``; SQLite: the triggers dropped (and
    put back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        else:
            for sql in guard.SQLITE_DROP:
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER ALL")
            else:
                for sql in guard.SQLITE_TRIGGERS:
                    cursor.execute(sql)


def raw(sql: str, params: list | None = None) -> None:
    """One statement with the triggers off."""
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def rewrite_from(seq: int, **changes: str) -> None:
    """Change event ``seq`` and recompute every hash from it on: a chain that verifies
    from end to end, and only an anchor taken earlier shows the rewrite."""
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    with triggers_off(), connection.cursor() as cursor:
        for row in rows:
            if row.seq == seq:
                for name, value in changes.items():
                    setattr(row, name, value)
            digest = event_hash(
                prev_hash=prev,
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
            cursor.execute(
                "UPDATE audit_auditevent SET actor = %s, purpose = %s, detail = %s, "
                "prev_hash = %s, hash = %s WHERE seq = %s",
                [row.actor, row.purpose, row.detail, prev, digest, row.seq],
            )
            prev = digest
