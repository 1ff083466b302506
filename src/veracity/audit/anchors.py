"""Anchoring the chain's head outside the database.

The chain shows any change, insertion or deletion *before* its head, but not a cut-off
tail, nor a chain rewritten from some event on with fresh hashes: only a head written down
elsewhere earlier shows those. Each day the head (seq, hash, time) is written to
``VAR_DIR/audit-anchors/YYYY-MM-DD.json`` — created once, never overwritten, read-only —
and ``veracity audit verify --anchor FILE|DIR`` checks that the chain still holds every
anchored head. Copy the anchor files off this machine (mail, WORM storage) to make them
count.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from veracity.audit import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.audit.models import GENESIS_HASH, AuditEvent
from veracity.audit.selectors import trail_head
from veracity.core.refusals import Refusal

ANCHOR_DIR_NAME = "audit-anchors"


class AnchorError(Refusal):
    """An anchor file that cannot be read or is not an anchor; ``field`` is its path (the
    ``anchor.*`` entries of :mod:`veracity.audit.refusals`)."""

    namespace = "anchor"


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    head_time: str  # the head event's time as hashed; "" for an empty chain
    anchored_at: str

    def as_json(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "hash": self.hash,
                "head_time": self.head_time,
                "anchored_at": self.anchored_at,
            },
            ensure_ascii=False,
        )


def anchor_dir() -> Path:
    return Path(settings.VAR_DIR) / ANCHOR_DIR_NAME


def anchor_path(day: date) -> Path:
    return anchor_dir() / f"{day.isoformat()}.json"


def audit_anchor_now(now: datetime | None = None) -> Anchor:
    """The current head as an anchor."""
    head = trail_head()
    return Anchor(
        seq=head.seq,
        hash=head.hash,
        head_time=head.stamp,
        anchored_at=timezone.localtime(now).isoformat(),
    )


def audit_anchor_write(
    *, out: Path | None = None, now: datetime | None = None
) -> tuple[Path, Anchor, bool]:
    """Write the current head to ``out``, or to today's file (local date) under
    ``VAR_DIR/audit-anchors``. An existing file is never overwritten: then nothing is
    written and the anchor it holds is returned with ``False``."""
    now = timezone.localtime(now)
    path = out if out is not None else anchor_path(now.date())
    if path.exists():
        return path, audit_anchor_read(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    anchor = audit_anchor_now(now)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:  # written in the meantime by another run
        return path, audit_anchor_read(path), False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(anchor.as_json() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path, anchor, True


def audit_anchor_read(path: Path) -> Anchor:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AnchorError("missing", str(path)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnchorError("unreadable", str(path), error=exc) from exc
    if not isinstance(data, dict):
        raise AnchorError("not_object", str(path))
    seq, digest = data.get("seq"), data.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise AnchorError("seq", str(path))
    if not isinstance(digest, str) or len(digest) != 64:
        raise AnchorError("hash", str(path))
    return Anchor(
        seq=seq,
        hash=digest,
        head_time=str(data.get("head_time", "")),
        anchored_at=str(data.get("anchored_at", "")),
    )


def audit_anchors_in(path: Path) -> list[tuple[Path, Anchor]]:
    """The anchor of a file, or the anchors of every ``*.json`` in a directory."""
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise AnchorError("empty_directory", str(path))
    else:
        files = [path]
    return [(f, audit_anchor_read(f)) for f in files]


def audit_anchor_check(anchor: Anchor, *, source: str = "anchor") -> list[str]:
    """What is wrong with the chain against ``anchor``: the anchored head must still be
    in the chain with the same hash (else the chain was cut off or rewritten)."""
    if anchor.seq == 0:
        if anchor.hash == GENESIS_HASH:
            return []
        return [f"{source}: seq 0 must carry the genesis hash; not an anchor of this chain"]
    stored = AuditEvent.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
    if stored is None:
        head = trail_head().seq
        return [
            f"{source}: anchored head seq {anchor.seq} is missing — the chain now ends at "
            f"seq {head} (truncated)"
        ]
    if stored != anchor.hash:
        return [f"{source}: anchored head seq {anchor.seq} differs from the chain (rewritten)"]
    return []
