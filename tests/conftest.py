"""Fixtures shared by the Django-side tests: personas, API client, sample applications."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from veracity.audit import guard

# The test-suite empties its database between transactional tests; the product never may.
guard.PURGE_ALLOWED["value"] = True

TODAY = date(2026, 11, 26)


def resident_id(region: str, birth: str, seq: int) -> str:
    from veracity.core.identity import make_resident_id

    return make_resident_id(region, date.fromisoformat(birth), seq)


def base_application(no: str = "A2026110001") -> dict[str, Any]:
    """A complete, true application: policyholder 王芳 (F, 1985-03-14) insures her son."""
    holder_id = resident_id("110101", "1985-03-14", 122)  # even sequence: female
    child_id = resident_id("110101", "2015-06-01", 311)  # odd: male
    return {
        "application_no": no,
        "applied_on": "2026-11-26",
        "product": {"code": "WL-20", "type": "ordinary_life", "term_years": 20},
        "channel": "agency",
        "seller": {"code": "AG00017", "agency_code": None},
        "policyholder": {
            "name": "王芳",
            "sex": "F",
            "birth_date": "1985-03-14",
            "id_type": "resident_id",
            "id_number": holder_id,
            "address": "北京市东城区东长安街1号",
            "phones": ["138 0013 8000"],
            "email": None,
        },
        "insured": {
            "relation": "child",
            "name": "李小明",
            "sex": "M",
            "birth_date": "2015-06-01",
            "id_type": "resident_id",
            "id_number": child_id,
        },
        "beneficiaries": [{"relation": "parent", "name": "李强", "share": 100}],
        "payer_account": {
            "number": "6222 0202 0000 1234 567",
            "holder_name": "王芳",
            "holder_id_number": holder_id,
        },
    }


@pytest.fixture
def application() -> dict[str, Any]:
    return copy.deepcopy(base_application())


@pytest.fixture
def make_application():
    def make(no: str = "A2026110001", **changes: Any) -> dict[str, Any]:
        app = copy.deepcopy(base_application(no))
        for path, value in changes.items():
            node = app
            *parents, last = path.split("__")
            for key in parents:
                node = node[key]
            node[last] = value
        return app

    return make


@pytest.fixture
def api_token(db) -> str:
    from veracity.access.models import ApiClient

    _, token = ApiClient.issue(name="core-system", system="core")
    return token


@pytest.fixture
def api(client, api_token):
    """A Django test client that talks JSON to /api/v1 with a bearer token."""

    class Api:
        def post(self, path: str, body: Any, token: str | None = api_token):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return client.post(
                f"/api/v1{path}", body, content_type="application/json", headers=headers
            )

        def get(self, path: str, token: str | None = api_token):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return client.get(f"/api/v1{path}", headers=headers)

    return Api()


@pytest.fixture(autouse=True)
def _fresh_seller_snapshot():
    """Each test starts without the seller register's snapshot of an earlier test (SF-1)."""
    yield
    try:
        from django.apps import apps
    except ImportError:  # tests/core runs without Django
        return
    if apps.ready:
        from veracity.sales import qualification

        qualification.invalidate()


@pytest.fixture(autouse=True)
def _own_evidence_folder(request, tmp_path):
    """Each test keeps evidence files in its own folder (a rolled-back test leaves files
    behind that no record refers to, which the archive inspection rightly reports). Not for
    ``pytest tests/core -p no:django``: the core runs without Django."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    request.getfixturevalue("settings").VERACITY_EVIDENCE_DIR = tmp_path / "evidence"


@pytest.fixture
def personas(db):
    """One user per role: alice the agent, carol channel back-office, sam customer service,
    dave compliance, ivan information manager, mona customer service manager, george general
    manager, henry (channel back-office, head of the agency channel department), audrey the
    auditor, admin — with the demo departments and staff profiles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from veracity.demo.accounts import DEMO_USERS, demo_org_ensure

    users = {}
    for username, role, _ in DEMO_USERS:
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
        # get_or_create: a transactional test before this one flushed the migrated groups
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = user
    demo_org_ensure()
    return users
