"""Database triggers that refuse UPDATE and DELETE on the audit trail."""

from django.db import migrations

from veracity.audit import guard


def create_triggers(apps, schema_editor):
    statements = {
        "sqlite": guard.SQLITE_TRIGGERS,
        "postgresql": guard.POSTGRES_TRIGGERS,
    }.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    statements = {
        "sqlite": guard.SQLITE_DROP,
        "postgresql": guard.POSTGRES_DROP,
    }.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
