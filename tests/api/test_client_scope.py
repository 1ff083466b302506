"""API clients bound to their system (issue 10, point 6): a client creates and updates only
applications of its own system, in the channels configured for it; anything else is a 403
with a code, the field and zh/en reasons, changes nothing and is audited."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.conftest import TODAY
from veracity.access.models import SYSTEM_CHANNELS, ApiClient
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.customers.models import Customer
from veracity.policies.models import Channel, GateCheck, Policy, PolicyRole
from veracity.policies.services import ClientScope, OutOfScope, applications_store

pytestmark = pytest.mark.django_db

NO = "A2026120001"
CORE_CHANNELS = ["agency", "intermediary", "direct", "telemarketing", "internet"]


@pytest.fixture
def call(client):
    """POST as a new client of ``system`` (its default channels unless ``channels``)."""

    def post(system: str, path: str, body: Any, channels: list[str] | None = None):
        made, token = ApiClient.issue(
            name=f"{system}-{ApiClient.objects.count()}", system=system, channels=channels
        )
        response = client.post(
            f"/api/v1{path}",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        return made, response

    return post


def stored(owner: str | None, channel: str, make_application) -> Policy | None:
    """The application already on file: created by ``owner``'s client, loaded from a file
    (``"file"``), or none."""
    if owner is None:
        return None
    app = make_application(NO, channel=channel)
    scope = None
    if owner != "file":
        scope = ClientScope(system=owner, channels=frozenset(SYSTEM_CHANNELS[owner]))
    [result] = applications_store(
        [app], source=f"api:{owner}", actor=Actor.system("t"), as_of=TODAY, scope=scope
    )
    assert not isinstance(result, Exception), result
    return Policy.objects.get(application_no=NO)


def snapshot() -> tuple[Any, ...]:
    return (
        list(Policy.objects.values_list("pk", "channel", "source_system", "updated_at")),
        GateCheck.objects.count(),
        list(PolicyRole.objects.values_list("pk", "name")),
        Customer.objects.count(),
    )


def refusals() -> list[tuple[str, dict[str, Any]]]:
    return [
        (e.actor, json.loads(e.detail))
        for e in AuditEvent.objects.filter(action=Action.API_CALL)
        if "refused" in json.loads(e.detail or "{}")
    ]


# (client system, its channels (None: the system's default), application on file
#  (owner, channel), channel submitted) -> status, refusal code
CASES = [
    ("core", None, None, "agency", 201, None),
    ("core", None, None, "internet", 201, None),
    ("bancassurance", None, None, "bancassurance", 201, None),
    ("bancassurance", None, None, "agency", 403, "channel_not_allowed"),
    ("core", None, None, "bancassurance", 403, "channel_not_allowed"),
    ("other", None, None, "agency", 403, "channel_not_allowed"),
    ("core", ["agency"], None, "direct", 403, "channel_not_allowed"),
    ("core", ["agency", "bancassurance"], None, "bancassurance", 201, None),
    # The issue's case: the bancassurance token updating an agency application.
    ("bancassurance", None, ("core", "agency"), "agency", 403, "other_system"),
    # … or taking it over by calling it a bancassurance one.
    ("bancassurance", None, ("core", "agency"), "bancassurance", 403, "other_system"),
    ("core", None, ("core", "agency"), "agency", 200, None),
    ("core", None, ("core", "agency"), "direct", 200, None),
    ("core", None, ("bancassurance", "bancassurance"), "agency", 403, "other_system"),
    ("bancassurance", None, ("bancassurance", "bancassurance"), "bancassurance", 200, None),
    # Loaded from a file: the system that sells through its channel may update it.
    ("core", None, ("file", "agency"), "agency", 200, None),
    ("bancassurance", None, ("file", "agency"), "bancassurance", 403, "channel_not_allowed"),
    ("bancassurance", None, ("file", "bancassurance"), "bancassurance", 200, None),
    ("core", None, ("file", "bancassurance"), "agency", 403, "channel_not_allowed"),
]


@pytest.mark.parametrize(("system", "channels", "on_file", "channel", "status", "code"), CASES)
def test_store_only_own_system_and_channels(
    call, make_application, system, channels, on_file, channel, status, code
):
    existing = stored(*(on_file or (None, "")), make_application)
    before = snapshot()
    app = make_application(NO, channel=channel, policyholder__address="上海市浦东新区世纪大道8号")
    made, response = call(system, "/applications", app, channels)

    assert response.status_code == status, response.content
    body = response.json()
    if code is None:
        policy = Policy.objects.get(application_no=NO)
        assert policy.channel == channel
        # The creating system is recorded; an update keeps the creator.
        owner = on_file[0] if on_file else system
        assert policy.source_system == ("" if owner == "file" else owner)
        assert not refusals()
        return
    assert body["code"] == code
    assert body["field"] == ("application_no" if code == "other_system" else "channel")
    assert body["message_zh"] and body["message_en"]
    assert snapshot() == before, "a refusal changes nothing"
    [(actor, detail)] = refusals()
    assert actor == f"api:{made.name}"
    assert detail["refused"] == code
    assert detail["application_no"] == NO
    assert detail["operation"] == "store"
    assert detail["system"] == system
    if existing is not None:
        assert detail["stored_system"] == existing.source_system


def test_refusal_reasons_name_the_channels_in_each_language(call, make_application):
    _, response = call("bancassurance", "/applications", make_application(NO))
    body = response.json()
    assert "个人代理" in body["message_zh"] and "银行保险" in body["message_zh"]
    assert "Individual agency" in body["message_en"]
    assert "agency" not in body["message_zh"]


def test_a_refused_row_in_a_batch_leaves_the_others_stored(make_application):
    scope = ClientScope(system="bancassurance", channels=frozenset({"bancassurance"}))
    ok = make_application("B1", channel="bancassurance")
    other = make_application("B2", channel="agency")
    results = applications_store(
        [ok, other],
        source="api:bancassurance",
        actor=Actor(label="api:b"),
        as_of=TODAY,
        scope=scope,
    )
    assert [type(r).__name__ for r in results] == ["StoreResult", "OutOfScope"]
    assert isinstance(results[1], OutOfScope) and results[1].code == "channel_not_allowed"
    assert list(Policy.objects.values_list("application_no", "source_system")) == [
        ("B1", "bancassurance")
    ]


def test_file_imports_are_not_bound(make_application):
    """The system actor of a file import writes any channel, over any system's application."""
    stored("bancassurance", "bancassurance", make_application)
    [result] = applications_store(
        [make_application(NO, channel="agency")],
        source="import",
        actor=Actor.system("import"),
        as_of=TODAY,
    )
    assert result.outcome == "updated"
    assert Policy.objects.get().source_system == "bancassurance"


