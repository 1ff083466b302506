"""Verification of an inquirer through the API under load (issue 14, IQ-1); prints its figures.

In a fresh PostgreSQL database (``benchmarks/fresh.py``), a book of ``--policies`` policies
(default 100,000) loaded directly with the project's bulk writer
(``veracity.db.bulk.insert_rows``: ``COPY``): one customer per policy with a resident ID card
(encrypted, with its blind index, as the register keeps it), policyholder and insured of the
policy. Then gunicorn on 127.0.0.1 (2 workers x 4 threads, as ``benchmarks/gate.py``) answers
``POST /api/v1/inquiries/verify`` from ``--concurrency`` clients: 80 % right statements (any
role), 10 % a wrong name, 10 % an unknown policy, spread over the book so that no policy is
locked. Prints requests/s, p50 and p99; the aim is p99 ≤ 50 ms at ≥ 200 requests/s.

    .venv/bin/python benchmarks/inquiry_verify.py [--policies 100000] [--requests 4000]
        [--concurrency 8] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.fresh import PG_ADMIN, migrated_env  # noqa: E402

VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-inquiry"))
DB_NAME = os.environ.get("VBENCH_DB", "vbench_inquiry")
BATCH = 50_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def person(i: int) -> tuple[str, str]:
    """The name and resident ID number of the ``i``-th customer."""
    from veracity.core.identity import make_resident_id

    name = (
        SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 131) % len(GIVEN)]
    )
    birth = date(1950, 1, 1) + timedelta(days=(i * 37) % 20000)
    return name, make_resident_id("110101", birth, i % 999 + 1)


def build(policies: int) -> dict[str, Any]:
    """The book (in the worker's database)."""
    from django.db import connection

    from veracity.customers.models import Customer, IdentityDocument
    from veracity.customers.services import id_key
    from veracity.db.bulk import insert_rows
    from veracity.policies.models import Policy, PolicyRole, Product

    t0 = time.perf_counter()
    product = Product.objects.create(code="WL-20", type="ordinary_life", term_years=20)
    for start in range(0, policies, BATCH):
        end = min(policies, start + BATCH)
        people = [person(i) for i in range(start, end)]
        customer_ids = insert_rows(
            Customer,
            ("name", "archive_no"),
            [(name, f"C{i:010d}") for i, (name, _n) in zip(range(start, end), people, strict=True)],
            history=False,
        )
        docs = []
        for cid, (_name, number) in zip(customer_ids, people, strict=True):
            key = id_key("resident_id", number)
            assert key is not None
            docs.append((cid, key[0], key[1], key[2]))
        insert_rows(
            IdentityDocument,
            ("customer_id", "id_type", "number", "number_bidx"),
            docs,
            history=False,
        )
        policy_ids = insert_rows(
            Policy,
            ("application_no", "policy_no", "product_id", "channel", "applied_on", "status"),
            [
                (f"A{i:010d}", f"P{i:010d}", product.pk, "agency", date(2026, 1, 1), "in_force")
                for i in range(start, end)
            ],
            history=False,
        )
        roles = []
        for pid, cid, (name, _n) in zip(policy_ids, customer_ids, people, strict=True):
            roles.append((pid, cid, "policyholder", name, 0))
            roles.append((pid, cid, "insured", name, 0))
        insert_rows(
            PolicyRole,
            ("policy_id", "customer_id", "role", "name", "position"),
            roles,
            history=False,
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"policies": policies, "load_s": round(time.perf_counter() - t0, 1)}


def bodies(policies: int, n: int, seed: int = 14) -> list[tuple[dict[str, Any], bool]]:
    rng = random.Random(seed)  # synthetic data, not security
    out = []
    for _ in range(n):
        i = rng.randrange(policies)
        name, number = person(i)
        body = {
            "channel": rng.choice(("phone", "counter")),
            "policy_no": f"P{i:010d}",
            "name": name,
            "id_type": "resident_id",
            "id_number": number,
            "role": None,
        }
        draw = rng.random()
        if draw < 0.1:
            body["name"] = name + "某"
        elif draw < 0.2:
            body["policy_no"] = f"X{i:010d}"
        out.append((body, draw >= 0.2))
    return out


def load(
    env: dict[str, str], policies: int, requests_total: int, concurrency: int
) -> dict[str, Any]:
    import httpx

    token = (
        subprocess.run(
            [str(ROOT / ".venv/bin/veracity"), "api-client", "bench", "--system", "core"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .rsplit(" ", 1)[-1]
    )
    port = int(os.environ.get("VBENCH_PORT", "8766"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "veracity.config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    work = bodies(policies, requests_total)
    latencies: list[float] = []
    wrong: list[str] = []
    lock = threading.Lock()
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        per = requests_total // concurrency

        def worker(k: int) -> None:
            local = []
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as client:
                for body, right in work[k * per : (k + 1) * per]:
                    t0 = time.perf_counter()
                    response = client.post("/api/v1/inquiries/verify", json=body)
                    local.append(time.perf_counter() - t0)
                    if response.status_code != 200 or response.json()["verified"] is not right:
                        with lock:
                            wrong.append(f"{response.status_code} {response.text[:120]}")
            with lock:
                latencies.extend(local)

        # warm both workers (imports, connections) before timing
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            for body, _right in work[:20]:
                c.post("/api/v1/inquiries/verify", json={**body, "policy_no": "W0"})
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "wrong_answers": len(wrong),
        "first_wrong": wrong[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", default="postgresql", choices=("postgresql", "sqlite"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        import django

        django.setup()
        print(json.dumps(build(args.policies)))
        return
    env = migrated_env(args.database, var=VAR, db_name=DB_NAME)
    # the load is the point here, not the per-token limit
    env["VERACITY_API_RATE"] = "1000000/1"
    built = subprocess.run(
        [sys.executable, __file__, "--worker", "--policies", str(args.policies)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    book = json.loads(built.stdout.strip().splitlines()[-1])
    result = load(env, args.policies, args.requests, args.concurrency)
    print(
        f"inquiry verify ({args.database}, {book['policies']:,} policies, book loaded in "
        f"{book['load_s']} s): {result['requests']} requests, {result['concurrency']} clients, "
        f"gunicorn 2 workers x 4 threads: {result['req_per_s']:.0f} req/s  "
        f"p50 {result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  "
        f"(aim p99 <= 50 ms at >= 200 req/s; wrong answers {result['wrong_answers']})",
        flush=True,
    )
    if result["first_wrong"]:
        print("  e.g. " + " | ".join(result["first_wrong"]), flush=True)
    if args.database == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
