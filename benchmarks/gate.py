"""Truthfulness-gate benchmarks; prints its figures.

1. core rules, one process: applications/s of ``veracity.core.gate.evaluate`` beside a naive
   loop calling ``stdnum.cn.ric.validate`` and ``phonenumbers.parse`` on the same fields
   (``benchmarks/gate_core.py``);
2. ``POST /api/v1/applications/check`` under load: gunicorn on 127.0.0.1, concurrent
   clients, latency p50/p99 and requests/s;
3. ``veracity import applications`` of N applications (default 100,000) on SQLite and on
   PostgreSQL: rows/s.

    uv run python benchmarks/gate.py [--import-rows 100000] [--requests 4000] [--skip-import]

Targets (issue 2): core ≥ 20,000 applications/s and ≥ 3× the naive loop; import of 100,000
applications ≤ 60 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks import gate_core  # noqa: E402
from veracity.demo.generator import DemoConfig, applications, sellers  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "veracity_bench"


def bench_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "veracity.config.settings.demo",
            "DEBUG": "0",
            "VERACITY_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    return env


def veracity(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "veracity.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"veracity {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def reset_postgres() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB


def write_files(n: int, workdir: Path) -> tuple[Path, Path]:
    cfg = DemoConfig(customers=int(n * 1.6))
    apps_path, sellers_path = workdir / "applications.jsonl", workdir / "sellers.jsonl"
    with sellers_path.open("w", encoding="utf-8") as handle:
        for seller in sellers(cfg):
            handle.write(json.dumps(seller, ensure_ascii=False, default=str) + "\n")
    with apps_path.open("w", encoding="utf-8") as handle:
        for app in islice(applications(cfg), n):
            handle.write(json.dumps(app, ensure_ascii=False, default=str) + "\n")
    return apps_path, sellers_path


def bench_import(name: str, database_url: str, n: int, workdir: Path) -> None:
    var = workdir / f"var-{name}"
    env = bench_env(database_url, var)
    veracity(env, "migrate", "--no-input")
    apps_path, sellers_path = write_files(n, workdir)
    veracity(env, "import", "sellers", str(sellers_path))
    started = time.perf_counter()
    out = veracity(env, "import", "applications", str(apps_path))
    elapsed = time.perf_counter() - started
    summary = json.loads(out.splitlines()[0])
    print(
        f"import {name:<10} {n:>8} applications  {elapsed:7.1f} s  {n / elapsed:8.0f} rows/s  "
        f"(created {summary['created']}, rejected {summary['rejected']})",
        flush=True,
    )


def bench_api(requests_total: int, concurrency: int, workdir: Path) -> None:
    import httpx

    var = workdir / "var-api"
    db = f"sqlite:///{var / 'api.sqlite3'}"
    var.mkdir(parents=True, exist_ok=True)
    env = bench_env(db, var)
    # The load is the point here, not the per-token limit (``VERACITY_API_RATE``); the
    # generated applications come from every channel.
    env["VERACITY_API_RATE"] = "1000000/1"
    veracity(env, "migrate", "--no-input")
    channels = "agency,bancassurance,intermediary,direct,telemarketing,internet"
    token = (
        veracity(env, "api-client", "bench", "--system", "core", "--channels", channels)
        .strip()
        .rsplit(" ", 1)[-1]
    )
    port = 8765
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
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        payloads = list(islice(applications(DemoConfig(customers=2000)), 500))
        latencies: list[float] = []
        lock = threading.Lock()
        per_thread = requests_total // concurrency

        def worker(offset: int) -> None:
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as client:
                local = []
                for i in range(per_thread):
                    body = payloads[(offset + i) % len(payloads)]
                    t0 = time.perf_counter()
                    response = client.post("/api/v1/applications/check", json=body)
                    local.append(time.perf_counter() - t0)
                    if response.status_code != 200:
                        raise SystemExit(f"HTTP {response.status_code}: {response.text[:200]}")
                with lock:
                    latencies.extend(local)

        threads = [threading.Thread(target=worker, args=(k * 37,)) for k in range(concurrency)]
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
    print(
        f"api /applications/check  {len(latencies)} requests, {concurrency} clients, "
        f"gunicorn 2 workers x 4 threads: {len(latencies) / elapsed:7.0f} req/s  "
        f"p50 {q[49] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--core-applications", type=int, default=50_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    gate_core.run(args.core_applications)
    with tempfile.TemporaryDirectory(prefix="veracity-bench-") as tmp:
        workdir = Path(tmp)
        bench_api(args.requests, args.concurrency, workdir)
        if not args.skip_import:
            if not args.skip_sqlite:
                bench_import(
                    "sqlite", f"sqlite:///{workdir / 'import.sqlite3'}", args.import_rows, workdir
                )
            bench_import("postgresql", reset_postgres(), args.import_rows, workdir)


if __name__ == "__main__":
    main()
