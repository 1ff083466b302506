"""What the browser tests share (``tests/web/test_browser_*.py`` and the browser tests of
other files): signing a persona in through the login page, and waiting for a step's
success message. The role groups and an own evidence folder come with every browser test
(``tests/web/conftest.py``)."""

from __future__ import annotations

from typing import Any


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign ``username`` (a persona, password ``pw-<username>``) in on ``page`` through the
    login page, and wait for the home page."""
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def signed_in(
    browser: Any, live_server: Any, username: str, *, viewport: dict[str, int] | None = None
) -> Any:
    """A page of a new Chinese browser context (its own cookies: several people at once),
    with ``username`` signed in. Close it with ``page.context.close()``."""
    options: dict[str, Any] = {"locale": "zh-CN"}
    if viewport is not None:
        options["viewport"] = viewport
    page = browser.new_context(**options).new_page()
    sign_in(page, live_server, username)
    return page


def done(page: Any, text: str) -> None:
    """Wait for the success message ``text`` of the step just taken."""
    page.locator(".msg.success", has_text=text).wait_for()
