"""A fresh, migrated benchmark database and the environment of a worker process that uses it:
PostgreSQL (dropped and created again) or an SQLite file (removed), then ``veracity migrate``.
Shared by the benchmarks that time a worker against their own database, with
:func:`run_worker` that runs the worker and drops (or keeps) the database afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BASE = "postgres://postgres@127.0.0.1:5432/"


def migrated_env(database: str, *, var: Path, db_name: str) -> dict[str, str]:
    """The worker's environment (demo settings, DEBUG off) on a new, migrated ``db_name``."""
    var.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="veracity.config.settings.demo",
        VERACITY_VAR_DIR=str(var),
        DEBUG="0",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    if database == "postgresql":
        import psycopg

        env["DATABASE_URL"] = PG_BASE + db_name
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {db_name}")
    else:
        path = var / f"{db_name}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
        for p in var.glob(f"{db_name}.sqlite3*"):
            p.unlink()
    subprocess.run([str(ROOT / ".venv/bin/veracity"), "migrate", "-v0"], env=env, check=True)
    return env


def run_worker(
    database: str, env: dict[str, str], cmd: list[str], *, var: Path, db_name: str, keep: bool
) -> dict[str, Any]:
    """Run the benchmark's worker ``cmd`` in ``env``, read the JSON of its last output line,
    then keep the database (``keep``: its address is printed) or drop it."""
    print(f"{database}: running", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if keep:
        print(f"  kept: {env['DATABASE_URL']}", file=sys.stderr)
    elif database == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    else:
        for p in var.glob(f"{db_name}.sqlite3*"):
            p.unlink()
    return result
