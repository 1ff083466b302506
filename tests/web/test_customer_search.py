"""Customer search for people (issue 12): every search audited with its purpose (a name
masked), results with enough masked facts to tell namesakes apart, pages past the limit with
a notice to refine, one default search mode everywhere, the purpose remembered."""

from __future__ import annotations

import json
import re

import pytest

from tests.web.factories import other_application, seller_for, store
from veracity.audit.models import Action, AuditEvent
from veracity.customers.models import Customer

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, other = store(application, other_application())
    return {
        "wang": own.roles.get(role="policyholder").customer,
        "zhang": other.roles.get(role="policyholder").customer,
    }


def searches() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).order_by("seq"))


def test_a_name_search_is_audited_with_the_name_masked(login, personas, book):
    client = login(personas["sam"])
    response = client.post("/customers/", {"query": "王芳", "kind": "name", "purpose": "callback"})
    assert response.status_code == 200 and "王芳" in html(response)
    [event] = searches()
    assert (event.actor, event.purpose) == ("sam", "callback")
    assert json.loads(event.detail)["query"] == "王*" and "王芳" not in event.detail


def test_results_carry_masked_facts_to_tell_namesakes_apart(login, personas, book):
    wang = book["wang"]
    body = html(
        login(personas["sam"]).post(
            "/customers/", {"query": "王芳", "kind": "name", "purpose": "callback"}
        )
    )
    number = "".join(wang.documents.get(is_primary=True).number.split())
    row = re.search(r'<tr class="search-hit">(.*?)</tr>', body, re.S).group(1)
    assert wang.archive_no in row and wang.birth_date.strftime("%Y-%m-%d") in row
    assert f"****{number[-4:]}" in row and number not in row
    address = wang.addresses.order_by("pk").first().text
    city = re.findall(r"<td>([^<]*市)</td>", row)
    assert city and city[0] in address and address not in row


def test_many_results_page_with_a_notice_to_refine(login, personas, book, monkeypatch):
    from veracity.customers import selectors

    Customer.objects.filter(pk=book["zhang"].pk).update(name="王伟")
    monkeypatch.setattr(selectors, "MAX_RESULTS", 1)
    client = login(personas["sam"])
    first = html(client.post("/customers/", {"query": "王", "kind": "name", "purpose": "callback"}))
    assert "结果较多，请补充条件缩小范围" in first and 'id="search-next"' in first
    assert 'name="page" value="2"' in first
    second = html(
        client.post(
            "/customers/", {"query": "王", "kind": "name", "purpose": "callback", "page": "2"}
        )
    )
    assert 'id="search-previous"' in second and 'id="search-next"' not in second
    assert "结果较多" not in second
    shown = [re.findall(r"C\d{10}", page)[0] for page in (first, second)]
    assert shown[0] != shown[1]
    assert [json.loads(e.detail).get("page", 1) for e in searches()] == [1, 2]
    bad = client.post(
        "/customers/", {"query": "王", "kind": "name", "purpose": "callback", "page": "x"}
    )
    assert bad.status_code == 200 and "结果页码须为 1 至 20 的整数" in html(bad)
    assert len(searches()) == 2


def test_one_default_search_mode_everywhere(login, personas, book):
    client = login(personas["sam"])
    selected = re.compile(r'<option value="(\w+)" selected>')
    home = selected.findall(html(client.get("/")))
    search = selected.findall(html(client.get("/customers/")))
    assert "name" in home and "name" in search
    assert "phone" not in home


def test_the_purpose_is_remembered_for_the_session_and_each_search_audited(login, personas, book):
    client = login(personas["sam"])
    client.post("/customers/", {"query": "王芳", "kind": "name", "purpose": "problem_item"})
    page = html(client.get("/customers/"))
    assert '<option value="problem_item" selected>' in page
    assert '<option value="problem_item" selected>' in html(client.get("/"))
    client.post("/customers/", {"query": "张伟", "kind": "name"})  # no purpose sent again
    assert [e.purpose for e in searches()] == ["problem_item", "problem_item"]
