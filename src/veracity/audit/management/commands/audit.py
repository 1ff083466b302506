"""``veracity audit verify`` checks the whole hash chain (and, with ``--anchor``, that it still
holds heads anchored earlier); ``veracity audit head`` prints the head; ``veracity audit
anchor`` writes it to an anchor file (today's under ``VAR_DIR/audit-anchors``, or ``--out``).

``verify`` exits non-zero when anything is wrong, naming each problem's seq, and writes its
result to the trail (``AUDIT_VERIFY``).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veracity.audit.anchors import (
    Anchor,
    AnchorError,
    audit_anchor_check,
    audit_anchor_write,
    audit_anchors_in,
)
from veracity.audit.selectors import trail_head
from veracity.audit.services import Actor, audit_verify, audit_verify_record
from veracity.cli import refused


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, print its head, or anchor the head in a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head", "anchor"])
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE|DIR",
            help="verify: an anchor file (or a directory of them) written earlier; the "
            "chain must still hold each anchored head. May be repeated.",
        )
        parser.add_argument(
            "--expect-head", help="verify: SEQ:HASH anchored earlier; the chain must hold it"
        )
        parser.add_argument(
            "--out",
            metavar="FILE",
            help="anchor: write here instead of VAR_DIR/audit-anchors/YYYY-MM-DD.json "
            "(never overwritten)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "head":
            head = trail_head()
            self.stdout.write(json.dumps({"seq": head.seq, "hash": head.hash}))
            return
        if action == "anchor":
            self._anchor(options.get("out"))
            return
        self._verify(options["anchor"], options.get("expect_head"))

    def _anchor(self, out: str | None) -> None:
        path = Path(out) if out else None
        if path is not None and path.exists():
            raise CommandError(f"{path} exists; an anchor file is never overwritten")
        written_to, anchor, written = audit_anchor_write(out=path)
        self.stdout.write(
            json.dumps(
                {"file": str(written_to), "seq": anchor.seq, "hash": anchor.hash, "new": written}
            )
        )
        if not written:
            self.stderr.write(f"{written_to} already holds today's anchor; left as it is")

    def _verify(self, anchor_args: list[str], expect_head: str | None) -> None:
        anchors: list[tuple[str, Anchor]] = []
        try:
            for arg in anchor_args:
                anchors.extend((str(p), a) for p, a in audit_anchors_in(Path(arg)))
        except AnchorError as exc:
            raise refused(exc) from exc
        if expect_head:
            anchors.append(("--expect-head", _parse_expected(expect_head)))
        report = audit_verify()
        anchor_problems = [p for source, a in anchors for p in audit_anchor_check(a, source=source)]
        problems = [*report.problems, *anchor_problems]
        audit_verify_record(
            actor=Actor.system(f"cli:{_os_user()}"),
            report=report,
            via="cli",
            anchor_problems=anchor_problems,
            anchors=len(anchors),
        )
        self.stdout.write(
            json.dumps(
                {
                    "ok": not problems,
                    "events": report.events,
                    "head_seq": report.head_seq,
                    "head_hash": report.head_hash,
                    "anchors": len(anchors),
                    "problems": problems,
                },
                ensure_ascii=False,
            )
        )
        if problems:
            raise CommandError(
                "audit chain verification FAILED / 审计链校验失败: " + "; ".join(problems[:10])
            )


def _os_user() -> str:
    """Who ran the command, as the operating system knows them."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _parse_expected(text: str) -> Anchor:
    seq_text, _, digest = text.partition(":")
    if not seq_text.isdigit() or len(digest) != 64:
        raise CommandError(f"malformed --expect-head {text!r}; expected SEQ:HASH")
    return Anchor(seq=int(seq_text), hash=digest, head_time="", anchored_at="")
