"""``veracity demo-users``: one login per role for the embedded demo, printed."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from veracity.demo.accounts import demo_users_ensure
from veracity.sales.models import Seller, SellerKind


class Command(BaseCommand):
    help = "Create the demo logins (demo settings only) and print them."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo logins share one published password: never on a production system.
        if getattr(settings, "VERACITY_PRODUCTION", False):
            raise CommandError("demo users are never created with the production settings")
        if not getattr(settings, "VERACITY_DEMO", False):
            raise CommandError("demo users are only created with the demo settings")
        agent = (
            Seller.objects.filter(kind=SellerKind.AGENT, policies__isnull=False)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        users = demo_users_ensure(agent_code=agent)
        address = os.environ.get("DEMO_ADDR") or "127.0.0.1:8000"
        self.stdout.write(f"Veracity demo at http://{address}  —  logins / 演示账号:")
        for username, role, password in users:
            self.stdout.write(f"  {username:<8} {password}   {role}")
