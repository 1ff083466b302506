"""Cases sits below detection: nothing in ``veracity.cases`` imports ``veracity.detection``,
at module level or inside a function (detection hands its re-check down instead)."""

from __future__ import annotations

import ast
from pathlib import Path

import veracity.cases

CASES = Path(veracity.cases.__file__).parent


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_cases_never_imports_detection():
    found = {
        f"{path.relative_to(CASES)}: {name}"
        for path in sorted(CASES.rglob("*.py"))
        if "migrations" not in path.parts
        for name in _imports(path)
        if name == "veracity.detection" or name.startswith("veracity.detection.")
    }
    assert not found
    assert len(list(CASES.rglob("*.py"))) > 5  # the scan saw the app
