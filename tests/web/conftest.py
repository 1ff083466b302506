"""Browser tests drive Debian's Chromium: Playwright's own browser download is impossible
here, so the executable path is given explicitly."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(client):
    """Log the test client in as one of the personas."""

    def do(user: Any) -> Any:
        client.force_login(user)
        return client

    return do


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A Chinese staff member's browser (Playwright's default would ask for en-US, and
    LocaleMiddleware honours Accept-Language until the user picks a language)."""
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}
