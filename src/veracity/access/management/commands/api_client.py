"""``veracity api-client NAME --system core|bancassurance [--channels C,C…] [--designated
USERNAME]``: register a system that calls the API and print its token (shown once; only its
hash is kept).

The client may create and update only applications of its own system, in its sales channels:
by default the bancassurance system (银保通) the bancassurance channel and the core business
system every other channel; ``--channels`` names them instead. The designated person's
approved export requests cover the system's bulk reads (D4.23)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.access.models import SYSTEM_CHANNELS, ApiClient
from veracity.policies.models import Channel


def _channels(raw: str) -> list[str]:
    channels = [c.strip() for c in raw.split(",") if c.strip()]
    unknown = sorted(set(channels) - set(Channel.values))
    if unknown:
        raise CommandError(
            f"unknown channel {', '.join(unknown)}; expected {', '.join(Channel.values)}"
            f" / 销售渠道无效：{', '.join(unknown)}"
        )
    return list(dict.fromkeys(channels))


class Command(BaseCommand):
    help = "Register an API client of the truthfulness gate and print its token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--system", choices=ApiClient.System.values, default="core")
        parser.add_argument(
            "--channels",
            metavar="CHANNEL,…",
            help="the sales channels whose applications it may submit (default: its "
            + "; ".join(f"{s}: {','.join(c) or '-'}" for s, c in SYSTEM_CHANNELS.items())
            + ")",
        )
        parser.add_argument(
            "--designated", metavar="USERNAME", help="the person designated for its bulk reads"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError(f"API client {options['name']!r} exists / 该接口客户端已存在")
        channels = _channels(options["channels"]) if options["channels"] is not None else None
        designated = None
        if options["designated"]:
            from django.contrib.auth import get_user_model

            designated = get_user_model().objects.filter(username=options["designated"]).first()
            if designated is None:
                raise CommandError(f"no user {options['designated']!r} / 用户不存在")
        client, token = ApiClient.issue(
            name=options["name"], system=options["system"], channels=channels
        )
        if designated is not None:
            client.designated_user = designated
            client.save(update_fields=["designated_user"])
        self.stdout.write(
            f"{client.name} ({client.system}; channels: {', '.join(client.channels) or '-'})"
            f" token: {token}"
        )
