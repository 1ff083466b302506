"""Personal data is encrypted at rest: the database never holds it in plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import TODAY
from veracity.audit.services import Actor
from veracity.customers.models import Phone
from veracity.db.fields import field_crypto
from veracity.policies.services import applications_store


def personal_values(app: dict) -> list[str]:
    holder = app["policyholder"]
    return [
        holder["id_number"],
        "13800138000",
        "8613800138000",
        "6222020200001234567",
        "东长安街",
        app["insured"]["id_number"],
    ]


def raw_dump() -> bytes:
    """Every byte the database holds for our tables, as stored."""
    chunks = []
    with connection.cursor() as cursor:
        tables = [
            t
            for t in connection.introspection.table_names()
            if t.split("_")[0] in {"customers", "policies", "sales", "audit"}
        ]
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                chunks.append(repr(row).encode())
                chunks.extend(str(v).encode() for v in row)
    return b"\n".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_no_personal_data_in_plain_text(application):
    applications_store([application], source="test", actor=Actor.system("t"), as_of=TODAY)
    dump = raw_dump()
    for value in personal_values(application):
        assert value.encode() not in dump, value
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = Path(connection.settings_dict["NAME"]).read_bytes()
        for value in personal_values(application):
            assert value.encode() not in data, f"{value} found in the SQLite file"


@pytest.mark.django_db
def test_values_carry_the_key_id_and_decrypt(application):
    applications_store([application], source="test", actor=Actor.system("t"), as_of=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM customers_phone")
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("v1:k2:")
    assert Phone.objects.get().number == "+8613800138000"
    assert field_crypto().decrypt(stored, aad="customers.Phone.number") == "+8613800138000"
