"""Home-page and audit-page benchmark (issue 12); prints its figures.

For each database (PostgreSQL, SQLite), in a fresh database (``veracity migrate``):

1. the work-queue benchmark's book (``benchmarks/cases.py``): the demo generator's sellers
   and a few hundred applications through the normal import path, the demo logins, more
   channel back-office users, and ``--items`` (default 100,000) open problem items with two
   members each, loaded with the project's bulk writer (``veracity.db.bulk.insert_rows``);
2. ``--events`` (default 1,000,000) audit events appended after the book's own, chained
   (seq, prev_hash, hash) and loaded with the same bulk writer: reads of customer files,
   searches, logins, changes and gate checks over the last year, and 2 % refused attempts
   (some in the last seven days, which the auditor's home counts);
3. the T+1 job's data-quality snapshot (``cases.figures.quality_snapshot_take``: open items
   and policies per channel and per seller, which the compliance and general manager's
   homes read with its "as of" time instead of counting on every request), timed once;
4. every demo login's home page ``GET /`` and the auditor's ``GET /audit/`` through Django's
   test client (logged in), each ``--requests`` times (default 100) after 3 warm-up calls:
   p50 / p99 in milliseconds.

    .venv/bin/python benchmarks/pages.py [--items 100000] [--events 1000000]
        [--requests 100] [--databases postgresql,sqlite] [--keep]

The issue's aim, marked in the table: every home page and the audit page p99 ≤ 300 ms on
PostgreSQL with 100,000 items and 1,000,000 audit events.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.cases import _analyze, _book, _items, _time  # noqa: E402
from benchmarks.fresh import migrated_env, run_worker  # noqa: E402

VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-pages"))
DB_NAME = "vbench_pages"
AIM_MS = 300
AUDIT_USER = "audrey"


def _events(n: int) -> dict[str, Any]:
    """``n`` chained audit events after the trail's head, by the bulk writer."""
    from django.db import transaction

    from veracity.audit.chain import body, json_int, link_hash
    from veracity.audit.models import AuditEvent
    from veracity.audit.selectors import trail_head
    from veracity.db.bulk import insert_rows

    actions = ("view_personal_data", "search_personal_data", "login", "change", "gate_check")
    purposes = ("customer_service", "problem_item", "callback", "compliance_check", "")
    head = trail_head()
    seq, prev = head.seq, head.hash
    now = datetime.now(UTC)
    start = now - timedelta(days=365)
    step = (now - start) / max(n, 1)
    t0 = time.perf_counter()
    batch: list[tuple[Any, ...]] = []
    columns = (
        "seq",
        "occurred_at",
        "actor_id",
        "actor",
        "action",
        "object_type",
        "object_id",
        "customer_id",
        "purpose",
        "ip",
        "detail",
        "prev_hash",
        "hash",
    )
    written = 0
    for i in range(n):
        seq += 1
        at = start + step * i
        user = 1 + i % 11
        action = "access_refused" if i % 50 == 7 else actions[i % 5]
        purpose = "" if action == "access_refused" else purposes[i % 5]
        customer = 1 + i % 400
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        digest = link_hash(
            prev,
            body(
                seq,
                stamp,
                json_int(user),
                f"user{user}",
                action,
                "customer",
                str(customer),
                json_int(customer),
                purpose,
                "10.0.0.1",
                "",
            ),
        )
        batch.append(
            (
                seq,
                at,
                user,
                f"user{user}",
                action,
                "customer",
                str(customer),
                customer,
                purpose,
                "10.0.0.1",
                {},
                prev,
                digest,
            )
        )
        prev = digest
        if len(batch) >= 20_000:
            with transaction.atomic():
                insert_rows(AuditEvent, columns, batch)
            written += len(batch)
            batch = []
    if batch:
        with transaction.atomic():
            insert_rows(AuditEvent, columns, batch)
        written += len(batch)
    _analyze()
    return {"events": written, "events_load_s": round(time.perf_counter() - t0, 1)}


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from veracity.demo.accounts import DEMO_USERS

    result: dict[str, Any] = {"database": connection.vendor}
    t0 = time.perf_counter()
    result.update(_book())
    result.update(_items(args.items))
    result.update(_events(args.events))
    result["build_s"] = round(time.perf_counter() - t0, 1)
    # the T+1 job's snapshot of the per-channel and per-seller counts, as every night
    from veracity.cases.figures import quality_snapshot_take

    t1 = time.perf_counter()
    quality_snapshot_take(business_date=timezone.localdate())
    result["snapshot_s"] = round(time.perf_counter() - t1, 2)
    print(f"  built: {result}", file=sys.stderr, flush=True)
    users = get_user_model().objects
    pages: list[tuple[str, str]] = [(u, "/") for u, _role, _name in DEMO_USERS]
    pages.append((AUDIT_USER, "/audit/"))
    result["pages"] = []
    for username, path in pages:
        client = Client()
        client.force_login(users.get(username=username))
        response = client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        p50, p99 = _time(lambda c=client, p=path: c.get(p), args.requests)
        row = {"user": username, "path": path, "p50": p50, "p99": p99}
        result["pages"].append(row)
        print(f"  {row}", file=sys.stderr, flush=True)
    print(json.dumps(result))


# --- driver ------------------------------------------------------------------------------


def run_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = migrated_env(database, var=VAR, db_name=DB_NAME)
    cmd = [sys.executable, __file__, "--worker", "--items", str(args.items)]
    cmd += ["--events", str(args.events), "--requests", str(args.requests)]
    return run_worker(database, env, cmd, var=VAR, db_name=DB_NAME, keep=args.keep)


def table(results: list[dict[str, Any]], requests: int) -> str:
    first = results[0]
    head = f"{'database':<11} {'user':<8} {'page':<8} {'p50':>8} {'p99':>8}  aim: p99 ≤ {AIM_MS} ms"
    lines = [
        f"home and audit pages, {first['items']:,} open items, {first['events']:,} audit events "
        f"added, {requests} requests each (ms)",
        head,
        "-" * len(head),
    ]
    for r in results:
        for row in r["pages"]:
            verdict = "within" if row["p99"] <= AIM_MS else "over"
            lines.append(
                f"{r['database']:<11} {row['user']:<8} {row['path']:<8} {row['p50']:>8.1f} "
                f"{row['p99']:>8.1f}  {verdict}"
            )
    lines.append("")
    for r in results:
        lines.append(
            f"{r['database']}: build {r['build_s']} s (items load {r['load_s']} s, "
            f"events load {r['events_load_s']} s); the T+1 snapshot of the per-channel and "
            f"per-seller counts {r['snapshot_s']} s"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database built")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    results = [run_one(database, args) for database in args.databases.split(",")]
    for r in results:
        print(json.dumps(r), file=sys.stderr)
    print(table(results, args.requests))


if __name__ == "__main__":
    main()
