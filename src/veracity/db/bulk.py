"""Fast bulk inserts for file imports and the demo generator.

Django's ``bulk_create`` spends most of its time in the SQL compiler (10–13k rows/s here);
PostgreSQL ``COPY`` and SQLite ``executemany`` take 200k rows/s and more. ``bulk_insert``
keeps Django's semantics that matter — field ``pre_save`` (``auto_now``), the fields' own
conversion to database values (so encrypted fields are encrypted), primary keys set on the
objects — and writes the simple-history "created" rows alongside, like
``simple_history.utils.bulk_create_with_history``.

Primary keys are reserved up front (a sequence on PostgreSQL; on SQLite the transaction
already holds the write lock, taken by ``BEGIN IMMEDIATE``), so callers may derive values
from them before the rows are written (``prepare``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def reserve_pks(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``; call inside the writing transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"COALESCE((SELECT MAX({pk}) FROM {table}), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def bulk_insert(
    model: type[M],
    objs: Iterable[M],
    *,
    history: bool | None = None,
    prepare: Callable[[M], None] | None = None,
) -> list[M]:
    """Insert new objects (and their history rows); returns them with primary keys set.

    ``prepare`` is called on each object once its primary key is known, before it is
    written (e.g. to derive an archive number from the key).
    """
    rows = list(objs)
    if not rows:
        return rows
    with transaction.atomic():
        missing = [obj for obj in rows if obj.pk is None]
        for obj, key in zip(missing, reserve_pks(model, len(missing)), strict=True):
            obj.pk = key
        if prepare is not None:
            for obj in rows:
                prepare(obj)
        _write(model, rows, add=True)
        if history if history is not None else hasattr(model, "history"):
            _write_history(model, rows)
    for obj in rows:
        obj._state.adding = False
        obj._state.db = connection.alias
    return rows


def _write(model: type[models.Model], rows: Sequence[models.Model], *, add: bool) -> None:
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    values = []
    for obj in rows:
        values.append([
            f.get_db_prep_save(f.pre_save(obj, add), connection=connection) for f in fields
        ])
    _copy(model._meta.db_table, [f.column for f in fields], values)


def _copy(table: str, columns: list[str], values: list[list[Any]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",  # noqa: S608
            values,
        )


def _write_history(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    history_model = model.history.model  # type: ignore[attr-defined]
    now = timezone.now()
    copied = [f.attname for f in model._meta.concrete_fields]
    records = [
        history_model(
            history_date=now,
            history_type="+",
            history_user_id=None,
            history_change_reason=None,
            **{name: getattr(obj, name) for name in copied},
        )
        for obj in rows
    ]
    for record, key in zip(records, reserve_pks(history_model, len(records)), strict=True):
        record.history_id = key
    _write(history_model, records, add=False)
