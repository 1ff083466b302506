"""``veracity`` console entry point: the Django management commands under one name.

``veracity gate FILE``, ``veracity import applications FILE``, ``veracity audit verify``,
``veracity demo-data --customers N``, ``veracity runserver`` … Settings default to the
embedded demo (SQLite); set ``DJANGO_SETTINGS_MODULE`` for production.
"""

from __future__ import annotations

import os
import sys

# Multi-word commands map onto one management command with a sub-command argument.
ALIASES = {
    "demo-data": "demo_data",
    "demo-users": "demo_users",
    "rotate-keys": "rotate_keys",
    "api-client": "api_client",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings.demo")
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
