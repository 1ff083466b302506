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


@pytest.fixture(autouse=True)
def roles_exist(request):
    """Every browser test (``pytest.mark.browser``, on a transactional database) starts with
    every role group: they come from a data migration, which an earlier transactional test's
    flush may have emptied."""
    if request.node.get_closest_marker("browser") is None:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from veracity.access.roles import RoleName

    for role in RoleName:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture(autouse=True)
def _browser_var_dir(request, tmp_path):
    """Every browser test keeps the files the live server writes (evidence, reports) in its
    own folder."""
    if request.node.get_closest_marker("browser") is None:
        return
    request.getfixturevalue("settings").VAR_DIR = tmp_path


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


# --- the screen check of every browser test ----------------------------------------------------


@pytest.fixture(autouse=True)
def screen_check(request, monkeypatch):
    """Every page a browser test opens in zh-Hans goes through the screen check
    (``tests/web/screen_check.py``): each page of each browser context is read when it has
    loaded, and once more as it is at the end of the test; at teardown any defect fails the
    test with the offending texts and their URLs. ``@pytest.mark.no_screen_check`` opts a test
    out (only for tests that show defects on purpose)."""
    uses_browser = {"page", "browser", "context"} & set(request.fixturenames)
    if not uses_browser or request.node.get_closest_marker("no_screen_check"):
        yield None
        return
    from tests.web.screen_check import failure_message, read_page, snapshot_defects

    snapshots: list[tuple[str, Any]] = []
    pages: list[Any] = []

    def on_load(loaded: Any) -> None:
        snapshots.append((loaded.url, read_page(loaded)))

    def watch(page: Any) -> None:
        pages.append(page)
        page.on("load", on_load)

    browser = request.getfixturevalue("browser")
    original = browser.new_context

    def new_context(*args: Any, **kwargs: Any) -> Any:
        context = original(*args, **kwargs)
        context.on("page", watch)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    if "page" in request.fixturenames:
        request.getfixturevalue("page")
    yield snapshots
    for page in pages:
        if not page.is_closed():
            snapshots.append((page.url, read_page(page)))
    found, seen = [], set()
    for url, snapshot in snapshots:
        for defect in snapshot_defects(snapshot, url):
            key = (defect.kind, defect.text, url.split("?")[0])
            if key not in seen:
                seen.add(key)
                found.append(defect)
    assert not found, failure_message(found)
