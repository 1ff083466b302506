"""Set-based candidate queries of the detection rules.

Each function returns the keys worth a closer look — for a full run over the whole book,
for an incremental run only among what changed since ``since`` (plus everything sharing a
value with it, so a new record that joins an old customer's phone is caught). The written
SQL keeps the shapes that were fast on both databases (an IN-subquery rather than a join
on SQLite; ``MIN <> MAX`` rather than ``COUNT(DISTINCT)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import connection

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


def in_list(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def shared_keys(table: str, key: str, owner: str, touched: Sequence[str] | None) -> set[str]:
    """Keys present under two or more different owners (customers)."""
    base = f"SELECT {key} FROM {table}"  # noqa: S608 - identifiers are ours, not input
    tail = f" GROUP BY {key} HAVING MIN({owner}) <> MAX({owner})"
    if touched is None:
        return {r[0] for r in rows(base + tail)}
    found: set[str] = set()
    for batch in chunks(touched):
        found |= {r[0] for r in rows(f"{base} WHERE {key} IN ({in_list(batch)}){tail}", batch)}
    return found


def touched_keys(history_table: str, key: str, since: datetime) -> list[str]:
    """Keys of rows created or changed since ``since`` (from the history table)."""
    # No DISTINCT: SQLite then walks the whole table in key order instead of using the
    # history_date index (23 s instead of 0.1 s at 1M); duplicates go in Python.
    sql = f"SELECT {key} FROM {history_table} WHERE history_date >= %s"  # noqa: S608
    return list(dict.fromkeys(r[0] for r in rows(sql, [since]) if r[0]))


def members_of(table: str, key: str, owner: str, keys: Sequence[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for batch in chunks(keys):
        out += [
            (r[0], r[1])
            for r in rows(
                f"SELECT {key}, {owner} FROM {table} WHERE {key} IN ({in_list(batch)})",  # noqa: S608
                batch,
            )
        ]
    return out


def seller_contact_keys(
    kind: str, customer_table: str, key: str, touched: Sequence[str] | None
) -> set[str]:
    """Customer contact keys equal to a seller's contact of ``kind`` (phone / address)."""
    sql = (
        f"SELECT DISTINCT {key} FROM {customer_table} WHERE {key} IN "  # noqa: S608
        "(SELECT value_bidx FROM sales_sellercontact WHERE kind = %s)"
    )
    if touched is None:
        return {r[0] for r in rows(sql, [kind])}
    found: set[str] = set()
    for batch in chunks(touched):
        found |= {r[0] for r in rows(f"{sql} AND {key} IN ({in_list(batch)})", [kind, *batch])}
    return found


def payer_candidates(policy_ids: Sequence[int] | None) -> list[int]:
    """Policies paid from an account that names no identity document of the policy's own
    policyholder (no holder document at all included): the only ones the third-party-payer
    rule needs to look at. One anti-join, not through the customer table."""
    # On SQLite ``|| ''`` keeps the planner off the (id_type, number_bidx) index (a skip-scan
    # per policy, 29 s at 1M): it walks role → document by policy and customer instead (8 s).
    # PostgreSQL hash-anti-joins (2 s), and would be 5x slower hashing the expression.
    no_index = " || ''" if connection.vendor == "sqlite" else ""
    sql = (
        "SELECT p.id FROM policies_policy p"  # noqa: S608 - no input in the text
        " JOIN customers_bankaccount a ON a.id = p.payer_account_id"
        " WHERE NOT EXISTS (SELECT 1 FROM policies_policyrole r"
        " JOIN customers_identitydocument d ON d.customer_id = r.customer_id"
        " WHERE r.policy_id = p.id AND r.role = 'policyholder'"
        f" AND d.number_bidx{no_index} = a.holder_id_bidx)"
    )
    if policy_ids is None:
        return sorted(r[0] for r in rows(sql))
    found: list[int] = []
    for batch in chunks(policy_ids):
        found += [r[0] for r in rows(f"{sql} AND p.id IN ({in_list(batch)})", batch)]
    return sorted(found)
