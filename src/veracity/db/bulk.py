"""Fast bulk inserts for file imports and the demo generator.

Django's ``bulk_create`` spends most of its time in the SQL compiler (10–13k rows/s here);
PostgreSQL ``COPY`` and SQLite ``executemany`` take 200k rows/s and more. ``bulk_insert``
keeps Django's semantics that matter — field ``pre_save`` (``auto_now``), the fields' own
conversion to database values (so encrypted fields are encrypted), primary keys set on the
objects — and writes the simple-history "created" rows alongside, like
``simple_history.utils.bulk_create_with_history``.

``insert_rows`` does the same for rows given as tuples of attribute values: for rows that
are only written, building a model instance per row costs more than writing it.

Values are converted column by column, once: a history row reuses the converted values of
its row, except for fields whose conversion depends on the model they belong to (encrypted
fields bind the ciphertext to ``app.Model.field``, so the history copy is encrypted anew).

Primary keys are reserved up front (a sequence on PostgreSQL; on SQLite the transaction
already holds the write lock, taken by ``BEGIN IMMEDIATE``), so callers may derive values
from them before the rows are written (``prepare``).

History tables keep ``history_user`` without a database foreign-key constraint
(``HistoricalRecords(user_db_constraint=False)`` on every model): millions of history rows
written by imports carry no user, and the constraint's per-row check at commit cost about 4%
of a 100k import; the audit trail, not the history, is the record of who acted.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import repeat
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Json, Jsonb

M = TypeVar("M", bound=models.Model)


class _Same:
    """One value for every row of a column (converted once, written many times)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


Column = list[Any] | _Same


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
    written (e.g. to derive an archive number from the key). Every object of one call is
    stamped with the same ``auto_now``/``auto_now_add`` time.
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
        columns: dict[str, Column] = {}
        for f in _fields(model):
            attname = f.attname
            if _has_pre_save(f):
                stamp = f.pre_save(rows[0], True)
                for obj in rows:
                    obj.__dict__[attname] = stamp
                columns[attname] = _Same(stamp)
            else:
                columns[attname] = [obj.__dict__.get(attname) for obj in rows]
        _insert_columns(model, columns, len(rows), history=history)
    for obj in rows:
        obj._state.adding = False
        obj._state.db = connection.alias
    return rows


def insert_rows(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    history: bool | None = None,
) -> list[int]:
    """Insert rows given as tuples of attribute values (in the order of ``attnames``);
    returns their primary keys, in order.

    Fields not named take their default, ``auto_now``/``auto_now_add`` fields the current
    time; the primary key is reserved unless named. History rows as in ``bulk_insert``.
    """
    if not rows:
        return []
    count = len(rows)
    named = dict(zip(attnames, (list(col) for col in zip(*rows, strict=True)), strict=True))
    pk_attname = model._meta.pk.attname
    with transaction.atomic():
        if pk_attname not in named:
            named[pk_attname] = reserve_pks(model, count)
        columns: dict[str, Column] = {}
        for f in _fields(model):
            if f.attname in named:
                columns[f.attname] = named[f.attname]
            elif _has_pre_save(f):
                columns[f.attname] = _Same(f.pre_save(_Stamp(), True))  # type: ignore[arg-type]
            else:
                columns[f.attname] = _Same(f.get_default())
        _insert_columns(model, columns, count, history=history)
    return list(named[pk_attname])


