"""The one-command demo (scripts/demo.sh, scripts/screenshots.sh) names only commands that
exist: a misspelt command would stop the demo on a fresh machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from veracity.cli import ALIASES

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ["scripts/demo.sh", "scripts/screenshots.sh"]


def commands_in(script: str) -> list[str]:
    text = (ROOT / script).read_text(encoding="utf-8")
    return re.findall(r"^[^#\n]*\bveracity ([a-z][a-z_-]*)", text, flags=re.M)


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_command_of_the_demo_exists(script: str) -> None:
    known = set(get_commands())
    names = commands_in(script)
    assert names, script
    missing = [n for n in names if ALIASES.get(n, n) not in known]
    assert not missing, f"{script} runs unknown commands: {missing}"
