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

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
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
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    plans = [(_converter(f, conn), f.attname, add and _has_pre_save(f), f) for f in fields]
    values = []
    for obj in rows:
        row = []
        for convert, attname, pre_save, field in plans:
            value = field.pre_save(obj, add) if pre_save else obj.__dict__.get(attname)
            row.append(value if value is None or convert is None else convert(value))
        values.append(row)
    _copy(conn, model._meta.db_table, [f.column for f in fields], values)


# Field types whose database value is the Python value itself (when it is of that type).
_PLAIN = (
    models.CharField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


def _converter(field: models.Field, conn: Any) -> Callable[[Any], Any] | None:
    """How a field's Python value becomes its database value; ``None`` for "as it is".

    Plain types skip Django's per-value machinery (the hot spot of bulk writes); every
    other field — dates, decimals, JSON, encrypted text — goes through its own
    ``get_db_prep_save``.
    """
    if isinstance(field, _PLAIN):
        return None
    if isinstance(field, models.DateTimeField):
        return _last_value_memo(lambda value: field.get_db_prep_save(value, connection=conn))
    return lambda value: field.get_db_prep_save(value, connection=conn)


def _last_value_memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A batch stamps every row with the same time: convert it once."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def _has_pre_save(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _copy(conn: Any, table: str, columns: list[str], values: list[list[Any]]) -> None:
    quoted = ", ".join(conn.ops.quote_name(c) for c in columns)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {conn.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {conn.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",  # noqa: S608
            values,
        )


def _write_history(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """The "+" (created) history row of each object, as simple-history would write it."""
    conn = connections[DEFAULT_DB_ALIAS]
    history_model = model.history.model  # type: ignore[attr-defined]
    own = {"history_id", "history_date", "history_change_reason", "history_type",
           "history_user_id"}
    fields = [f for f in history_model._meta.concrete_fields if not f.generated]
    plans = [(_converter(f, conn), f.attname) for f in fields]
    keys = reserve_pks(history_model, len(rows))
    now = timezone.now()
    values = []
    for obj, key in zip(rows, keys, strict=True):
        extra = {"history_id": key, "history_date": now, "history_change_reason": None,
                 "history_type": "+", "history_user_id": None}
        row = []
        for convert, attname in plans:
            value = extra[attname] if attname in own else obj.__dict__.get(attname)
            row.append(value if value is None or convert is None else convert(value))
        values.append(row)
    _copy(conn, history_model._meta.db_table, [f.column for f in fields], values)
