"""Throughput of the truthfulness gate core vs a naive stdnum/phonenumbers loop.

    uv run python benchmarks/gate_core.py [-n 50000]

Prints applications/s of ``gate.evaluate`` (one process, best of 3, caches cleared before
each run), the rate of a naive loop that only calls ``stdnum.cn.ric.validate`` on each ID
number and ``phonenumbers.parse`` + ``is_valid_number`` on each phone of the same
applications, and the ratio; then the same with the seller qualification check (SF-1) against
an in-memory snapshot of ``--sellers`` sellers (default 50,000: the demo's, the rest filler),
as the entry paths run it. Targets: ≥ 20,000 applications/s (with the qualification check
too) and ≥ 3× the naive loop.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import phonenumbers
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from veracity.core import completeness, contact, gate, identity
from veracity.core.qualification import SellerFacts, SellerSnapshot
from veracity.core.schema import parse_application
from veracity.demo.generator import DemoConfig, applications, sellers, training


def _clear_caches() -> None:
    contact.normalise_phone.cache_clear()
    identity._DATES.clear()
    completeness._DATE_CACHE.clear()


def _fields(apps: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    ids: list[str] = []
    phones: list[str] = []
    for app in apps:
        for role in ("policyholder", "insured"):
            block = app.get(role) or {}
            if block.get("id_number"):
                ids.append(block["id_number"])
            phones.extend(block.get("phones") or [])
        for ben in app.get("beneficiaries") or []:
            if ben.get("id_number"):
                ids.append(ben["id_number"])
        holder = (app.get("payer_account") or {}).get("holder_id_number")
        if holder:
            ids.append(holder)
    return ids, phones


def run_core(apps: list[dict[str, Any]], as_of: Any) -> float:
    _clear_caches()
    evaluate = gate.evaluate
    t0 = time.perf_counter()
    for app in apps:
        evaluate(app, as_of=as_of)
    return time.perf_counter() - t0


def seller_snapshot(cfg: DemoConfig, count: int) -> SellerSnapshot:
    """The demo's sellers with their training (as the register would hold them), and filler
    agents with 2 hours and a passed test up to ``count`` sellers."""
    from datetime import date
    from decimal import Decimal

    courses: dict[str, list[tuple[date, Decimal]]] = {}
    tests: dict[str, list[tuple[date, bool]]] = {}
    for t in training(cfg):
        on = date.fromisoformat(t["date"])
        if t["kind"] == "course":
            courses.setdefault(t["seller_code"], []).append((on, Decimal(str(t["hours"]))))
        else:
            tests.setdefault(t["seller_code"], []).append((on, bool(t["passed"])))
    facts = {
        s["code"]: SellerFacts(
            code=s["code"],
            kind=s["kind"],
            courses=tuple(courses.get(s["code"], ())),
            tests=tuple(tests.get(s["code"], ())),
        )
        for s in sellers(cfg)
    }
    start = date(2024, 1, 8)
    for i in range(max(0, count - len(facts))):
        code = f"FILL{i:07d}"
        facts[code] = SellerFacts(
            code=code,
            kind="agent",
            courses=((start, Decimal(2)),),
            tests=((start, True),),
        )
    return SellerSnapshot(facts=facts)


def run_qualified(apps: list[dict[str, Any]], as_of: Any, snapshot: SellerSnapshot) -> float:
    """The gate with the seller qualification check against the snapshot."""
    _clear_caches()
    evaluate = gate.evaluate
    t0 = time.perf_counter()
    for app in apps:
        evaluate(app, as_of=as_of, sellers=snapshot)
    return time.perf_counter() - t0


def run_schema(apps: list[dict[str, Any]], as_of: Any) -> float:
    """The entry paths' whole check: the one strict schema, then the gate."""
    _clear_caches()
    evaluate = gate.evaluate
    t0 = time.perf_counter()
    for app in apps:
        evaluate(parse_application(app), as_of=as_of)
    return time.perf_counter() - t0


def run_naive(ids: list[str], phones: list[str]) -> float:
    t0 = time.perf_counter()
    for number in ids:
        with contextlib.suppress(ValidationError):
            ric.validate(number)
    for phone in phones:
        with contextlib.suppress(phonenumbers.NumberParseException):
            phonenumbers.is_valid_number(phonenumbers.parse(phone, "CN"))
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000, help="applications (default 50,000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sellers", type=int, default=50_000, help="sellers in the snapshot (default 50,000)"
    )
    args = parser.parse_args()
    run(args.n, repeat=args.repeat, seller_count=args.sellers)


def run(count: int, *, repeat: int = 3, seller_count: int = 50_000) -> None:
    """Generate ``count`` applications and print the core and naive rates."""
    cfg = DemoConfig(customers=int(count * 1.6))
    t0 = time.perf_counter()
    apps = []
    for app in applications(cfg):
        apps.append(app)
        if len(apps) >= count:
            break
    gen_s = time.perf_counter() - t0
    n = len(apps)
    ids, phones = _fields(apps)
    print(
        f"generated {n:,} applications in {gen_s:.2f} s ({n / gen_s:,.0f}/s); "
        f"{len(ids):,} ID numbers, {len(phones):,} phones"
    )

    core = min(run_core(apps, cfg.as_of) for _ in range(repeat))
    naive = min(run_naive(ids, phones) for _ in range(repeat))
    strict = min(run_schema(apps, cfg.as_of) for _ in range(repeat))
    fails = sum(gate.evaluate(a, as_of=cfg.as_of).verdict == "fail" for a in apps)
    core_rate = n / core
    naive_rate = n / naive
    print(
        f"gate.evaluate        : {core_rate:>10,.0f} applications/s  (best of {repeat}, "
        f"{core:.2f} s; {fails:,} failed)"
    )
    print(
        f"naive stdnum+phonenumbers: {naive_rate:>6,.0f} applications/s  ({naive:.2f} s, "
        f"IDs and phones only)"
    )
    print(f"ratio                : {core_rate / naive_rate:>10.1f}x")
    print(
        f"schema + gate        : {n / strict:>10,.0f} applications/s  (best of {repeat}, "
        f"{strict:.2f} s; what the API and the import run per record)"
    )
    t0 = time.perf_counter()
    snapshot = seller_snapshot(cfg, seller_count)
    snap_s = time.perf_counter() - t0
    qualified = min(run_qualified(apps, cfg.as_of, snapshot) for _ in range(repeat))
    unqualified = sum(
        any(
            f.code == "SELLER_UNQUALIFIED"
            for f in gate.evaluate(a, as_of=cfg.as_of, sellers=snapshot).findings
        )
        for a in apps
    )
    qualified_rate = n / qualified
    print(
        f"gate + qualification : {qualified_rate:>10,.0f} applications/s  (best of {repeat}, "
        f"{qualified:.2f} s; snapshot of {len(snapshot.facts):,} sellers built in "
        f"{snap_s:.2f} s; {unqualified:,} SELLER_UNQUALIFIED)"
    )
    ok = core_rate >= 20_000 and core_rate >= 3 * naive_rate and qualified_rate >= 20_000
    print(
        "targets (>= 20,000/s with and without the qualification check, >= 3x naive):",
        "MET" if ok else "NOT MET",
    )


if __name__ == "__main__":
    main()
