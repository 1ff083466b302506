"""Set-based candidate queries of the detection rules.

Each function returns what the rules need to decide — for a full run over the whole book,
for an incremental run only among what changed since ``since`` (plus everything sharing a
value with it, so a new record that joins an old customer's phone is caught). The database
drops what can certainly raise no clue (a value under one customer; a value shared only by
two parties of one policy when the family exemption is on; an account held by the
policyholder), and the pure rules in ``veracity.core.detection`` decide the rest.

The written SQL keeps the shapes that were fast on both databases: ``MIN <> MAX`` rather
than ``COUNT(DISTINCT)`` (streamed over the ``(key, customer)`` index on PostgreSQL), one
array parameter on PostgreSQL rather than thousands of placeholders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection

from veracity.cases.models import ClueExplanation
from veracity.db.batches import chunks, filter_sql, in_batches, rows
from veracity.detection.models import DetectionRun


def touched_keys(history_table: str, key: str, since: datetime) -> list[str]:
    """Keys of rows created or changed since ``since`` (from the history table)."""
    # No DISTINCT: SQLite then walks the whole table in key order instead of using the
    # history_date index (23 s instead of 0.1 s at 1M); duplicates go in Python.
    sql = f"SELECT {key} FROM {history_table} WHERE history_date >= %s"  # noqa: S608
    return list(dict.fromkeys(r[0] for r in rows(sql, [since]) if r[0]))


def customer_keys(table: str, key: str, customer_ids: Sequence[int]) -> list[str]:
    """The current keys (blind indexes) of these customers' values in ``table``."""
    found: set[str] = set()
    for batch in in_batches(sorted(set(customer_ids))):
        where, params = filter_sql("customer_id", batch)
        found |= {r[0] for r in rows(f"SELECT {key} FROM {table}{where}", params) if r[0]}  # noqa: S608
    return sorted(found)


# A value under exactly two customers who are both parties of one policy: a family link the
# exemption (SD-1) lifts, whoever they are — decided here so that the tens of thousands of
# such links in a large book never reach Python.
_ONE_POLICY_PAIR = (
    " AND NOT (g.n = 2 AND EXISTS (SELECT 1 FROM policies_policyrole r1"
    " JOIN policies_policyrole r2 ON r2.policy_id = r1.policy_id"
    " WHERE r1.customer_id = g.a AND r2.customer_id = g.b))"
)


def shared_members(
    table: str, key: str, touched: Sequence[str] | None, *, family_exempt: bool
) -> list[tuple[str, int, str, date | None]]:
    """(key, customer, name, birth date) of every value under two or more customers, but
    the pairs the family exemption lifts."""
    keys = shared_keys(table, key, touched, family_exempt=family_exempt)
    out: list[tuple[str, int, str, date | None]] = []
    # Apart from the keys' query: its row estimate (a HAVING over every value) is useless,
    # and with it PostgreSQL would hash the whole customer table to name a few thousand.
    for batch in in_batches(keys):
        where, params = filter_sql(f"m.{key}", batch)
        sql = (
            f"SELECT m.{key}, m.customer_id, c.name, c.birth_date FROM {table} m"  # noqa: S608
            f" JOIN customers_customer c ON c.id = m.customer_id{where}"
        )
        out += [(r[0], r[1], r[2], _date(r[3])) for r in rows(sql, params)]
    return out


def shared_keys(
    table: str, key: str, touched: Sequence[str] | None, *, family_exempt: bool
) -> list[str]:
    """Values under two or more customers, but those the family exemption lifts.
    ``(key, customer)`` is unique in ``table``, so a group's row count is its number of
    customers."""
    exempt = _ONE_POLICY_PAIR if family_exempt else ""
    found: list[str] = []
    for batch in in_batches(touched):
        where, params = filter_sql(key, batch)
        sql = (
            f"SELECT g.k FROM (SELECT {key} AS k, MIN(customer_id) AS a,"  # noqa: S608
            f" MAX(customer_id) AS b, COUNT(*) AS n FROM {table}{where} GROUP BY {key}"
            f" HAVING MIN(customer_id) <> MAX(customer_id)) g WHERE 1 = 1{exempt}"
        )
        found += [r[0] for r in rows(sql, params)]
    return sorted(found)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def policies_of(customer_ids: Iterable[int]) -> dict[int, set[int]]:
    """The policies each customer is a party of (any role)."""
    out: dict[int, set[int]] = defaultdict(set)
    for batch in in_batches(sorted(set(customer_ids))):
        where, params = filter_sql("customer_id", batch)
        for cid, pid in rows(
            f"SELECT customer_id, policy_id FROM policies_policyrole{where}",  # noqa: S608
            params,
        ):
            out[cid].add(pid)
    return out


def seller_contact_keys(
    kind: str, customer_table: str, key: str, touched: Sequence[str] | None
) -> set[str]:
    """Customer contact keys equal to a seller's contact of ``kind`` (phone / address).

    The sellers' few thousand values are read first and looked up one by one in the
    customers' ``(key, customer)`` index: as a semi-join PostgreSQL hashes them and scans
    every customer phone and address instead (4 s at 10M customers)."""
    values = sorted(
        {r[0] for r in rows("SELECT value_bidx FROM sales_sellercontact WHERE kind = %s", [kind])}
    )
    if touched is not None:
        values = sorted(set(values) & set(touched)) if values else []
        # a touched seller contact or a touched customer contact: both sides matter
    found: set[str] = set()
    for batch in in_batches(values):
        where, params = filter_sql(key, batch)
        found |= {
            r[0]
            for r in rows(f"SELECT DISTINCT {key} FROM {customer_table}{where}", params)  # noqa: S608
        }
    return found


