"""``veracity rotate-keys``: re-encrypt every personal-data field still under an old key with
the active key (set ``VERACITY_ACTIVE_KEY_ID`` to the new key first; keep the old key in
``VERACITY_FIELD_KEYS`` until this has run)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.db.rotation import encrypted_fields_rotate


class Command(BaseCommand):
    help = "Re-encrypt personal data under the active key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = encrypted_fields_rotate(batch_size=options["batch_size"])
        audit_record(
            actor=Actor.system("rotate-keys"),
            event=Event(action=Action.KEY_ROTATION, detail={"reencrypted": sum(counts.values())}),
        )
        self.stdout.write(json.dumps(counts))
