"""Work-queue benchmark (issue 4); prints its figures.

For each database (PostgreSQL, SQLite), in a fresh database (``veracity migrate``):

1. a small real book through the normal import path — the demo generator's sellers and
   applications (a few hundred customers and policies), the demo logins (terry leading the
   agents, a few files classified) and eight more channel back-office users;
2. 100,000 open problem items and 200,000 members loaded directly with the project's bulk
   writer (``veracity.db.bulk.insert_rows``: ``COPY`` on PostgreSQL, ``executemany`` on
   SQLite) — detection is not run. The items are spread over the stages (new 30 %,
   distributed 20 %, investigating 25 %, returned 5 %, submitted 10 %, verified 10 %), over
   the channels of their members' policies and over the back-office users of each channel
   (customer service investigates 5 % itself); deadlines fall within ±12 days of the
   business date, so some are past and some near;
3. for sam (customer service), carol (agency back-office) and dave (compliance): the
   selector ``cases.selectors.work_queue(principal=Staff(user), limit=50)`` and the staff page
   ``GET /problems/queue/`` through Django's test client (logged in), each ``--requests``
   times (default 200) after 5 warm-up calls: p50 / p99 in milliseconds. Both write the
   audit event a read of the list writes;
4. once, ``problem_items_overdue_notify`` for the business date (the daily job).

    .venv/bin/python benchmarks/cases.py [--items 100000] [--requests 200]
        [--databases postgresql,sqlite] [--explain] [--keep]

The issue asks for the figures (p50/p99 of the work-queue page with 100,000 open items);
our own aim, marked in the table, is a page p99 within 200 ms.
``--explain`` prints the plan of each user's queue query; ``--keep`` keeps the database;
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from veracity.org.principals import Staff

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.fresh import migrated_env, run_worker  # noqa: E402

VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-cases"))
DB_NAME = os.environ.get("VBENCH_DB", "vbench_cases")  # one per concurrent run
D = date(2026, 11, 26)  # business date of the run
USERS = ("sam", "carol", "dave")
STAGES = (
    ("new", 30),
    ("distributed", 20),
    ("investigating", 25),
    ("returned", 5),
    ("submitted", 10),
    ("verified", 10),
)
RULES = ("SHARED_PHONE", "SHARED_ACCOUNT", "AGENT_CONTACT", "THIRD_PARTY_PAYER")
EXTRA_BACKOFFICE = {
    "agency": ("bo_agy_1", "bo_agy_2", "bo_agy_3"),
    "bancassurance": ("bo_bank_1", "bo_bank_2", "bo_bank_3"),
    "intermediary": ("bo_int_1",),
    "direct": ("bo_dir_1",),
}


# --- worker (one database, Django set up by the environment) -----------------------------


def _book() -> dict[str, Any]:
    """Sellers, a few hundred applications, the demo users and more back-office staff."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from veracity.audit.services import Actor
    from veracity.demo.accounts import demo_users_ensure
    from veracity.demo.generator import DemoConfig, applications, sellers
    from veracity.org.models import Department, StaffProfile
    from veracity.policies.services import applications_import
    from veracity.sales.services import sellers_import

    cfg = DemoConfig(customers=400, seed=4)
    actor = Actor.system("benchmark")
    sellers_import(((i, s) for i, s in enumerate(sellers(cfg), start=1)), actor=actor)
    report = applications_import(enumerate(applications(cfg), start=1), actor=actor, as_of=D)
    demo_users_ensure(agent_code="AG00001")
    users = get_user_model()
    group = Group.objects.get(name="channel_backoffice")
    department = Department.objects.get(code="AGY")
    for channel, names in EXTRA_BACKOFFICE.items():
        for name in names:
            user = users.objects.create_user(username=name, password="bench-" + name)
            user.groups.add(group)
            StaffProfile.objects.create(user=user, department=department, channel=channel)
    return {"applications": report.summary()}


def _items(n: int, *, seed: int = 11) -> dict[str, Any]:
    """``n`` open items with two members each, by the bulk writer."""
    from django.contrib.auth import get_user_model

    from veracity.cases.models import ProblemItem, ProblemItemMember
    from veracity.db.bulk import insert_rows
    from veracity.policies.models import Policy, PolicyRole

    rng = random.Random(seed)  # synthetic data, not security
    holders = list(
        PolicyRole.objects.filter(role="policyholder").values_list(
            "customer_id", "policy_id", "policy__channel"
        )
    )
    by_channel: dict[str, list[tuple[int, int]]] = {}
    for cid, pid, channel in holders:
        by_channel.setdefault(channel, []).append((cid, pid))
    users = {u.username: u.pk for u in get_user_model().objects.all()}
    staff = {
        "agency": [users["carol"], users["henry"]] + [users[u] for u in EXTRA_BACKOFFICE["agency"]],
    }
    for channel, names in EXTRA_BACKOFFICE.items():
        staff.setdefault(channel, [users[u] for u in names])
    stages = [s for s, weight in STAGES for _ in range(weight)]
    items: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    channels = sorted(by_channel)
    weights = [len(by_channel[c]) for c in channels]
    for i in range(n):
        channel = rng.choices(channels, weights)[0]
        pool = by_channel[channel]
        a, b = rng.sample(pool, 2) if len(pool) > 1 else (pool[0], rng.choice(holders)[:2])
        stage = rng.choice(stages)
        first_seen = D - timedelta(days=rng.randint(1, 40))
        assigned, assignee, distributed, due = "", None, None, None
        if stage != "new":
            assigned = channel
            distributed = first_seen + timedelta(days=1)
            due = D + timedelta(days=rng.randint(-12, 12))
            if stage != "distributed":
                own = staff.get(channel) or [users["sam"]]
                assignee = users["sam"] if rng.random() < 0.05 else rng.choice(own)
        items.append(
            (
                rng.choice(RULES),
                f"bench:{i}",
                "open",
                rng.choice(("high", "medium", "low")),
                "138****8000",
                "不同客户使用同一电话号码",
                "One phone number under different customers",
                {"value": "138****8000"},
                first_seen,
                first_seen,
                stage,
                assigned,
                assignee,
                distributed,
                due,
                "3_working_days" if due else "",
            )
        )
        members.append((i, a[0], a[1], first_seen))
        if b[0] != a[0]:
            members.append((i, b[0], b[1], first_seen))
    t0 = time.perf_counter()
    ids = insert_rows(
        ProblemItem,
        (
            "rule",
            "key",
            "status",
            "severity",
            "shared_value",
            "reason_zh",
            "reason_en",
            "evidence",
            "first_seen_on",
            "last_seen_on",
            "stage",
            "assigned_channel",
            "assignee_id",
            "distributed_on",
            "due_on",
            "due_basis",
        ),
        items,
    )
    insert_rows(
        ProblemItemMember,
        ("item_id", "customer_id", "policy_id", "added_on"),
        [(ids[i], cid, pid, on) for i, cid, pid, on in members],
    )
    load_s = time.perf_counter() - t0
    _analyze()
    return {
        "items": len(ids),
        "members": len(members),
        "policies": Policy.objects.count(),
        "load_s": round(load_s, 1),
    }


