"""Customer-notice outbox benchmark (issue 14, NT-1, NT-2); prints its figures.

For each database (PostgreSQL, SQLite), in a fresh database (``veracity migrate``):

- a book of ``--customers`` policyholders, each with a valid mobile on file and one policy,
  loaded with the project's bulk writer (``veracity.db.bulk.insert_rows``);
- ``--events`` ``premium_received`` events written in batches of ``--batch``, each batch in
  one transaction with the listener (``veracity.notices.listener.notices_for_events``, as
  the recording service calls it through ``policies.events.announce``): events per second
  through the listener, and notices written per second (an SMS and a portal notice each);
- then the sender (``veracity.notices.sending.notices_send_due``, what ``veracity notify send``
  and the Huey job run) with the ``file`` backend until nothing is due: SMS notices sent per
  second (target ≥ 2,000/s), and the batch time p50/p99.

    .venv/bin/python benchmarks/inquiry_outbox.py [--customers 20000] [--events 100000]
        [--batch 5000] [--send-batch 1000] [--databases postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.fresh import migrated_env, run_worker  # noqa: E402

VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-outbox"))
DB_NAME = os.environ.get("VBENCH_DB", "vbench_outbox")


def _book(customers: int) -> list[int]:
    from veracity.customers.models import Customer, Phone
    from veracity.customers.services import DOMAIN_PHONE
    from veracity.db.bulk import insert_rows
    from veracity.db.fields import blind_index
    from veracity.policies.models import Policy, PolicyRole, Product

    product = Product.objects.create(code="WL-20", type="ordinary_life", term_years=20)
    ids = insert_rows(Customer, ("name",), [(f"客户{i}",) for i in range(customers)], history=False)
    phones = [f"+861380{i:07d}" for i in range(customers)]
    insert_rows(
        Phone,
        ("customer_id", "number", "number_bidx", "kind", "valid"),
        [
            (cid, p, blind_index(p, domain=DOMAIN_PHONE), "mobile", True)
            for cid, p in zip(ids, phones, strict=True)
        ],
        history=False,
    )
    policy_ids = insert_rows(
        Policy,
        ("application_no", "policy_no", "product_id", "channel", "status"),
        [(f"A{i:09d}", f"P{i:09d}", product.pk, "agency", "in_force") for i in range(customers)],
        history=False,
    )
    insert_rows(
        PolicyRole,
        ("policy_id", "customer_id", "role", "position"),
        [(pid, cid, "policyholder", 0) for pid, cid in zip(policy_ids, ids, strict=True)],
        history=False,
    )
    return policy_ids


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from veracity.db.bulk import insert_rows
    from veracity.notices.listener import notices_for_events
    from veracity.notices.models import CustomerNotice
    from veracity.notices.sending import notices_send_due
    from veracity.org.principals import system
    from veracity.policies.models import PolicyEvent

    result: dict[str, Any] = {"database": connection.vendor, "customers": args.customers}
    t0 = time.perf_counter()
    policies = _book(args.customers)
    result["book_s"] = round(time.perf_counter() - t0, 2)
    principal = system("bench")
    listen = 0.0
    written = 0
    fields = ("event_id", "policy_id", "kind", "occurred_on", "data", "source")
    day = date(2026, 11, 20)
    t_all = time.perf_counter()
    for start in range(0, args.events, args.batch):
        count = min(args.batch, args.events - start)
        with transaction.atomic():
            rows = [
                (
                    f"E{start + k:010d}",
                    policies[(start + k) % len(policies)],
                    "premium_received",
                    day,
                    {"amount": 1000, "period": 2},
                    "bench",
                )
                for k in range(count)
            ]
            ids = insert_rows(PolicyEvent, fields, rows)
            events = [
                PolicyEvent(
                    id=i, event_id=r[0], policy_id=r[1], kind=r[2], occurred_on=r[3], data=r[4]
                )
                for i, r in zip(ids, rows, strict=True)
            ]
            t1 = time.perf_counter()
            if os.environ.get("VBENCH_PROFILE") and start == 0:
                import cProfile
                import pstats

                with cProfile.Profile() as prof:
                    written += notices_for_events(events, principal)
                pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
            else:
                written += notices_for_events(events, principal)
            listen += time.perf_counter() - t1
    total = time.perf_counter() - t_all
    result["events"] = args.events
    result["notices_written"] = written
    result["listener_events_per_s"] = round(args.events / max(listen, 1e-9))
    result["events_with_listener_per_s"] = round(args.events / max(total, 1e-9))
    result["notices_written_per_s"] = round(written / max(listen, 1e-9))
    times: list[float] = []
    sent = 0
    t_send = time.perf_counter()
    while True:
        t1 = time.perf_counter()
        if os.environ.get("VBENCH_PROFILE") and not times:
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                counts = notices_send_due(limit=args.send_batch)
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(12)
        else:
            counts = notices_send_due(limit=args.send_batch)
        if not counts.claimed:
            break
        times.append(time.perf_counter() - t1)
        sent += counts.sent
    send_s = time.perf_counter() - t_send
    result["sms_sent"] = sent
    result["sent_per_s"] = round(sent / max(send_s, 1e-9))
    result["batch_p50_ms"] = round(statistics.median(times) * 1000, 1) if times else 0
    result["batch_p99_ms"] = (
        round(sorted(times)[max(0, int(len(times) * 0.99) - 1)] * 1000, 1) if times else 0
    )
    result["left_queued"] = CustomerNotice.objects.filter(status="queued").count()
    print(json.dumps(result))


def run_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = migrated_env(database, var=VAR, db_name=DB_NAME)
    env["VERACITY_SMS_BACKEND"] = "file"
    outbox = VAR / "sms-outbox.jsonl"
    if outbox.exists():
        outbox.unlink()
    cmd = [sys.executable, __file__, "--worker", "--customers", str(args.customers)]
    cmd += ["--events", str(args.events), "--batch", str(args.batch)]
    cmd += ["--send-batch", str(args.send_batch)]
    return run_worker(database, env, cmd, var=VAR, db_name=DB_NAME, keep=False)


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'database':<11} {'events':>9} {'listener ev/s':>14} {'with events ev/s':>17} "
        f"{'notices/s written':>18} {'sms sent':>9} {'sent/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    )
    lines = ["customer-notice outbox (file backend)", head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['database']:<11} {r['events']:>9,} {r['listener_events_per_s']:>14,} "
            f"{r['events_with_listener_per_s']:>17,} {r['notices_written_per_s']:>18,} "
            f"{r['sms_sent']:>9,} {r['sent_per_s']:>8,} {r['batch_p50_ms']:>8} "
            f"{r['batch_p99_ms']:>8}  (sent target ≥ 2,000/s)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--send-batch", type=int, default=1_000)
    parser.add_argument("--databases", default="postgresql,sqlite")
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
