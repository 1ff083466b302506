"""Reading in batches with written SQL: chunks of values, one filter per chunk (an array
parameter on PostgreSQL, placeholders on SQLite), the rows as tuples.

Shared by the detection rules' candidate queries and the problem-item list's writer, which
both read by the tens of thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection

from veracity.db.bulk import any_of

CHUNK = 5000


def rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_batches(values: Sequence[Any] | None) -> Iterator[list[Any] | None]:
    """``None`` once (no filter: a full run) or the values in query-sized chunks (larger on
    PostgreSQL, where a chunk is one array parameter)."""
    if values is None:
        yield None
        return
    yield from chunks(values, 50_000 if connection.vendor == "postgresql" else CHUNK)


def filter_sql(
    column: str, values: list[Any] | None, *, glue: str = "WHERE"
) -> tuple[str, list[Any]]:
    if values is None:
        return "", []
    condition, params = any_of(column, values)
    return f" {glue} {condition}", params
