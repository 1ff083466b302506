"""Audit-trail benchmark (issue 5); prints its figures.

On PostgreSQL, in a database of its own (``vbench_audit``, created and dropped here):

1. appends: 1, 4 and 8 writer processes append for ``--seconds`` each, every event its own
   transaction through ``audit_record``, then the same batched — ``--batch`` events per
   ``audit_record_many`` call; events/s over all writers. The chain is verified afterwards
   (concurrent writers must leave it gap-free and linked).
2. verification: ``--events`` (default 10,000,000) events are chained in Python (the real
   ``chain`` functions) and loaded with ``COPY`` (secondary indexes dropped during the load
   and rebuilt), then ``audit_verify()`` is timed. For comparison, the plain verification
   (every row through the ORM and ``event_hash``, as before) is timed over the first
   ``--compare`` events and extrapolated.

    .venv/bin/python benchmarks/audit.py [--events 10000000] [--seconds 10] [--batch 100]
        [--writers 1,4,8] [--compare 500000] [--keep]

Target: verification of 10,000,000 events ≤ 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
NAME = "vbench_audit"
VAR = Path(os.environ.get("VBENCH_DIR", "/tmp/vbench-audit"))


def _setup() -> None:
    import django

    django.setup()


# --- append workers ------------------------------------------------------------------------


def append_worker(spec: dict[str, Any]) -> None:
    """Append until ``spec['until']`` (epoch seconds) after waiting for ``spec['start']``;
    print the events written and the seconds it took."""
    _setup()
    from django.db import connection

    from veracity.audit.models import Action
    from veracity.audit.services import Actor, Event, audit_record, audit_record_many

    actor = Actor(label=f"writer{spec['worker']}", user_id=spec["worker"] + 1, ip="10.0.0.1")
    batch = spec["batch"]
    connection.ensure_connection()

    def event(i: int) -> Event:
        return Event(
            action=Action.VIEW_PERSONAL_DATA,
            object_type="customer",
            object_id=str(i),
            customer_id=i,
            purpose="customer_service",
            detail={"fields": ["name", "phone"]},
        )

    while time.time() < spec["start"]:
        time.sleep(0.005)
    t0 = time.perf_counter()
    written, i = 0, 0
    while time.time() < spec["until"]:
        if batch == 1:
            audit_record(actor=actor, event=event(i))
            written += 1
        else:
            audit_record_many(actor=actor, events=[event(i + k) for k in range(batch)])
            written += batch
        i += batch
    print(json.dumps({"events": written, "seconds": time.perf_counter() - t0}))


def appends(writers: int, batch: int, seconds: float, env: dict[str, str]) -> dict[str, Any]:
    start = time.time() + 4.0  # every process set up before the clock starts
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--append-worker",
                json.dumps(
                    {
                        "worker": w,
                        "batch": batch,
                        "start": start,
                        "until": start + seconds,
                    }
                ),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"an append worker failed ({proc.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    events = sum(r["events"] for r in results)
    wall = max(r["seconds"] for r in results)
    return {"writers": writers, "batch": batch, "events": events, "per_s": events / wall}


# --- verification --------------------------------------------------------------------------


def build_and_verify(spec: dict[str, Any]) -> None:
    """Empty the trail, load ``spec['events']`` chained events with COPY, time verification."""
    _setup()
    import psycopg
    from django.db import connection

    from veracity.audit.chain import body, json_int, link_hash
    from veracity.audit.models import GENESIS_HASH
    from veracity.audit.services import audit_verify

    n = spec["events"]
    url = os.environ["DATABASE_URL"]
    out: dict[str, Any] = {"events": n}
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("SET veracity.allow_audit_purge = 'on'")  # the benchmark's own database
        pg.execute("TRUNCATE audit_auditevent")
        # Secondary indexes and the unique constraint on hash are rebuilt after the load.
        constraints = pg.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'audit_auditevent'::regclass AND contype = 'u'"
        ).fetchall()
        indexes = pg.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'audit_auditevent'::regclass)"
        ).fetchall()
        for name, _definition in constraints:
            pg.execute(f'ALTER TABLE audit_auditevent DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            pg.execute(f'DROP INDEX "{name}"')
        t0 = time.perf_counter()
        base = datetime(2025, 11, 27, tzinfo=UTC)
        actions = ("view_personal_data", "search_personal_data", "login", "change", "gate_check")
        purposes = ("customer_service", "problem_item", "callback", "compliance_check", "")
        prev = GENESIS_HASH
        with (
            pg.cursor() as cur,
            cur.copy(
                "COPY audit_auditevent (seq, occurred_at, actor_id, actor, action, object_type, "
                "object_id, customer_id, purpose, ip, detail, prev_hash, hash) FROM STDIN"
            ) as copy,
        ):
            lines: list[str] = []
            for seq in range(1, n + 1):
                at = base + timedelta(microseconds=seq * 3_000_017)
                stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                user = seq % 997
                action = actions[seq % 5]
                purpose = purposes[seq % 5]
                customer = seq % 1_000_003
                oid = str(customer)
                ip = f"10.{seq % 7}.{seq % 251}.{seq % 241}"
                detail = '{"fields":["name","phone"]}' if seq % 3 else ""
                digest = link_hash(
                    prev,
                    body(
                        seq,
                        stamp,
                        json_int(user),
                        f"user{user}",
                        action,
                        "customer",
                        oid,
                        json_int(customer),
                        purpose,
                        ip,
                        detail,
                    ),
                )
                lines.append(
                    f"{seq}\t{at.isoformat()}\t{user}\tuser{user}\t{action}\tcustomer\t{oid}\t"
                    f"{customer}\t{purpose}\t{ip}\t{detail}\t{prev}\t{digest}\n"
                )
                prev = digest
                if len(lines) >= 20_000:
                    copy.write("".join(lines))
                    lines = []
                if seq % 1_000_000 == 0:
                    print(f"  built {seq:,}", file=sys.stderr, flush=True)
            copy.write("".join(lines))
        out["load_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        for name, definition in constraints:
            pg.execute(f'ALTER TABLE audit_auditevent ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            pg.execute(definition)
        pg.execute("VACUUM ANALYZE audit_auditevent")
        out["index_s"] = round(time.perf_counter() - t0, 1)
        out["table_mb"] = round(
            pg.execute("SELECT pg_total_relation_size('audit_auditevent')").fetchone()[0] / 2**20
        )
    print(f"  loaded in {out['load_s']} s, indexed in {out['index_s']} s", file=sys.stderr)
    t0 = time.perf_counter()
    report = audit_verify()
    out["verify_s"] = round(time.perf_counter() - t0, 1)
    out["verify_ok"] = report.ok and report.events == n and report.head_hash == prev
    out["problems"] = list(report.problems[:3])
    print(f"  verified in {out['verify_s']} s ok={out['verify_ok']}", file=sys.stderr)
    compare = min(spec["compare"], n)
    if compare:
        t0 = time.perf_counter()
        plain_verify(compare)
        per_event = (time.perf_counter() - t0) / compare
        out["plain_s_extrapolated"] = round(per_event * n, 1)
        out["compare_events"] = compare
    connection.close()
    print(json.dumps(out))


def plain_verify(limit: int) -> int:
    """The verification as it was: ORM rows in keyset batches, ``event_hash`` per row."""
    from veracity.audit.chain import event_hash
    from veracity.audit.models import AuditEvent

    last, count, prev = 0, 0, "0" * 64
    while count < limit:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:20_000])
        if not batch:
            break
        for row in batch:
            digest = event_hash(
                prev_hash=row.prev_hash,
                seq=row.seq,
                occurred_at=row.occurred_at,
                actor_id=row.actor_id,
                actor=row.actor,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                customer_id=row.customer_id,
                purpose=row.purpose,
                ip=row.ip,
                detail=row.detail,
            )
            if digest != row.hash or row.prev_hash != prev:
                raise SystemExit(f"plain verification failed at seq {row.seq}")
            prev = row.hash
            count += 1
        last = batch[-1].seq
    return count


def verify_chain_now() -> None:
    _setup()
    from veracity.audit.services import audit_verify

    report = audit_verify()
    print(json.dumps({"ok": report.ok, "events": report.events, "problems": report.problems}))


# --- driver --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    import psycopg

    VAR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="veracity.config.settings.demo",
        VERACITY_VAR_DIR=str(VAR),
        DEBUG="0",
        DATABASE_URL=PG_BASE + NAME,
    )
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {NAME}")
    try:
        subprocess.run([str(ROOT / ".venv/bin/veracity"), "migrate", "-v0"], env=env, check=True)
        results = []
        for batch in (1, args.batch):
            for writers in (int(w) for w in args.writers.split(",")):
                print(f"appends: {writers} writers, batch {batch}", file=sys.stderr, flush=True)
                results.append(appends(writers, batch, args.seconds, env))
        check = subprocess.run(
            [sys.executable, __file__, "--verify-now"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        chain = json.loads(check.stdout.strip().splitlines()[-1])
        print(f"verification of {args.events:,} events", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--build-verify",
                json.dumps({"events": args.events, "compare": args.compare}),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        verification = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
    print(table(results, chain, verification))


def table(results: list[dict[str, Any]], chain: dict[str, Any], ver: dict[str, Any]) -> str:
    lines = [
        "PostgreSQL audit appends (events/s, all writers together)",
        f"{'writers':>8} {'audit_record':>14} {'audit_record_many':>22}",
    ]
    by = {(r["writers"], r["batch"]): r for r in results}
    batch = max(r["batch"] for r in results)
    for writers in sorted({r["writers"] for r in results}):
        one, many = by[(writers, 1)], by[(writers, batch)]
        lines.append(f"{writers:>8} {one['per_s']:>14,.0f} {many['per_s']:>14,.0f} (×{batch}/call)")
    lines.append(
        f"chain after the concurrent appends: {chain['events']:,} events, "
        f"{'intact' if chain['ok'] else 'BROKEN ' + str(chain['problems'][:3])}"
    )
    lines.append("")
    per_10m = ver["verify_s"] * 10_000_000 / ver["events"]
    verdict = "MET" if per_10m <= 60 else "NOT MET"
    if ver["events"] != 10_000_000:
        verdict += f" (≈ {per_10m:.0f} s extrapolated to 10M)"
    lines.append(f"PostgreSQL chain verification, {ver['events']:,} events ({ver['table_mb']} MB)")
    lines.append(
        f"  audit_verify: {ver['verify_s']} s ({ver['events'] / ver['verify_s']:,.0f} events/s), "
        f"{'intact' if ver['verify_ok'] else 'FAILED ' + str(ver['problems'])}; "
        f"target ≤ 60 s at 10M: {verdict}"
    )
    if "plain_s_extrapolated" in ver:
        lines.append(
            f"  plain ORM verification (before): {ver['plain_s_extrapolated']} s "
            f"(extrapolated from {ver['compare_events']:,} events)"
        )
    lines.append(f"  build: COPY load {ver['load_s']} s, indexes + VACUUM {ver['index_s']} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--writers", default="1,4,8")
    parser.add_argument("--compare", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--append-worker", help=argparse.SUPPRESS)
    parser.add_argument("--build-verify", help=argparse.SUPPRESS)
    parser.add_argument("--verify-now", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.append_worker:
        append_worker(json.loads(args.append_worker))
    elif args.build_verify:
        build_and_verify(json.loads(args.build_verify))
    elif args.verify_now:
        verify_chain_now()
    else:
        run(args)


if __name__ == "__main__":
    main()
