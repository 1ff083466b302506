"""Every refusal of a signed-in person (or of an authenticated API client) is in the audit
trail as one ``ACCESS_REFUSED`` event: who, which action, on what."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import get_commands, load_command_class

from tests.api.test_case_api import item, systems  # noqa: F401 (fixtures)
from veracity.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.ACCESS_REFUSED))


def detail(event: AuditEvent) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(event.detail)
    return parsed


# --- web pages -------------------------------------------------------------------------------


def test_a_refused_page_is_recorded(client, personas):
    alice = personas["alice"]
    client.force_login(alice)
    assert client.get("/audit/").status_code == 403

    [event] = refusals()
    assert (event.actor, event.actor_id) == ("alice", alice.pk)
    assert detail(event)["action"] == "audit.read"
    assert (event.object_type, event.object_id) == ("page", "/audit/")
    assert detail(event)["method"] == "GET"


def test_a_refused_post_names_its_object(client, personas):
    client.force_login(personas["alice"])
    assert client.post("/customers/7/classify/").status_code == 403
    [event] = refusals()
    assert detail(event)["action"] == "customers.classify"
    assert event.object_id == "/customers/7/classify/"


def test_an_export_without_its_approval_is_recorded(client, personas):
    client.force_login(personas["sam"])
    assert client.get("/problems/export.xlsx").status_code == 403
    [event] = refusals()
    assert (event.actor, detail(event)["action"]) == ("sam", "problems.export")
    # the export service records it, as for the command line: the list, the surface
    assert (event.object_type, event.object_id) == ("problem_items", "list")
    assert (detail(event)["code"], detail(event)["via"]) == ("request_required", "web")


def test_a_page_one_may_open_records_no_refusal(client, personas):
    client.force_login(personas["audrey"])
    assert client.get("/audit/").status_code == 200
    assert refusals() == []


def test_nobody_signed_in_is_sent_to_the_login_not_recorded(client, db):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert refusals() == []


# --- API -------------------------------------------------------------------------------------


def test_a_refused_api_step_is_recorded(item, systems, personas):  # noqa: F811
    response = systems["bo"].post(item.pk, "distribute", {})
    assert response.status_code == 403

    [event] = refusals()
    assert event.actor == "api:agency-backoffice"
    assert event.actor_id == personas["carol"].pk  # the designated person
    assert detail(event)["action"] == "cases.distribute"
    assert detail(event)["code"] == "role"
    assert (event.object_type, event.object_id) == ("problem_item", str(item.pk))


def test_an_api_call_without_a_designated_person_is_recorded(item, systems):  # noqa: F811
    assert systems["none"].get(item.pk).status_code == 403
    [event] = refusals()
    assert (event.actor, event.actor_id) == ("api:no-person", None)
    assert detail(event)["action"] == "cases.view"
    assert event.object_id == str(item.pk)


def test_an_api_step_that_is_not_refused_records_no_refusal(item, systems):  # noqa: F811
    assert systems["cs"].post(item.pk, "distribute", {}).status_code == 200
    assert refusals() == []


def test_a_bulk_read_without_an_approved_export_is_recorded(api):
    assert api.get("/problem-items").status_code == 403
    [event] = refusals()
    assert event.actor == "api:core-system"
    assert detail(event)["action"] == "problems.export"
    assert (event.object_type, event.object_id) == ("problem_items", "list")


def test_an_application_outside_the_clients_scope_is_recorded(api, make_application):
    response = api.post("/applications", make_application("A2026119999", channel="bancassurance"))
    assert response.status_code == 403
    [event] = refusals()
    assert event.actor == "api:core-system"
    assert detail(event)["action"] == "applications.store"
    assert detail(event)["code"] == "channel_not_allowed"
    assert (event.object_type, event.object_id) == ("application", "A2026119999")


# --- command line ----------------------------------------------------------------------------


#: The commands that act as a person (``--as``): each checks the action and the approval with
#: ``veracity.access.exports.export_as``, which records every refusal — tested below.
# problems: the problem-list export; reports: the regulator report
# (tests/conduct/test_reports_command.py)
PERSON_COMMANDS = {"problems", "reports"}


def test_only_the_export_commands_act_as_a_person():
    """The other commands act as the system (``Actor.system(...)``): none takes a person to
    act as, so none has a person to refuse. A command that grows ``--as``/``--user`` must
    check the action with ``veracity.access.policy.may`` (``access.exports.export_as`` for an
    export) and record its refusal with ``record_refusal`` — and be tested here."""
    person_options = {"--as", "--user", "--username", "--actor"}
    acting = set()
    for name, app in get_commands().items():
        if not app.startswith("veracity"):
            continue
        parser = load_command_class(app, name).create_parser("veracity", name)
        options = {o for action in parser._actions for o in action.option_strings}
        for sub in parser._subparsers._group_actions if parser._subparsers else ():
            for subparser in getattr(sub, "choices", {}).values():
                options |= {o for a in subparser._actions for o in a.option_strings}
        if options & person_options:
            acting.add(name)
    assert acting == PERSON_COMMANDS
