"""``veracity api-client NAME --system core|bancassurance``: register a system that calls the
gate API and print its token (shown once; only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.access.models import ApiClient


class Command(BaseCommand):
    help = "Register an API client of the truthfulness gate and print its token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--system", choices=ApiClient.System.values, default="core")

    def handle(self, *args: Any, **options: Any) -> None:
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError(f"API client {options['name']!r} exists / 该接口客户端已存在")
        client, token = ApiClient.issue(name=options["name"], system=options["system"])
        self.stdout.write(f"{client.name} ({client.system}) token: {token}")
