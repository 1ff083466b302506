"""The pre-commit hooks run the same static checks as the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _tools(text: str) -> set[str]:
    found = set()
    for tool in ("ruff check", "ruff format", "lint-imports", "mypy", "makemigrations --check"):
        if re.search(rf"uv run --frozen (veracity )?{re.escape(tool)}", text):
            found.add(tool)
    return found


def test_precommit_runs_the_checks_of_the_test_script() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = "\n".join(
        hook["entry"] for repo in config["repos"] for hook in repo["hooks"] if "entry" in hook
    )
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert _tools(script) == {
        "ruff check",
        "ruff format",
        "lint-imports",
        "mypy",
        "makemigrations --check",
    }
    assert _tools(entries) == _tools(script)
