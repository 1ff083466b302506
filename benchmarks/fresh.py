"""A fresh, migrated benchmark database and the environment of a worker process that uses it:
PostgreSQL (dropped and created again) or an SQLite file (removed), then ``veracity migrate``.
Shared by the benchmarks that time a worker against their own database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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
