"""The role walk: every demo role logs in and opens every page of its navigation (and the
pages one click further that every role reaches: an item, an application, a customer file);
the screen check (tests/web/conftest.py, ``screen_check``) reads each page in zh-Hans and
fails on codes, article numbers, English sentences, untranslated messages and unreadable
buttons, naming the text and the page."""

from __future__ import annotations

import pytest

from tests.web.browsing import signed_in
from tests.web.factories import failing_application, seller_for, store
from tests.web.screen_check import defects, failure_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    "alice",
    "carol",
    "sam",
    "dave",
    "ivan",
    "mona",
    "george",
    "henry",
    "terry",
    "audrey",
    "tina",
    "mike",
    "nora",
    "olga",
    "admin",
]


@pytest.fixture
def book(personas, application):
    """A customer with a policy, a failed application, an open problem item, and a reported
    leak naming the customer (so the managers have an unread notice with its 标为已读 button
    and the incident page its 移除 buttons)."""
    from tests.cases.test_listing import make_items
    from veracity.incidents.services import incident_report
    from veracity.org.principals import Staff

    # the demo's admin is a superuser: the walk reads the administration's index too
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save()
    seller_for(personas["alice"])
    (policy,) = store(application)
    store(failing_application())
    item = make_items()
    customer = policy.roles.get(role="policyholder").customer
    item.incident = incident_report(
        principal=Staff(personas["alice"]),
        description="投保单复印件遗失",
        data_types=["name", "id_number"],
        customer_ids=[customer.pk],
    )
    return item


def nav_links(page) -> list[str]:
    hrefs = page.locator("nav.nav a[href], .tools a[href]").evaluate_all(
        "els => els.map(e => e.href)"
    )
    return list(dict.fromkeys(h for h in hrefs if "/admin/" not in h or h.endswith("/admin/")))


@pytest.mark.parametrize("username", ROLES)
def test_every_role_sees_its_pages_in_chinese(browser, live_server, personas, book, username):
    page = signed_in(browser, live_server, username, viewport={"width": 1440, "height": 900})

    page.screenshot(path=f"/tmp/veracity-walk-{username}.png")
    found = []
    links = nav_links(page)
    assert len(links) >= 3, links
    extra = [
        f"{live_server.url}/problems/{book.pk}/",
        f"{live_server.url}/incidents/{book.incident.pk}/",
        f"{live_server.url}/incidents/{book.incident.pk}/reported/",
        f"{live_server.url}/applications/",
        f"{live_server.url}/does-not-exist/",
    ]
    for url in [*links, *extra]:
        page.goto(url)
        found += defects(page)
        if (
            url.endswith("/applications/")
            and page.locator("table a[href*='/applications/']").count()
        ):
            page.locator("table a[href*='/applications/']").first.click()
            page.wait_for_load_state()
            found += defects(page)
    page.context.close()
    assert not found, failure_message(found)


#: The top bar's facts at a width: the rows its navigation takes, whether anything sticks out.
_TOPBAR = """() => {
  const bar = document.querySelector('.topbar');
  const tops = new Set([...document.querySelectorAll('nav.nav > a, nav.nav > .menu > summary')]
    .filter(e => e.getBoundingClientRect().width > 0)
    .map(e => Math.round(e.getBoundingClientRect().top)));
  const brand = document.querySelector('.brand').getBoundingClientRect();
  const tools = document.querySelector('.tools').getBoundingClientRect();
  return {rows: tops.size, barHeight: bar.getBoundingClientRect().height,
          oneRow: Math.abs(brand.top - tools.top) < 30,
          overflow: document.documentElement.scrollWidth > window.innerWidth};
}"""


@pytest.mark.parametrize("username", ROLES)
def test_the_top_navigation_holds_one_row_from_1280_to_1920(
    browser, live_server, personas, username
):
    page = signed_in(browser, live_server, username, viewport={"width": 1440, "height": 900})
    wrong = []
    for language in ("zh-hans", "en"):
        if language == "en":
            page.get_by_role("button", name="English").click()
            page.wait_for_function("document.documentElement.lang === 'en'")
        for width in (1280, 1440, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            facts = page.evaluate(_TOPBAR)
            if facts["rows"] != 1 or not facts["oneRow"] or facts["overflow"]:
                wrong.append((language, width, facts))
    page.get_by_role("button", name="简体中文").click()
    page.context.close()
    assert not wrong, wrong


#: Cards whose content sticks out of them (a table scrolls inside its .table-wrap instead).
_OVERFLOWING_CARDS = """() => [...document.querySelectorAll('.card')].filter(card => {
  const box = card.getBoundingClientRect();
  return [...card.querySelectorAll('*')].some(el => {
    if (el.closest('.table-wrap') && !el.classList.contains('table-wrap')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
  });
}).map(card => (card.id || card.querySelector('h2, h1')?.innerText || card.className))"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_problem_list_stays_inside_its_card(browser, live_server, personas, book, language):
    page = signed_in(browser, live_server, "sam", viewport={"width": 1280, "height": 900})
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
    out = {}
    for width in (1280, 1440, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/problems/", "/problems/queue/", f"/problems/{book.pk}/", "/"):
            page.goto(f"{live_server.url}{path}")
            found = page.evaluate(_OVERFLOWING_CARDS)
            if found:
                out[(width, path)] = found
    if language == "en":
        page.get_by_role("button", name="简体中文").click()
    page.context.close()
    assert not out, out


def test_a_reporter_lands_on_the_incident_number_with_the_message_below_the_breadcrumb(
    browser, live_server, personas
):
    from veracity.incidents.models import LeakIncident

    page = signed_in(browser, live_server, "alice", viewport={"width": 1440, "height": 900})
    page.locator("#nav-report").click()
    page.fill("#id_description", "客户资料复印件遗失")
    page.get_by_role("button", name="立即报告").click()
    incident = LeakIncident.objects.get()
    page.wait_for_url(f"{live_server.url}/incidents/{incident.pk}/reported/")
    assert page.locator("#incident-number").inner_text() == f"泄露事件 #{incident.pk}"
    message = page.locator(".msg.success")
    crumbs = page.locator(".crumbs")
    assert message.bounding_box()["y"] > crumbs.bounding_box()["y"]
    assert message.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.context.close()