# /check stores nothing: a system checks only what it may submit (a channel it does not sell
# through is refused the same way), but another system's application of the same number is
# not looked at, so the answer never tells whether that number exists.
CHECKS = [
    ("core", None, None, "agency", 200, None),
    ("bancassurance", None, None, "bancassurance", 200, None),
    ("bancassurance", None, None, "agency", 403, "channel_not_allowed"),
    ("core", None, None, "bancassurance", 403, "channel_not_allowed"),
    ("core", ["agency"], None, "internet", 403, "channel_not_allowed"),
    ("bancassurance", None, ("core", "agency"), "bancassurance", 200, None),
]


@pytest.mark.parametrize(("system", "channels", "on_file", "channel", "status", "code"), CHECKS)
def test_check_only_own_channels(
    call, make_application, system, channels, on_file, channel, status, code
):
    stored(*(on_file or (None, "")), make_application)
    before = snapshot()
    made, response = call(
        system, "/applications/check", make_application(NO, channel=channel), channels
    )
    assert response.status_code == status, response.content
    assert snapshot() == before
    if code is None:
        assert response.json()["verdict"] == "pass"
        assert not refusals()
        return
    assert response.json()["code"] == code
    [(actor, detail)] = refusals()
    assert (actor, detail["operation"], detail["application_no"]) == (
        f"api:{made.name}",
        "check",
        NO,
    )


def test_system_channels_cover_every_channel_once():
    core, banca = set(SYSTEM_CHANNELS["core"]), set(SYSTEM_CHANNELS["bancassurance"])
    assert core | banca == set(Channel.values) and not core & banca
    assert SYSTEM_CHANNELS["other"] == ()
    assert set(SYSTEM_CHANNELS) == set(ApiClient.System.values)


@pytest.mark.parametrize(
    ("args", "channels"),
    [
        (["--system", "core"], CORE_CHANNELS),
        (["--system", "bancassurance"], ["bancassurance"]),
        (["--system", "other"], []),
        (
            ["--system", "bancassurance", "--channels", "bancassurance,direct"],
            ["bancassurance", "direct"],
        ),
        (["--system", "core", "--channels", " agency , agency"], ["agency"]),
    ],
)
def test_command_configures_channels(args, channels, capsys):
    call_command("api_client", "sys", *args)
    assert ApiClient.objects.get(name="sys").channels == channels
    assert "token: vty_" in capsys.readouterr().out


def test_command_refuses_an_unknown_channel():
    with pytest.raises(CommandError, match="unknown channel"):
        call_command("api_client", "sys", "--channels", "agency,branch")
    assert not ApiClient.objects.exists()


def test_migrations_fill_in_channels_and_creating_systems(call, make_application):
    """Clients issued before get their system's channels; applications created through the
    API get the system of their first check."""
    made, response = call(
        "bancassurance", "/applications", make_application(NO, channel="bancassurance")
    )
    assert response.status_code == 201
    stored_file = make_application("F1")
    applications_store([stored_file], source="import", actor=Actor.system("t"), as_of=TODAY)
    ApiClient.objects.update(channels=[])
    Policy.objects.update(source_system="")
    access = importlib.import_module("veracity.access.migrations.0007_api_client_channels")
    policies = importlib.import_module("veracity.policies.migrations.0005_policy_source_system")
    access.default_channels(apps, None)
    policies.systems_from_first_checks(apps, None)
    made.refresh_from_db()
    assert made.channels == ["bancassurance"]
    assert dict(Policy.objects.values_list("application_no", "source_system")) == {
        NO: "bancassurance",
        "F1": "",
    }
