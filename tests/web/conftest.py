"""Browser tests drive Debian's Chromium: Playwright's own browser download is impossible
here, so the executable path is given explicitly."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_plus

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


# --- the server log of the browser tests -----------------------------------------------------


def known_personal_values() -> list[str]:
    """The ID numbers, phones and accounts the browser tests use, digits only."""
    from tests.conftest import base_application
    from tests.web.factories import HOLDER_ACCOUNT, HOLDER_PHONE, other_application

    values = {HOLDER_PHONE, HOLDER_ACCOUNT}
    for app in (base_application("X"), other_application()):
        for party in (app["policyholder"], app.get("insured") or {}):
            values.add(party.get("id_number") or "")
            values.update(party.get("phones") or [])
        values.add(app["payer_account"]["number"])
    return sorted({re.sub(r"\D", "", v) for v in values if v})


def leaked(message: str, values: list[str]) -> list[str]:
    """The known values found in a log message, however the URL encoded or spaced them."""
    flat = re.sub(r"[\s\-]", "", unquote_plus(message))
    return [v for v in values if v in flat]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(autouse=True)
def server_log(request, monkeypatch):
    """For tests that run the live server: it logs every request like ``runserver`` does
    (Django's test server is normally silent), the ``django.server`` and ``django.request``
    records are collected through the project's logging configuration, and at the end none
    may hold a known ID number, phone or account (issue 10: no personal data in logs)."""
    if "live_server" not in request.fixturenames:
        yield None
        return
    from django.core.servers.basehttp import WSGIRequestHandler
    from django.test import testcases

    monkeypatch.setattr(
        testcases.QuietWSGIRequestHandler, "log_message", WSGIRequestHandler.log_message
    )
    collect = _Collect()
    loggers = [logging.getLogger(name) for name in ("django.server", "django.request")]
    for logger in loggers:
        logger.addHandler(collect)
    try:
        yield collect.lines
    finally:
        for logger in loggers:
            logger.removeHandler(collect)
    values = known_personal_values()
    found = [(line, leaked(line, values)) for line in collect.lines if leaked(line, values)]
    assert not found, found
