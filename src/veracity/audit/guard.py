"""Database triggers that make the audit table append-only.

The triggers are created by a migration. On SQLite the trigger asks a function that only
Veracity's own connections define, ``veracity_audit_purge_allowed()``; on PostgreSQL it reads
the session setting ``veracity.allow_audit_purge``. Purging is never allowed in the product:
only the test-suite switches it on, to empty its database between tests.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver

PURGE_ALLOWED = {"value": False}

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT veracity_audit_purge_allowed()
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
    BEGIN
      IF TG_OP <> 'UPDATE'
         AND coalesce(current_setting('veracity.allow_audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
      END IF;
      RAISE EXCEPTION 'audit events are append-only';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
]


@receiver(connection_created)
def _define_sqlite_guard(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "veracity_audit_purge_allowed",
            0,
            lambda: 1 if PURGE_ALLOWED["value"] else 0,
            deterministic=False,
        )
    elif connection.vendor == "postgresql" and PURGE_ALLOWED["value"]:
        with connection.cursor() as cursor:
            cursor.execute("SET veracity.allow_audit_purge = 'on'")
