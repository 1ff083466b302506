"""The API's documentation in production (issue 10, point 13): ``/api/v1/docs`` and
``/api/v1/openapi.json`` answer an API client with a valid token and a signed-in administrator,
and refuse everyone else with the API's 401; the demo and the tests keep them open. The docs
page is served from the project's own static files (no CDN, no inline script)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/openapi.json", "/api/v1/docs"]


@pytest.fixture
def production_like(settings):
    settings.VERACITY_API_DOCS_PUBLIC = False


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("wrong token", 401),
        ("revoked token", 401),
        ("signed-in agent", 401),
        ("api client", 200),
        ("administrator", 200),
    ],
)
def test_docs_need_a_token_in_production(
    client, personas, api_token, production_like, url, caller, status
):
    from veracity.access.models import ApiClient

    headers = {}
    if caller == "wrong token":
        headers["Authorization"] = "Bearer not-a-token"
    elif caller == "revoked token":
        ApiClient.objects.update(active=False)
        headers["Authorization"] = f"Bearer {api_token}"
    elif caller == "api client":
        headers["Authorization"] = f"Bearer {api_token}"
    elif caller == "signed-in agent":
        client.force_login(personas["alice"])
    elif caller == "administrator":
        admin = personas["admin"]
        admin.is_staff = True
        admin.save()
        client.force_login(admin)
    response = client.get(url, headers=headers)
    assert response.status_code == status
    if status == 401:
        body = response.json()
        assert body["message_zh"] and "API token" in body["message_en"]
        assert response["WWW-Authenticate"] == "Bearer"
        assert "paths" not in body


@pytest.mark.parametrize("url", URLS)
def test_docs_are_open_in_the_demo_and_tests(client, url):
    assert client.get(url).status_code == 200


def test_docs_page_uses_no_cdn_and_no_inline_script(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "/static/ninja/swagger-ui-bundle.js" in page


def test_production_settings_close_the_docs():
    from tests.access.test_keyring_check import GOOD, production_settings

    done = production_settings(
        VERACITY_FIELD_KEYS=GOOD["keys"],
        VERACITY_ACTIVE_KEY_ID=GOOD["active"],
        VERACITY_INDEX_KEY=GOOD["index"],
        VERACITY_API_DOCS_PUBLIC="1",  # an environment cannot open them either
        code="import veracity.config.settings.production as p; print(p.VERACITY_API_DOCS_PUBLIC)",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