def members_of(table: str, key: str, owner: str, keys: Sequence[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for batch in chunks(keys):
        where, params = filter_sql(key, batch)
        out += [(r[0], r[1]) for r in rows(f"SELECT {key}, {owner} FROM {table}{where}", params)]  # noqa: S608
    return out


def payer_rows(
    policy_ids: Sequence[int] | None,
) -> list[tuple[int, int, str, str | None, str, bool]]:
    """(policy, policyholder, policyholder's name, account holder's document index, holder's
    name, exception approved) of every policy paid from an account that names no identity
    document of its policyholder (no holder document at all included) — the only ones the
    third-party-payer rule (SD-3) needs to look at. One anti-join; the names after it."""
    # On SQLite ``|| ''`` keeps the planner off the (id_type, number_bidx) index (a skip-scan
    # per policy, 29 s at 1M): it walks the documents by customer instead. PostgreSQL
    # hash-anti-joins, and would be 5x slower hashing the expression.
    no_index = " || ''" if connection.vendor == "sqlite" else ""
    found: list[tuple[int, int, str | None, str]] = []
    for batch in in_batches(policy_ids):
        where, params = filter_sql("p.id", batch, glue="AND")
        sql = (
            "SELECT p.id, r.customer_id, a.holder_id_bidx, a.holder_name"  # noqa: S608
            " FROM policies_policy p"
            " JOIN customers_bankaccount a ON a.id = p.payer_account_id"
            " JOIN policies_policyrole r ON r.policy_id = p.id AND r.role = 'policyholder'"
            " WHERE NOT EXISTS (SELECT 1 FROM customers_identitydocument d"
            f" WHERE d.customer_id = r.customer_id AND d.number_bidx{no_index} = a.holder_id_bidx)"
            f"{where}"
        )
        found += [(r[0], r[1], r[2], r[3] or "") for r in rows(sql, params)]
    names: dict[int, str] = {}
    for batch in in_batches(sorted({cid for _p, cid, _b, _n in found})):
        where, params = filter_sql("id", batch)
        names.update(rows(f"SELECT id, name FROM customers_customer{where}", params))  # noqa: S608
    excepted: set[int] = set()
    for batch in in_batches([pid for pid, *_ in found]):
        where, params = filter_sql("policy_id", batch)
        excepted.update(
            r[0]
            for r in rows(f"SELECT policy_id FROM detection_payerexception{where}", params)  # noqa: S608
        )
    return sorted(
        (pid, cid, names.get(cid, ""), bidx, holder, pid in excepted)
        for pid, cid, bidx, holder in found
    )


def explanations(keys: Sequence[str]) -> dict[tuple[str, str], list[tuple[datetime, set[int]]]]:
    """(rule, key) → (when, customers) of the explanations recorded for these keys."""

    out: dict[tuple[str, str], list[tuple[datetime, set[int]]]] = defaultdict(list)
    for batch in chunks(keys):
        for rule, key, cids, at in ClueExplanation.objects.filter(key__in=batch).values_list(
            "rule", "key", "customer_ids", "explained_at"
        ):
            out[(rule, key)].append((at, {int(c) for c in cids}))
    return out


#: Where the data a clue rests on is kept: the history tables (and key column) the
#: incremental run watches for each rule — so a full and an incremental run agree on when
#: an explanation stops holding.
_CLUE_DATA: dict[str, tuple[tuple[str, str], ...]] = {
    "SHARED_PHONE": (("customers_historicalphone", "number_bidx"),),
    "SHARED_ACCOUNT": (("customers_historicalbankaccount", "number_bidx"),),
    "phone": (
        ("customers_historicalphone", "number_bidx"),
        ("sales_historicalsellercontact", "value_bidx"),
    ),
    "address": (
        ("customers_historicaladdress", "text_bidx"),
        ("sales_historicalsellercontact", "value_bidx"),
    ),
}


def clue_data_changed_since(rule: str, key: str, since: datetime) -> bool:
    """Whether the records holding the clue's value changed (added, edited or removed, by
    anyone) after ``since``: for a shared phone or account, the records of that value; for
    a seller's contact, the customers' and sellers' records of it; for a third-party payer,
    the policy or its premium account; for an identity change, a new change recorded for
    the customer."""
    if rule == "THIRD_PARTY_PAYER":
        sql = (
            "SELECT 1 FROM policies_historicalpolicy WHERE id = %s AND history_date > %s"
            " UNION ALL SELECT 1 FROM customers_historicalbankaccount WHERE history_date > %s"
            " AND id = (SELECT payer_account_id FROM policies_policy WHERE id = %s)"
        )
        pid = int(key) if key.isdigit() else -1
        return bool(rows(sql, [pid, since, since, pid]))
    if rule == "IDENTITY_CHANGED":
        sql = "SELECT 1 FROM customers_identitychange WHERE customer_id = %s AND recorded_at > %s"
        return bool(rows(sql, [int(key) if key.isdigit() else -1, since]))
    kind, value = rule, key
    if rule == "AGENT_CONTACT":
        kind, _, value = key.partition(":")
    for table, column in _CLUE_DATA.get(kind, ()):
        sql = f"SELECT 1 FROM {table} WHERE {column} = %s AND history_date > %s"  # noqa: S608
        if rows(sql, [value, since]):
            return True
    return False


def recent_runs(limit: int = 30) -> list[Any]:
    """The latest detection runs, newest business date first."""

    return list(DetectionRun.objects.order_by("-business_date", "-started_at")[:limit])
