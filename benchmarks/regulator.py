"""Quarterly regulator report benchmark (issue 13, SF-5); prints its figures.

For each database (PostgreSQL, SQLite), in a fresh database (``veracity migrate``), a book
the size ``--customers`` gives, loaded directly with the project's bulk writer
(``veracity.db.bulk.insert_rows``: ``COPY`` on PostgreSQL, ``executemany`` on SQLite):

- one policy per customer (the report never reads the customers themselves, only the
  policies penalties and escalations name), spread over the channels;
- one agent or bancassurance specialist per 500 customers, one agency per 50 sellers;
- a penalty per 1,000 customers spread over four quarters (2026Q1–Q4) — most for false data
  or a substituted contact, some for refusing true data (agencies), some for other reasons —
  in every status (about 80 % in force), each naming one to three of the seller's policies;
- a verified escalation per 2,000 customers over the same year, each on a problem item of two
  members whose policies are the seller's;

then builds the report of 2026Q4 (``veracity.conduct.regulator.regulator_report_build``, the
same build the page and ``veracity reports regulator`` use) ``--repeat`` times: seconds (best
and median) and rows read per second (penalties + escalations of the year over the time).
The aim: ≤ 30 s at 10,000,000 customers on PostgreSQL.

    .venv/bin/python benchmarks/regulator.py [--customers 10000000] [--repeat 3]
        [--databases postgresql,sqlite] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.fresh import migrated_env, run_worker  # noqa: E402

VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-regulator"))
DB_NAME = os.environ.get("VBENCH_DB", "vbench_regulator")  # one per concurrent run
YEAR = 2026
CHANNELS = ("agency", "bancassurance", "intermediary", "direct")
STATUSES = ("approved",) * 6 + ("imported",) * 2 + ("proposed", "rejected")
REASONS = ("false_data",) * 5 + ("substituted_contact",) * 3 + ("misselling", "incomplete_data")
MEASURES = ("warning", "commission_deduction", "demotion", "contract_termination")
BATCH = 200_000


def _chunks(n: int, size: int = BATCH) -> Any:
    for start in range(0, n, size):
        yield start, min(n, start + size)


def _book(customers: int, *, seed: int = 13) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from veracity.cases.models import Escalation, ProblemItem, ProblemItemMember
    from veracity.conduct.models import Penalty
    from veracity.db.bulk import insert_rows
    from veracity.policies.models import Policy, Product
    from veracity.sales.models import Seller

    rng = random.Random(seed)  # synthetic data, not security
    t0 = time.perf_counter()
    user = get_user_model().objects.create_user(username="bench", password="bench-bench")
    product = Product.objects.create(code="WL-20", type="ordinary_life", term_years=20)
    n_sellers = max(10, customers // 500)
    n_agencies = max(2, n_sellers // 50)
    agency_ids = insert_rows(
        Seller,
        ("code", "kind", "name"),
        [(f"AY{i:07d}", "agency", f"代理机构{i}") for i in range(n_agencies)],
        history=False,
    )
    seller_ids = insert_rows(
        Seller,
        ("code", "kind", "name", "agency_id"),
        [
            (
                f"AG{i:08d}",
                "banca_specialist" if i % 5 == 0 else "agent",
                f"销售人员{i}",
                agency_ids[i % n_agencies] if i % 3 == 0 else None,
            )
            for i in range(n_sellers)
        ],
        history=False,
    )
    # policies: one per customer; policy i belongs to seller i % n_sellers (and, for a third
    # of the sellers, through their agency)
    policy_ids: list[int] = []
    for start, end in _chunks(customers):
        rows = []
        for i in range(start, end):
            s = i % n_sellers
            rows.append(
                (
                    f"B{i:010d}",
                    product.pk,
                    CHANNELS[s % len(CHANNELS)],
                    seller_ids[s],
                    agency_ids[s % n_agencies] if s % 3 == 0 else None,
                    date(YEAR, 1, 1) + timedelta(days=i % 365),
                )
            )
        policy_ids += insert_rows(
            Policy,
            ("application_no", "product_id", "channel", "seller_id", "agency_id", "applied_on"),
            rows,
            history=False,
        )

    def policies_of(s: int, k: int) -> list[int]:
        # seller s's policies are s, s + n_sellers, s + 2 n_sellers … (as many as exist)
        count = max(1, (customers - s + n_sellers - 1) // n_sellers)
        return [policy_ids[s + n_sellers * rng.randrange(count)] for _ in range(k)]

    n_penalties = max(20, customers // 1000)
    penalties, named = [], []
    for i in range(n_penalties):
        agency = i % 10 == 0
        target = rng.randrange(n_agencies) if agency else rng.randrange(n_sellers)
        reason = "refused_true_data" if agency and i % 20 == 0 else rng.choice(REASONS)
        penalties.append(
            (
                agency_ids[target] if agency else seller_ids[target],
                reason,
                "cooperation_suspension" if agency else rng.choice(MEASURES),
                date(YEAR, 1, 1) + timedelta(days=rng.randrange(365)),
                rng.choice(STATUSES),
            )
        )
        named.append(None if agency else policies_of(target, rng.randint(1, 3)))
    penalty_ids = insert_rows(
        Penalty, ("seller_id", "reason", "measure", "decided_on", "status"), penalties
    )
    through = Penalty.policies.through
    links = {(pid, pol) for pid, pols in zip(penalty_ids, named, strict=True) for pol in pols or ()}
    insert_rows(through, ("penalty_id", "policy_id"), sorted(links))

    n_escalations = max(10, customers // 2000)
    items, picked = [], []
    for i in range(n_escalations):
        s = rng.randrange(n_sellers)
        day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        items.append(
            (
                "AGENT_CONTACT",
                f"bench:{i}",
                "closed",
                "high",
                "客户电话与销售人员电话相同",
                "The customer's phone is the seller's",
                day,
                day,
                "closed",
            )
        )
        picked.append((s, day, policies_of(s, 2)))
    item_ids = insert_rows(
        ProblemItem,
        (
            "rule",
            "key",
            "status",
            "severity",
            "reason_zh",
            "reason_en",
            "first_seen_on",
            "last_seen_on",
            "stage",
        ),
        items,
    )
    members, escalations = [], []
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    for item_id, (s, day, pols) in zip(item_ids, picked, strict=True):
        for n, pol in enumerate(dict.fromkeys(pols)):
            members.append((item_id, item_id * 10 + n, pol, day))
        escalations.append(
            (
                item_id,
                seller_ids[s],
                rng.choice(("false_data", "substituted_contact", "misselling")),
                "核实",
                user.pk,
                timezone.make_aware(datetime(day.year, day.month, day.day, 15), zone),
            )
        )
    insert_rows(ProblemItemMember, ("item_id", "customer_id", "policy_id", "added_on"), members)
    insert_rows(
        Escalation,
        ("item_id", "seller_id", "misconduct", "reason", "escalated_by_id", "escalated_at"),
        escalations,
    )
    load_s = time.perf_counter() - t0
    _analyze()
    return {
        "customers": customers,
        "policies": len(policy_ids),
        "sellers": n_sellers,
        "agencies": n_agencies,
        "penalties": n_penalties,
        "penalty_policies": len(links),
        "escalations": n_escalations,
        "members": len(members),
        "load_s": round(load_s, 1),
    }


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from veracity.conduct.regulator import regulator_report_build
    from veracity.core.quarters import parse_quarter

    result: dict[str, Any] = {"database": connection.vendor}
    result.update(_book(args.customers))
    print(f"  built: {result}", file=sys.stderr, flush=True)
    quarter = parse_quarter(f"{YEAR}Q4")
    times: list[float] = []
    content: dict[str, Any] = {}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        content = regulator_report_build(quarter, cut_off=timezone.now())
        times.append(time.perf_counter() - t0)
    result["best_s"] = round(min(times), 3)
    result["median_s"] = round(statistics.median(times), 3)
    rows = result["penalties"] + result["escalations"]
    result["rows_per_s"] = round(rows / max(min(times), 1e-9))
    result["report_sellers"] = len(content["sellers"])
    result["report_agencies"] = len(content["agencies"])
    result["report_policies"] = sum(e["policies"] for e in content["sellers"] + content["agencies"])
    print(json.dumps(result))


# --- driver ------------------------------------------------------------------------------


def run_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = migrated_env(database, var=VAR, db_name=DB_NAME)
    cmd = [sys.executable, __file__, "--worker", "--customers", str(args.customers)]
    cmd += ["--repeat", str(args.repeat)]
    return run_worker(database, env, cmd, var=VAR, db_name=DB_NAME, keep=args.keep)


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'database':<11} {'customers':>12} {'penalties':>10} {'escalations':>12} "
        f"{'best s':>8} {'median s':>9} {'rows/s':>10} {'sellers':>8} {'agencies':>9}"
        "  aim: ≤ 30 s at 10M on PostgreSQL"
    )
    lines = ["regulator report of 2026Q4 (build, grouped in the database)", head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['database']:<11} {r['customers']:>12,} {r['penalties']:>10,} "
            f"{r['escalations']:>12,} {r['best_s']:>8.2f} {r['median_s']:>9.2f} "
            f"{r['rows_per_s']:>10,} {r['report_sellers']:>8,} {r['report_agencies']:>9,}"
            f"  {'within' if r['best_s'] <= 30 else 'over'}"
        )
    lines.append("")
    for r in results:
        lines.append(f"{r['database']}: load {r['load_s']} s ({r['policies']:,} policies)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
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
