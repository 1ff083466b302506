"""``veracity demo-portal``: the demo's portal login (demo settings only), printed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from veracity.demo.portal import DEMO_PORTAL_PASSWORD, demo_portal_account_ensure


class Command(BaseCommand):
    help = "Give one demo customer a portal account (demo settings only) and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "VERACITY_PRODUCTION", False) or not getattr(
            settings, "VERACITY_DEMO", False
        ):
            raise CommandError("the demo portal account is only made with the demo settings")
        found = demo_portal_account_ensure()
        if found is None:
            self.stdout.write(
                "no demo customer holds one numbered policy and is insured by another yet "
                "/ 暂无同时为投保人与被保险人的演示客户"
            )
            return
        self.stdout.write(
            "customer portal /my/ / 客户自助服务: "
            f"{found.name}, {found.id_type} {found.id_number}, password {DEMO_PORTAL_PASSWORD} "
            f"(policyholder of {found.as_policyholder}, insured of {found.as_insured})"
        )
