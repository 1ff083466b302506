"""Capture every demo login's home page (zh-Hans, 1440 px wide, the whole page) with
Playwright driving Debian's Chromium; run by ``scripts/screenshots.sh`` against a served demo."""

from __future__ import annotations

import argparse
from pathlib import Path

import django
from playwright.sync_api import sync_playwright


def main() -> None:
    django.setup()  # the demo's settings, as scripts/screenshots.sh exports them
    from veracity.demo.accounts import DEMO_PASSWORD, DEMO_USERS

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the served demo, e.g. http://127.0.0.1:8765")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        for username, _role, _name in DEMO_USERS:
            context = browser.new_context(
                locale="zh-CN", viewport={"width": args.width, "height": 900}
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{args.base}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{args.base}/")
            page.screenshot(path=str(out / f"{username}.png"), full_page=True)
            print(f"{out / (username + '.png')}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
