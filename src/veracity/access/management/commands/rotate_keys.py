"""``veracity rotate-keys``: re-encrypt every personal-data field still under an old key with
the active key (set ``VERACITY_ACTIVE_KEY_ID`` to the new key first; keep the old key in
``VERACITY_FIELD_KEYS`` until this has run)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from veracity.access.services import encrypted_fields_rotate


class Command(BaseCommand):
    help = "Re-encrypt personal data under the active key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = encrypted_fields_rotate(batch_size=options["batch_size"])
        self.stdout.write(json.dumps(counts))
