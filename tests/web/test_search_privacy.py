"""Searches by personal data travel in POST bodies only (issue 10, point 9): the form posts
with its CSRF token; a GET carrying an ID number, phone or account is refused with a clear
message and searches nothing; a name may still be searched by GET."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.factories import HOLDER_ACCOUNT, HOLDER_PHONE, seller_for, store
from veracity.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    (policy,) = store(application)
    return {"wang": policy.roles.get(role="policyholder").customer_id, "app": application}


def html(response) -> str:
    return response.content.decode()


def searches() -> int:
    return AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).count()


@pytest.mark.parametrize(
    ("kind", "query"),
    [("id_number", "id"), ("phone", HOLDER_PHONE), ("account", HOLDER_ACCOUNT)],
)
def test_exact_search_by_get_is_refused(login, personas, book, kind, query):
    query = book["app"]["policyholder"]["id_number"] if query == "id" else query
    client = login(personas["sam"])
    before = searches()
    params = {"kind": kind, "query": query, "purpose": "callback"}
    response = client.get("/customers/", params)
    assert response.status_code == 400
    body = html(response)
    assert "仅能通过查询表单提交" in body
    assert "王芳" not in body and query not in body
    assert searches() == before
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "sent with the search form only" in html(client.get("/customers/", params))
    # the same search, POSTed, finds the customer
    found = client.post("/customers/", params)
    assert found.status_code == 200 and "王芳" in html(found)
    assert f"/customers/{book['wang']}/" in html(found)
    assert query not in found.get("Location", "")
    assert searches() == before + 1


def test_the_search_form_posts_with_its_csrf_token(login, personas, book):
    page = html(login(personas["sam"]).get("/customers/"))
    assert 'method="post"' in page and "hx-post=" in page and "hx-get=" not in page
    assert "csrfmiddlewaretoken" in page and "hx-push-url" not in page


def test_a_search_without_csrf_token_is_refused(personas, book):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["sam"])
    before = searches()
    response = client.post(
        "/customers/", {"kind": "phone", "query": HOLDER_PHONE, "purpose": "callback"}
    )
    assert response.status_code == 403
    assert searches() == before


def test_a_name_may_still_be_searched_by_get(login, personas, book):
    response = login(personas["sam"]).get(
        "/customers/", {"kind": "name", "query": "王芳", "purpose": "callback"}
    )
    assert response.status_code == 200 and "王芳" in html(response)


def test_the_home_page_search_form_posts(login, personas, book):
    page = html(login(personas["sam"]).get("/"))
    assert 'action="/customers/"' in page and 'method="post"' in page