def _analyze() -> None:
    """Statistics for the planner and, on PostgreSQL, the visibility map (VACUUM): the state
    autovacuum keeps a running system in, not the one right after a bulk load, where every
    count over the fresh rows visits the heap."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def _time(call: Any, requests: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    samples = []
    for _ in range(requests):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    return _percentiles(samples)


def _explain(user: Any) -> str:
    from django.db import connection

    from veracity.cases.listing import visible_to
    from veracity.cases.models import ProblemItem
    from veracity.cases.selectors import queue_condition

    qs = (
        visible_to(principal=Staff(user), action="cases.queue")
        .filter(status=ProblemItem.Status.OPEN)
        .filter(queue_condition(principal=Staff(user)))
        .order_by("due_on", "first_seen_on", "pk")[:50]
    )
    if connection.vendor == "postgresql":
        return str(qs.explain(analyze=True, buffers=True))
    return str(qs.explain())


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve

    from veracity.cases.selectors import work_queue
    from veracity.cases.services import problem_items_overdue_notify

    result: dict[str, Any] = {"database": connection.vendor}
    t0 = time.perf_counter()
    result.update(_book())
    result.update(_items(args.items))
    result["build_s"] = round(time.perf_counter() - t0, 1)
    print(f"  built: {result}", file=sys.stderr, flush=True)
    try:
        resolve("/problems/queue/")
        page = True
    except Resolver404:
        page = False
    result["page"] = page
    users = get_user_model().objects
    result["users"] = {}
    for username in USERS:
        user = users.get(username=username)
        principal = Staff(user, purpose="benchmark")
        listing = work_queue(principal=principal, limit=50, as_of=D)
        figures: dict[str, Any] = {"queue_total": listing.total}
        figures["selector"] = _time(
            lambda principal=principal: work_queue(principal=principal, limit=50, as_of=D),
            args.requests,
        )
        if page:
            client = Client()
            client.force_login(user)
            response = client.get("/problems/queue/")
            assert response.status_code == 200, response.status_code
            figures["page"] = _time(lambda c=client: c.get("/problems/queue/"), args.requests)
        if args.explain:
            print(f"--- {connection.vendor} {username}\n{_explain(user)}", file=sys.stderr)
        result["users"][username] = figures
        print(f"  {username}: {figures}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    result["overdue_items"] = problem_items_overdue_notify(as_of=D)
    result["overdue_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(result))


# --- driver ------------------------------------------------------------------------------


def run_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = migrated_env(database, var=VAR, db_name=DB_NAME)
    cmd = [sys.executable, __file__, "--worker", "--items", str(args.items)]
    cmd += ["--requests", str(args.requests)] + (["--explain"] if args.explain else [])
    return run_worker(database, env, cmd, var=VAR, db_name=DB_NAME, keep=args.keep)


def table(results: list[dict[str, Any]], requests: int) -> str:
    head = (
        f"{'database':<11} {'user':<6} {'queue':>7} {'selector p50':>13} {'p99':>8} "
        f"{'page p50':>9} {'p99':>8}  aim: page p99 ≤ 200 ms"
    )
    lines = [
        f"work queue, {results[0]['items']:,} open items, {requests} requests each (ms)",
        head,
        "-" * len(head),
    ]
    for r in results:
        for username, f in r["users"].items():
            s50, s99 = f["selector"]
            if "page" in f:
                p50, p99 = f["page"]
                page = f"{p50:>9.1f} {p99:>8.1f}  {'within' if p99 <= 200 else 'over'}"
            else:
                page = f"{'—':>9} {'—':>8}  (no /problems/queue/ yet: selector only)"
            lines.append(
                f"{r['database']:<11} {username:<6} {f['queue_total']:>7,} {s50:>13.1f} "
                f"{s99:>8.1f} {page}"
            )
    lines.append("")
    for r in results:
        lines.append(
            f"{r['database']}: build {r['build_s']} s (items+members load {r['load_s']} s); "
            f"daily overdue notice over {r['overdue_items']:,} overdue items: {r['overdue_s']} s"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--explain", action="store_true")
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
