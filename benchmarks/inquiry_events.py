"""Import of policy service events (issue 14); prints its figures.

For each database (PostgreSQL, SQLite), in a fresh database (``veracity migrate``), a book
of one policy per ten events, loaded directly with the project's bulk writer
(``veracity.db.bulk.insert_rows``): 95 % of them policies in force with their policy number,
5 % applications waiting for it. Then ``--events`` events (``--sqlite-events`` on SQLite)
go through the service the command ``veracity import policy-events FILE`` uses
(``veracity.policies.event_services.policy_events_import``, batches of ``--batch-size``,
one transaction each), streamed, never held in memory whole:

- a ``policy_effective`` for each waiting application first (policy number, coverage);
- then premiums due and received, claims reported, reviewed and paid, policy service
  changes (a surrender among them) and lapses, spread over the policies;
- one line in 1,000 bad (a day that does not exist), reported, not taken.

Printed: events per second of the first import, and of the same file sent again (every
event a duplicate, nothing written). The aim: ≥ 20,000 events/s on PostgreSQL at 1,000,000.

    .venv/bin/python benchmarks/inquiry_events.py [--events 1000000] [--sqlite-events 200000]
        [--databases postgresql,sqlite] [--batch-size 5000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.fresh import migrated_env, run_worker  # noqa: E402

VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-events"))
DB_NAME = os.environ.get("VBENCH_DB", "vbench_events")  # one per concurrent run
EVENTS_PER_POLICY = 10
WAITING_SHARE = 20  # one application in 20 waits for its policy number
CHUNK = 100_000
START = date(2026, 1, 1)


def _book(policies: int) -> dict[str, Any]:
    from veracity.db.bulk import insert_rows
    from veracity.policies.models import Policy, Product

    t0 = time.perf_counter()
    product = Product.objects.create(code="WL-20", type="ordinary_life", term_years=20)
    for start in range(0, policies, CHUNK):
        rows = []
        for i in range(start, min(policies, start + CHUNK)):
            waiting = i % WAITING_SHARE == 0
            rows.append(
                (
                    f"A{i:010d}",
                    None if waiting else f"P{i:010d}",
                    product.pk,
                    "agency",
                    START,
                    "pending_underwriting" if waiting else "in_force",
                    None if waiting else START,
                )
            )
        insert_rows(
            Policy,
            (
                "application_no",
                "policy_no",
                "product_id",
                "channel",
                "applied_on",
                "status",
                "effective_on",
            ),
            rows,
            history=False,
        )
    return {"policies": policies, "load_s": round(time.perf_counter() - t0, 2)}


def _events(count: int, policies: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """``count`` events (line, record), the waiting applications' effective events first."""
    line = 0
    for i in range(0, policies, WAITING_SHARE):
        if line >= count:
            return
        line += 1
        yield (
            line,
            {
                "event_id": f"E{line:010d}",
                "policy_no": f"P{i:010d}",
                "application_no": f"A{i:010d}",
                "kind": "policy_effective",
                "occurred_on": "2026-01-05",
                "data": {
                    "effective_on": "2026-01-05",
                    "cooling_off_ends_on": "2026-01-20",
                    "callback_due_on": "2026-01-15",
                    "sum_assured": 300000,
                    "coverage_period": "终身",
                    "premium": 6000,
                    "payment_period": "20年交",
                },
            },
        )
    while line < count:
        line += 1
        policy = line % policies
        step = (line // policies) % 10
        day = START + timedelta(days=30 + (line % 300))
        kind, data = _kind(step, line, policy, day)
        record: dict[str, Any] = {
            "event_id": f"E{line:010d}",
            "policy_no": f"P{policy:010d}",
            "kind": kind,
            "occurred_on": day.isoformat() if line % 1000 else "2026-02-30",
            "data": data,
        }
        yield line, record


def _kind(step: int, line: int, policy: int, day: date) -> tuple[str, dict[str, Any]]:
    year = step // 2 + 1
    claim = f"C{policy:010d}"
    if step in (0, 2, 4):
        return "premium_due", {
            "due_on": (day + timedelta(days=30)).isoformat(),
            "amount": 6000,
            "period": year,
        }
    if step in (1, 3, 5):
        return "premium_received", {"amount": 6000, "period": year - 0}
    if step == 6:
        return "claim_reported", {"claim_no": claim}
    if step == 7:
        result = "more_documents" if line % 3 else "approved"
        return "claim_reviewed", {"claim_no": claim, "result": result}
    if step == 8:
        return "benefit_paid", {"claim_no": claim, "amount": 3500}
    if line % 50 == 0:
        return "policy_lapsed", {}
    change = "surrender" if line % 97 == 0 else ("beneficiary" if line % 2 else "address")
    return "policy_changed", {"change": change, "major": change == "beneficiary"}


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection

    from veracity.audit.services import Actor
    from veracity.policies.event_services import policy_events_import

    events = args.events if connection.vendor == "postgresql" else args.sqlite_events
    policies = max(WAITING_SHARE, events // EVENTS_PER_POLICY)
    result: dict[str, Any] = {"database": connection.vendor, "events": events}
    result.update(_book(policies))
    print(f"  built: {result}", file=sys.stderr, flush=True)
    actor = Actor.system("import:policy-events")
    for label in ("first", "again"):
        t0 = time.perf_counter()
        report = policy_events_import(
            _events(events, policies), actor=actor, batch_size=args.batch_size
        )
        seconds = time.perf_counter() - t0
        result[f"{label}_s"] = round(seconds, 2)
        result[f"{label}_per_s"] = round(events / max(seconds, 1e-9))
        result[f"{label}_taken"] = report.created
        result[f"{label}_duplicates"] = report.unchanged
        result[f"{label}_refused"] = len(report.errors)
        print(f"  {label}: {report.summary()} in {seconds:.1f} s", file=sys.stderr, flush=True)
    print(json.dumps(result))


# --- driver ------------------------------------------------------------------------------


def run_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = migrated_env(database, var=VAR, db_name=DB_NAME)
    cmd = [sys.executable, __file__, "--worker", "--events", str(args.events)]
    cmd += ["--sqlite-events", str(args.sqlite_events), "--batch-size", str(args.batch_size)]
    return run_worker(database, env, cmd, var=VAR, db_name=DB_NAME, keep=args.keep)


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'database':<11} {'events':>10} {'policies':>9} {'first s':>8} {'events/s':>9} "
        f"{'taken':>9} {'refused':>8} {'again s':>8} {'again/s':>9}"
        "  aim: ≥ 20,000 events/s at 1M on PostgreSQL"
    )
    lines = ["import of policy service events (policy_events_import)", head, "-" * len(head)]
    for r in results:
        aim = (
            ""
            if r["database"] != "postgresql"
            else ("  within" if r["first_per_s"] >= 20_000 else "  under")
        )
        lines.append(
            f"{r['database']:<11} {r['events']:>10,} {r['policies']:>9,} {r['first_s']:>8.1f} "
            f"{r['first_per_s']:>9,} {r['first_taken']:>9,} {r['first_refused']:>8,} "
            f"{r['again_s']:>8.1f} {r['again_per_s']:>9,}{aim}"
        )
    lines.append("")
    for r in results:
        lines.append(f"{r['database']}: book loaded in {r['load_s']} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sqlite-events", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=5000)
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
    print(table(results))


if __name__ == "__main__":
    main()
