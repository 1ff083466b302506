"""``veracity`` console entry point: the Django management commands under one name.

``veracity gate FILE``, ``veracity import applications FILE``, ``veracity audit verify``,
``veracity demo-data --customers N``, ``veracity runserver`` … Settings default to the
embedded demo (SQLite); set ``DJANGO_SETTINGS_MODULE`` for production.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from veracity.core.refusals import EXIT_CODE

if TYPE_CHECKING:
    from django.core.management.base import CommandError

    from veracity.core.refusals import Refusal

# Multi-word commands map onto one management command with a sub-command argument.
ALIASES = {
    "demo-data": "demo_data",
    "demo-users": "demo_users",
    "demo-portal": "demo_portal",
    "rotate-keys": "rotate_keys",
    "api-client": "api_client",
}


def refused(error: Refusal) -> CommandError:
    """A refusal as a command's failure, the one way every command says "no": the words in
    both languages (after the field, when there is one) and the exit code of its kind
    (:data:`veracity.core.refusals.EXIT_CODE`). ``raise refused(error) from error``."""
    from django.core.management.base import CommandError

    words = f"{error.message_zh} / {error.message_en}"
    return CommandError(
        f"{error.field}: {words}" if error.field else words, returncode=EXIT_CODE[error.kind]
    )


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings.demo")
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