def any_of(column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
    """SQL condition "``column`` is one of ``values``" and its parameters.

    On PostgreSQL one array parameter (``= ANY(%s)``): a list of thousands of placeholders
    costs more to build and parse than the query takes to run.
    """
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def select(sql: str, conditions: Sequence[tuple[str, list[Any]]]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (a SELECT without WHERE) filtered by all ``conditions`` (``any_of``)."""
    where = " AND ".join(condition for condition, _ in conditions)
    params = [param for _, params in conditions for param in params]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {where}", params)
        return list(cursor.fetchall())


class _Stamp:
    """Receives the value a field's ``pre_save`` stamps (``auto_now``) when there is no
    instance."""


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.generated]


def _insert_columns(
    model: type[models.Model], columns: dict[str, Column], count: int, *, history: bool | None
) -> None:
    conn = connection
    fields = _fields(model)
    converted = {f.attname: _convert(f, columns[f.attname], conn) for f in fields}
    _copy(
        conn,
        model._meta.db_table,
        [f.column for f in fields],
        [converted[f.attname] for f in fields],
        count,
    )
    if not (history if history is not None else hasattr(model, "history")):
        return
    history_model = model.history.model  # type: ignore[attr-defined]
    # ``history_id`` is left to the database: nothing refers to it.
    own: dict[str, Column] = {
        "history_date": _Same(timezone.now()),
        "history_change_reason": _Same(None),
        "history_type": _Same("+"),
        "history_user_id": _Same(None),
    }
    by_attname = {f.attname: f for f in fields}
    history_fields = [f for f in _fields(history_model) if f.attname != "history_id"]
    history_columns = []
    for hf in history_fields:
        if hf.attname in own:
            history_columns.append(_convert(hf, own[hf.attname], conn))
            continue
        source = by_attname.get(hf.attname)
        if source is not None and _model_independent(source) and _model_independent(hf):
            history_columns.append(converted[hf.attname])
        else:
            history_columns.append(_convert(hf, columns.get(hf.attname, _Same(None)), conn))
    _copy(
        conn,
        history_model._meta.db_table,
        [f.column for f in history_fields],
        history_columns,
        count,
    )


def _model_independent(field: models.Field[Any, Any]) -> bool:
    """Django's own fields convert a value the same way whatever model they are on; a
    custom field (an encrypted one binds the value to its column) may not."""
    return type(field).__module__.startswith("django.")


def _convert(field: models.Field[Any, Any], column: Column, conn: Any) -> Column:
    many = getattr(field, "get_prep_values", None)
    if many is not None and not isinstance(column, _Same):
        # A field that converts a whole column at once (an encrypted one).
        return list(many(column))
    convert = _converter(field, conn)
    if isinstance(column, _Same):
        value = column.value
        return column if value is None or convert is None else _Same(convert(value))
    if convert is None:
        return column
    return [None if value is None else convert(value) for value in column]


# Field types whose database value is the Python value itself (when it is of that type).
_PLAIN = (
    models.CharField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


def _converter(field: models.Field[Any, Any], conn: Any) -> Callable[[Any], Any] | None:
    """How a field's Python value becomes its database value; ``None`` for "as it is".

    Plain types skip Django's per-value machinery (the hot spot of bulk writes); every
    other field — dates, decimals, JSON, encrypted text — goes through its own
    ``get_db_prep_save``.
    """
    if isinstance(field, _PLAIN):
        return None
    if isinstance(field, models.DateField):  # DateTimeField too
        return _last_value_memo(lambda value: field.get_db_prep_save(value, connection=conn))
    kind = type(field)
    if (
        kind.get_db_prep_save is models.Field.get_db_prep_save
        and kind.get_db_prep_value is models.Field.get_db_prep_value
    ):
        # Then ``get_db_prep_save`` is ``get_prep_value`` (an encrypted field encrypts there).
        return field.get_prep_value
    return lambda value: field.get_db_prep_save(value, connection=conn)


def _last_value_memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A batch stamps every row with the same time (or business date): convert it once."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def _has_pre_save(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _copy(conn: Any, table: str, columns: list[Any], values: list[Column], count: int) -> None:
    quoted = ", ".join(conn.ops.quote_name(c) for c in columns)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            raw = cursor.cursor
            text = _copy_text(values, count)
            with raw.copy(f"COPY {conn.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                if text is not None:
                    copy.write(text)
                    return
                write = copy.write_row
                for row in _rows(values, count):
                    write(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {conn.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",  # noqa: S608
            _rows(values, count),
        )


def _rows(values: list[Column], count: int) -> Iterable[tuple[Any, ...]]:
    return zip(
        *(repeat(col.value, count) if isinstance(col, _Same) else col for col in values),
        strict=True,
    )


# COPY text format: columns separated by TAB, rows by newline, NULL as \N, and backslash,
# TAB, newline and carriage return escaped in values.
_NULL = "\\N"


def _escape(text: str) -> str:
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def _json_text(value: Any) -> str:
    dumps = getattr(value, "dumps", None) or json.dumps
    return str(dumps(value.obj))


# How a (converted, non-NULL) value of these exact types is written in COPY text.
_TEXT: dict[type, Callable[[Any], str]] = {
    str: _escape,
    int: str,
    bool: lambda value: "t" if value else "f",
    Decimal: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    Jsonb: lambda value: _escape(_json_text(value)),
    Json: lambda value: _escape(_json_text(value)),
}


def _copy_text(values: list[Column], count: int) -> str | None:
    """The rows as COPY text, built column by column; ``None`` when a column holds a type
    not known here (then psycopg adapts the values row by row)."""
    texts: list[Any] = []
    for column in values:
        if isinstance(column, _Same):
            value = column.value
            if value is None:
                texts.append(repeat(_NULL, count))
                continue
            convert = _TEXT.get(str if isinstance(value, str) else type(value))
            if convert is None:
                return None
            texts.append(repeat(convert(value), count))
            continue
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if not kinds:
            texts.append(repeat(_NULL, count))
            continue
        if len(kinds) > 1 and not all(issubclass(k, str) for k in kinds):
            return None
        kind = kinds.pop() if len(kinds) == 1 else str
        if issubclass(kind, str):
            # Escaped all at once: NUL cannot occur in PostgreSQL text.
            joined = _escape("\0".join(["" if v is None else v for v in column]))
            escaped = joined.split("\0")
            if len(escaped) != count:
                return None
            if None in column:
                escaped = [_NULL if v is None else t for v, t in zip(column, escaped, strict=True)]
            texts.append(escaped)
            continue
        convert = _TEXT.get(kind)
        if convert is None:
            return None
        texts.append([_NULL if v is None else convert(v) for v in column])
    return "".join([line + "\n" for line in map("\t".join, zip(*texts, strict=True))])
