"""``veracity notify send [--once] [--limit N]``

Sends the customer notices that are due (SMS, e-mail) and polls the SMS notices still
without a delivery result; prints the counts. ``--once``: one batch and one poll, then stop
(what the Huey job does every minute); without it, every due batch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from veracity.notices.sending import notices_run


class Command(BaseCommand):
    help = "Send due customer notices / 发送到期的客户通知"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send what is due")
        send.add_argument("--once", action="store_true", help="one batch, then stop")
        send.add_argument("--limit", type=int, default=500, help="notices per batch")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = max(1, min(int(options["limit"]), 10_000))
        counts = notices_run(batches=1 if options["once"] else 0, limit=limit)
        self.stdout.write(
            f"claimed {counts.claimed} / 取出, sent {counts.sent} / 已发送, "
            f"failed {counts.failed} / 失败, retry later {counts.retried} / 稍后重试, "
            f"polled {counts.polled} / 查询 ({counts.receipts} receipts / 回执)"
        )
