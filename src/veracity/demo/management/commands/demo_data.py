"""``veracity demo-data --customers N``: a realistic synthetic book (the benchmarks use the
same generator): sellers first, then applications through the normal import path, then the
core system's policy service events of the applications the gate let through (they take
effect, premiums, claims, changes, a lapse) through the recording service."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from veracity.audit.services import Actor
from veracity.customers.models import Customer
from veracity.demo.generator import (
    PRODUCTS,
    DemoConfig,
    DemoPolicy,
    applications,
    policy_events,
    sellers,
    training,
)
from veracity.policies.event_services import policy_events_import
from veracity.policies.models import Policy, PolicyStatus, Product
from veracity.policies.services import applications_import
from veracity.sales.services import sellers_import
from veracity.sales.training import training_import


class Command(BaseCommand):
    help = "Generate a synthetic book of customers, sellers and applications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the register already has customers",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("demo data already present / 已有演示数据")
            return
        cfg = DemoConfig(customers=options["customers"], seed=options["seed"])
        actor = Actor.system("demo-data")
        started = time.perf_counter()
        _product_catalogue()
        seller_report = sellers_import(
            ((i, s) for i, s in enumerate(sellers(cfg), start=1)), actor=actor
        )
        training_report = training_import(
            ((i, t) for i, t in enumerate(training(cfg), start=1)), actor=actor
        )
        total = 0

        def counted() -> Any:
            nonlocal total
            for i, app in enumerate(applications(cfg), start=1):
                total = i
                if i % 5000 == 0:
                    self.stderr.write(f"  {i} applications…")
                yield i, app

        report = applications_import(
            counted(), actor=actor, as_of=timezone.localdate(), batch_size=options["batch_size"]
        )
        events_report = policy_events_import(
            ((i, e) for i, e in enumerate(policy_events(cfg, _waiting_policies()), start=1)),
            actor=actor,
        )
        self.stdout.write(
            json.dumps(
                {
                    "sellers": seller_report.summary(),
                    "training": training_report.summary(),
                    "applications": report.summary(),
                    "policy_events": events_report.summary(),
                    "customers": Customer.objects.count(),
                    "seconds": round(time.perf_counter() - started, 1),
                },
                ensure_ascii=False,
            )
        )


def _waiting_policies() -> list[DemoPolicy]:
    """The stored applications the core system puts in force: every one the gate did not
    block that has no policy number yet (the core system's events then give it one)."""
    rows = (
        Policy.objects.filter(policy_no__isnull=True)
        .exclude(status=PolicyStatus.BLOCKED)
        .order_by("application_no")
        .values_list(
            "application_no",
            "product__code",
            "applied_on",
            "cooling_off_ends_on",
            "callback_due_on",
        )
    )
    return [
        DemoPolicy(no, code, applied_on or timezone.localdate(), cooling, callback)
        for no, code, applied_on, cooling, callback in rows
    ]


def _product_catalogue() -> None:
    """The demo's product table with the products' names: the demo's application feed, like
    the core system's, carries only product codes, and screens show products by name."""
    for spec in PRODUCTS:
        Product.objects.update_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "type": spec["type"], "term_years": spec["term_years"]},
        )
