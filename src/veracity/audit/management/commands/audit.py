"""``veracity audit verify`` checks the whole hash chain; ``veracity audit head`` prints the
head (seq and hash) to anchor outside the database."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or print its head for anchoring."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head"])
        parser.add_argument(
            "--expect-head", help="SEQ:HASH anchored earlier; the chain must contain it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        problems = list(report.problems)
        anchor = options.get("expect_head")
        if anchor:
            problems.extend(_anchor_problems(anchor))
        if options["action"] == "head":
            self.stdout.write(json.dumps({"seq": report.head_seq, "hash": report.head_hash}))
            return
        self.stdout.write(
            json.dumps(
                {
                    "ok": not problems,
                    "events": report.events,
                    "head_seq": report.head_seq,
                    "head_hash": report.head_hash,
                    "problems": problems,
                },
                ensure_ascii=False,
            )
        )
        if problems:
            raise CommandError("audit chain verification FAILED / 审计链校验失败")


def _anchor_problems(anchor: str) -> list[str]:
    from veracity.audit.models import AuditEvent

    seq_text, _, expected = anchor.partition(":")
    if not seq_text.isdigit() or len(expected) != 64:
        return [f"malformed anchor {anchor!r}; expected SEQ:HASH"]
    row = AuditEvent.objects.filter(seq=int(seq_text)).values_list("hash", flat=True).first()
    if row != expected:
        return [f"anchored head seq {seq_text} is missing or differs (truncated or rewritten)"]
    return []
