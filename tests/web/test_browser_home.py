"""Each role's home page in Chromium shows its panel, with its charts drawn and their labels
whole (issue 12, "each role's home page showing its panel")."""

from __future__ import annotations

import pytest

from tests.web.browsing import sign_in
from tests.web.factories import failing_application, other_application, seller_for, store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: login → (a section it must show, words in it)
PANELS = {
    "alice": ("agent", "我最近的投保单"),
    "carol": ("backoffice", "我的问题件（按期限）"),
    "sam": ("service", "未结问题件（按环节）"),
    "dave": ("quality", "每百件投保单校验未通过数"),
    "ivan": ("managers", "涉密档案"),
    "mona": ("managers", "泄露事件"),
    "george": ("general", "本月数据"),
    "henry": ("approvals", "待我审批"),
    "terry": ("queue", "我的待办"),
    "audrey": ("auditor", "审计链"),
    "tina": ("training", "销售资格"),
    "mike": ("channels", "待审批的处罚"),
    "olga": ("office", "监管报告"),
    "admin": ("admin", "Django 管理后台"),
}


@pytest.fixture
def stored(personas, application):
    seller_for(personas["alice"])
    return store(application, other_application(), failing_application())


def test_each_role_home_shows_its_panel(page, live_server, personas, stored):
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 1440, "height": 900})
    for username, (section, words) in PANELS.items():
        page.context.clear_cookies()
        sign_in(page, live_server, username)
        panel = page.locator(f'[data-section="{section}"]')
        assert panel.is_visible(), username
        assert words in panel.inner_text(), (username, words)
        # and on every home, first, what waits for this person
        assert page.locator("#waiting-for-me").is_visible(), username
        # every drawn chart label fits inside its chart (nothing cut at the edge)
        for svg in page.locator("svg.chart").all():
            box = svg.bounding_box()
            assert box is not None and box["width"] > 0
            for label in svg.locator("text.chart-label").all():
                text_box = label.bounding_box()
                assert text_box is not None and text_box["x"] >= box["x"] - 1, (
                    username,
                    label.text_content(),
                )
