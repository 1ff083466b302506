"""Content-Security-Policy (issue 10, point 12): every response carries the policy when DEBUG
is off; no template holds inline script, inline style or an event-handler attribute (which
the policy would block); htmx runs with eval and script tags off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "src/veracity/web/templates"
DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
]


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split(" ", 1)[0]: d for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/login/"),
        ("sam", "/"),
        ("sam", "/customers/"),
        ("sam", "/problems/"),
        ("sam", "/no/such/page/"),
        ("admin", "/admin/"),
        (None, "/api/v1/openapi.json"),
        (None, "/api/v1/docs"),
    ],
)
def test_every_response_carries_the_policy(client, personas, who, url):
    if who:
        client.force_login(personas[who])
    directives = policy(client.get(url))
    for directive in DIRECTIVES:
        assert directives.get(directive.split(" ", 1)[0]) == directive, (url, directives)
    assert "'unsafe-inline'" not in str(directives) and "'unsafe-eval'" not in str(directives)


def test_no_policy_under_debug(client, settings):
    """Django's debug pages are inline script and style."""
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/login/").headers


def templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert len(found) > 40
    return found


INLINE = [
    # (what, pattern)
    ("inline script", re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)),
    ("inline style element", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("event-handler attribute", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
    ("htmx inline handler", re.compile(r"\shx-on[:-]", re.I)),
]


@pytest.mark.parametrize(("what", "pattern"), INLINE, ids=[w for w, _ in INLINE])
def test_no_template_holds_what_the_policy_blocks(what, pattern):
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {m.group(0)!r}"
        for path in templates()
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], what


def test_htmx_runs_without_eval_and_script_tags(client, personas):
    client.force_login(personas["sam"])
    page = client.get("/").content.decode()
    [content] = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    config = json.loads(content)
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False  # else htmx injects an inline <style>
    assert page.index('name="htmx-config"') < page.index("htmx.min.js")
