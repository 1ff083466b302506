"""``veracity import`` killed (kill -9) and run again gives exactly the rows of one clean
run, and leaves no pool worker behind (issue 10, point 8).

The import runs as a real subprocess on the test database (committed data: a transactional
test). A small bootstrap wraps one of the import's steps to SIGKILL its own process at a
named point — after the N-th batch committed, or with the N-th batch written but not yet
committed — so the kill points are exact, not a race with a timer.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import base_application, resident_id
from veracity.customers.models import (
    Address,
    BankAccount,
    Customer,
    Email,
    IdentityChange,
    IdentityDocument,
    Phone,
)
from veracity.policies.models import GateCheck, Policy, PolicyRole, SupplementRequest

BATCH = 20

BOOT = """
import os, signal, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "veracity.config.settings.test"
import django
django.setup()
from veracity.policies import services

path, point, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
step = {"committed": "_import_batch", "written": "_store_prepared"}.get(point)
if step:
    inner = getattr(services, step)
    seen = [0]

    def wrapped(*args, **kwargs):
        result = inner(*args, **kwargs)
        seen[0] += 1
        if seen[0] == at:
            if point == "written":  # rows written, the batch's transaction not committed
                from django.db import connection
                assert connection.in_atomic_block
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(services, step, wrapped)
from veracity.cli import main
main(["veracity", "import", "applications", path, "--batch-size", sys.argv[4]])
"""


def applications(count: int) -> list[dict[str, Any]]:
    """Applications with people an ID number does not identify — minors insured without
    one (some the same child on two applications), policyholders without one, beneficiaries
    with an unusable one — and resubmissions of earlier applications, a few batches later,
    with another phone."""
    apps = []
    born = date(1960, 1, 1)
    for i in range(count):
        app = copy.deepcopy(base_application(f"K{i:05d}"))
        holder = app["policyholder"]
        birth = born + timedelta(days=11 * i)
        holder["birth_date"] = birth.isoformat()
        holder["sex"] = "M" if i % 2 else "F"
        holder["id_number"] = resident_id(
            "110101", holder["birth_date"], 100 + i % 2 + 2 * (i % 400)
        )
        holder["phones"] = [f"139{i:08d}"]
        holder["name"] = f"客户{i}"
        app["payer_account"]["holder_name"] = holder["name"]
        app["payer_account"]["holder_id_number"] = holder["id_number"]
        app["payer_account"]["number"] = f"6222020200{i:09d}"
        if i % 3 == 0:  # a minor insured without an ID number
            app["insured"]["id_number"] = None
            app["insured"]["name"] = f"孩子{i // 6}"  # two applications of the same child …
            if i % 6 == 3:  # … under the same policyholder
                prev = apps[-3]["policyholder"]
                app["policyholder"] = copy.deepcopy(prev)
                app["payer_account"] = copy.deepcopy(apps[-3]["payer_account"])
        if i % 7 == 0:  # a policyholder without an ID number
            holder["id_number"] = ""
            app["payer_account"]["holder_id_number"] = ""
        if i % 5 == 0:  # a beneficiary whose ID number normalises to nothing
            app["beneficiaries"][0]["id_number"] = "-"
        apps.append(app)
    out = list(apps)
    for i in range(0, count, 4):
        again = copy.deepcopy(apps[i])
        again["policyholder"]["phones"] = [f"137{i:08d}"]
        out.insert(min(len(out), i + i // 4 + 6 * BATCH), again)
    return out


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def run_import(path: Path, point: str = "", at: int = 0) -> subprocess.CompletedProcess[str]:
    """Run the import to its end (or its kill). Output goes to files, not pipes: a worker
    that outlived the import would hold a pipe open and keep the test waiting."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out, err = path.with_suffix(".out"), path.with_suffix(".err")
    with out.open("w") as stdout, err.open("w") as stderr:
        done = subprocess.run(
            [sys.executable, "-c", BOOT, str(path), point or "-", str(at), str(BATCH)],
            stdout=stdout,
            stderr=stderr,
            env=env,
            timeout=600,
            check=False,
        )
    return subprocess.CompletedProcess(done.args, done.returncode, out.read_text(), err.read_text())


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def survivors(path: Path) -> list[int]:
    """Processes still running the import of ``path`` (a forked worker shares its command
    line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(path).encode() in cmdline and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def no_survivors(path: Path) -> list[int]:
    """The processes of the import of ``path`` still running after a grace period; those
    are then ended, so a failing test leaves none behind."""
    deadline = time.monotonic() + 10
    while (left := survivors(path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def snapshot() -> dict[str, Any]:
    """The database as a comparable value, ids left out (they differ between runs).

    A customer is described by its facts, its document (blind index) and where it takes
    part — every (application, role, position) of its roles — so a duplicate or an orphan
    shows as an extra entry. Gate checks: the last one of each policy, and the set of
    distinct submissions checked (a rerun checks an identical submission again only when a
    later one of the same application was stored in between)."""
    docs = dict(IdentityDocument.objects.values_list("customer_id", "number_bidx"))
    roles = list(
        PolicyRole.objects.values_list(
            "customer_id", "policy__application_no", "role", "position", "relation", "name"
        )
    )
    places: dict[int, list[tuple[str, str, int]]] = {}
    for cid, no, role, position, _relation, _name in roles:
        if cid is not None:
            places.setdefault(cid, []).append((no, role, position))
    who = {
        c.pk: (
            c.name,
            c.sex,
            str(c.birth_date),
            docs.get(c.pk, ""),
            tuple(sorted(places.get(c.pk, []))),
        )
        for c in Customer.objects.all()
    }

    def owned(model: Any, bidx: str) -> Counter[Any]:
        return Counter(
            (who[cid], value) for cid, value in model.objects.values_list("customer_id", bidx)
        )

    last: dict[str, tuple[Any, ...]] = {}
    for no, verdict, digest, findings in GateCheck.objects.order_by("pk").values_list(
        "policy__application_no", "verdict", "digest", "findings"
    ):
        last[no] = (verdict, digest, tuple(sorted(f["code"] for f in findings)))
    return {
        "customers": Counter(who.values()),
        "customer_count": len(who),
        "roles": Counter(
            (who.get(cid), no, role, position, relation, name)
            for cid, no, role, position, relation, name in roles
        ),
        "policies": set(
            Policy.objects.values_list(
                "application_no",
                "product__code",
                "channel",
                "verdict",
                "status",
                "payer_account__number_bidx",
            )
        ),
        "phones": owned(Phone, "number_bidx"),
        "addresses": owned(Address, "text_bidx"),
        "emails": owned(Email, "address_bidx"),
        "accounts": owned(BankAccount, "number_bidx"),
        "last_checks": last,
        "submissions": set(GateCheck.objects.values_list("policy__application_no", "digest")),
        "open_requests": set(
            SupplementRequest.objects.filter(status="open").values_list(
                "policy__application_no", flat=True
            )
        ),
        "identity_changes": Counter(
            (who[cid], no, role, name, sex, str(birth))
            for cid, no, role, name, sex, birth in IdentityChange.objects.values_list(
                "customer_id", "application_no", "role", "name", "sex", "birth_date"
            )
        ),
    }


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.splitlines()[0])


@pytest.mark.django_db(transaction=True)
def test_killed_import_rerun_equals_a_clean_run(tmp_path):
    rows = applications(500)
    path = tmp_path / "applications.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    batches = -(-len(rows) // BATCH)

    clean = summary(run_import(path))
    assert clean["rejected"] == 0 and clean["rows"] == len(rows)
    expected = snapshot()
    assert expected["customer_count"] > 0
    assert not no_survivors(path)
    call_command("flush", interactive=False, verbosity=0)
    assert not Policy.objects.exists()

    # killed three times, each run getting further, then run to the end
    for point, at in (("committed", 3), ("written", 15), ("committed", batches - 4)):
        killed = run_import(path, point, at)
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
        assert not no_survivors(path), "a pool worker outlived the killed import"
    again = summary(run_import(path))
    assert again["rejected"] == 0
    assert snapshot() == expected
    # and once more: nothing changes
    assert summary(run_import(path))["created"] == 0
    assert snapshot() == expected


BUSY_WORKER = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "veracity.config.settings.test"
import django
django.setup()
from veracity.policies.services import _preparer

pool = _preparer()
print(pool.submit(os.getpid).result(), flush=True)
pool.submit(time.sleep, 120)
time.sleep(120)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_busy_pool_worker_ends_with_its_killed_parent():
    parent = subprocess.Popen(
        [sys.executable, "-c", BUSY_WORKER], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    try:
        assert alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(worker), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        if alive(worker):
            os.kill(worker, signal.SIGKILL)
