"""``veracity api-client NAME --system core|bancassurance [--designated USERNAME]``: register a
system that calls the API and print its token (shown once; only its hash is kept). The
designated person's approved export requests cover the system's bulk reads (D4.23)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.access.models import ApiClient


class Command(BaseCommand):
    help = "Register an API client of the truthfulness gate and print its token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--system", choices=ApiClient.System.values, default="core")
        parser.add_argument(
            "--designated", metavar="USERNAME", help="the person designated for its bulk reads"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError(f"API client {options['name']!r} exists / 该接口客户端已存在")
        designated = None
        if options["designated"]:
            from django.contrib.auth import get_user_model

            designated = get_user_model().objects.filter(username=options["designated"]).first()
            if designated is None:
                raise CommandError(f"no user {options['designated']!r} / 用户不存在")
        client, token = ApiClient.issue(name=options["name"], system=options["system"])
        if designated is not None:
            client.designated_user = designated
            client.save(update_fields=["designated_user"])
        self.stdout.write(f"{client.name} ({client.system}) token: {token}")
