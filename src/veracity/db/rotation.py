"""Key rotation: re-encrypt every ``EncryptedTextField`` value still under an old key."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection, transaction

from veracity.db.fields import EncryptedTextField, field_crypto

__all__ = ["encrypted_fields_rotate"]


def encrypted_fields_rotate(*, batch_size: int = 2000) -> dict[str, int]:
    """Re-encrypt, table by table, every value whose key id is not the active one.

    Works on raw column values (no model save, so history and ``auto_now`` stay untouched);
    each batch commits on its own, so an interrupted run simply resumes. Returns the number of
    values re-encrypted per ``<table>.<column>``; the caller records the rotation in the audit
    trail (this layer sits below the audit app).
    """
    counts: dict[str, int] = {}
    for model in apps.get_models():
        meta = model._meta
        pk_column = str(meta.pk.column)
        for field in meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                counts[f"{meta.db_table}.{field.column}"] = _rotate_column(
                    meta.db_table, pk_column, field, batch_size
                )
    return counts


def _rotate_column(table: str, pk: str, field: EncryptedTextField, batch_size: int) -> int:
    done, last = 0, None
    while True:
        with transaction.atomic():
            rows = _column_batch(table, pk, str(field.column), after=last, limit=batch_size)
            if not rows:
                return done
            last = rows[-1][0]
            done += _reencrypt(table, pk, field, rows)


def _column_batch(table: str, pk: str, column: str, *, after: Any, limit: int) -> list[Any]:
    where = f"WHERE {pk} > %s" if after is not None else ""
    params: list[Any] = [after] if after is not None else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT %s",  # noqa: S608
            [*params, limit],
        )
        return list(cursor.fetchall())


def _reencrypt(table: str, pk: str, field: EncryptedTextField, rows: list[Any]) -> int:
    crypto = field_crypto()
    updates = [
        (crypto.encrypt(crypto.decrypt(value, aad=field.aad), aad=field.aad), key)
        for key, value in rows
        if value and crypto.needs_rotation(value)
    ]
    if updates:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {field.column} = %s WHERE {pk} = %s",  # noqa: S608
                updates,
            )
    return len(updates)
