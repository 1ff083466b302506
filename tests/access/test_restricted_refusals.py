"""Restricted 404s, refused steps and the command line acting as a person: each refused attempt
of a signed-in person (or of an API client through its person, or of a command acting as one)
leaves exactly one ``ACCESS_REFUSED`` event naming who, which action and which object.

An id that does not exist is recorded like one out of reach: the answer is the same 404, so
the trail does not tell them apart either."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.api.test_case_api import item, systems  # noqa: F401 (fixtures)
from tests.web.test_problems import approve_export
from tests.web.test_views import book  # noqa: F401 (fixture)
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import ProblemItem
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).order_by("seq"))


def detail(event: AuditEvent) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(event.detail)
    return parsed


def what(event: AuditEvent) -> tuple[str, int | None, str, str, str]:
    return (
        event.actor,
        event.actor_id,
        detail(event)["action"],
        event.object_type,
        event.object_id,
    )


# --- web: restricted 404s --------------------------------------------------------------------


def test_a_customer_file_out_of_reach_is_recorded(client, personas, book):  # noqa: F811
    alice = personas["alice"]
    client.force_login(alice)
    other = client.get(f"/customers/{book['zhang'].pk}/", {"purpose": "callback"})
    assert other.status_code == 404
    [event] = refusals()
    assert what(event) == ("alice", alice.pk, "customers.view", "customer", str(book["zhang"].pk))
    assert not AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).exists()


def test_a_file_that_does_not_exist_is_recorded_alike(client, personas, book):  # noqa: F811
    alice = personas["alice"]
    client.force_login(alice)
    missing = client.get("/customers/987654321/", {"purpose": "callback"})
    assert missing.status_code == 404
    [event] = refusals()
    assert what(event) == ("alice", alice.pk, "customers.view", "customer", "987654321")


def test_an_own_file_records_no_refusal(client, personas, book):  # noqa: F811
    client.force_login(personas["alice"])
    assert client.get(f"/customers/{book['wang'].pk}/", {"purpose": "callback"}).status_code == 200
    assert refusals() == []


def test_an_unmask_without_the_grant_is_recorded(client, personas, book):  # noqa: F811
    sam = personas["sam"]
    client.force_login(sam)
    url = f"/customers/{book['wang'].pk}/unmask/?purpose=callback"
    response = client.post(url, {"unmask": "1"})
    assert response.status_code == 302  # back to the masked file, with the reason
    [event] = refusals()
    assert what(event) == ("sam", sam.pk, "customers.unmask", "customer", str(book["wang"].pk))
    assert not AuditEvent.objects.filter(action=Action.UNMASK).exists()


def test_an_application_out_of_reach_is_recorded(client, personas, book):  # noqa: F811
    alice = personas["alice"]
    client.force_login(alice)
    assert client.get(f"/applications/{book['other'].pk}/").status_code == 404
    [event] = refusals()
    assert what(event) == (
        "alice",
        alice.pk,
        "applications.view",
        "application",
        str(book["other"].pk),
    )


def test_a_problem_item_out_of_reach_is_recorded(client, personas, item):  # noqa: F811
    from veracity.org.models import StaffProfile

    henry = personas["henry"]
    StaffProfile.objects.filter(user=henry).update(channel="internet")
    client.force_login(henry)
    assert client.get(f"/problems/{item.pk}/").status_code == 404
    [event] = refusals()
    assert what(event) == ("henry", henry.pk, "cases.view", "problem_item", str(item.pk))


def test_a_step_on_an_item_out_of_reach_is_recorded_once(client, personas, item):  # noqa: F811
    from veracity.org.models import StaffProfile

    henry = personas["henry"]
    StaffProfile.objects.filter(user=henry).update(channel="internet")
    client.force_login(henry)
    assert client.post(f"/problems/{item.pk}/note/", {"note": "x"}).status_code == 404
    [event] = refusals()
    assert what(event) == ("henry", henry.pk, "cases.view", "problem_item", str(item.pk))


def test_a_refused_step_on_the_web_is_recorded(client, personas, item):  # noqa: F811
    """The item page is shown again with the refusal (400: the page may be seen, the step
    may not be taken); the refused step is in the trail."""
    carol = personas["carol"]
    before = ProblemItem.objects.values().get(pk=item.pk)
    client.force_login(carol)
    assert client.post(f"/problems/{item.pk}/distribute/", {}).status_code == 400
    [event] = refusals()
    assert what(event) == ("carol", carol.pk, "cases.distribute", "problem_item", str(item.pk))
    assert detail(event)["code"] == "role"
    assert ProblemItem.objects.values().get(pk=item.pk) == before


def test_an_evidence_file_not_of_the_item_is_recorded(client, personas, item):  # noqa: F811
    dave = personas["dave"]
    client.force_login(dave)
    url = f"/problems/{item.pk}/evidence/4242/"
    assert client.post(url, {"purpose": "compliance_check"}).status_code == 404
    [event] = refusals()
    assert what(event) == ("dave", dave.pk, "cases.view", "evidence", "4242")


def test_evidence_out_of_reach_is_recorded_by_the_service(personas, item):  # noqa: F811
    from veracity.cases.policy import CaseError
    from veracity.cases.services import evidence_read

    with pytest.raises(CaseError):
        evidence_read(
            evidence_id=4242, principal=with_purpose(Staff(personas["alice"]), "callback")
        )
    [event] = refusals()
    assert what(event) == ("alice", personas["alice"].pk, "cases.view", "evidence", "4242")


# --- API -------------------------------------------------------------------------------------


def test_an_item_out_of_the_persons_reach_is_recorded_once(personas, item, systems):  # noqa: F811
    response = systems["agent"].get(item.pk)
    assert response.status_code == 404
    [event] = refusals()
    assert what(event) == (
        "api:agent-app",
        personas["alice"].pk,
        "cases.view",
        "problem_item",
        str(item.pk),
    )
    assert detail(event)["code"] == "not_found"


def test_an_api_step_on_an_item_that_does_not_exist_is_recorded(personas, systems, db):  # noqa: F811
    response = systems["cs"].post(987654, "distribute", {})
    assert response.status_code == 404
    [event] = refusals()
    assert what(event) == (
        "api:call-centre",
        personas["sam"].pk,
        "cases.distribute",
        "problem_item",
        "987654",
    )


# --- command line ----------------------------------------------------------------------------


def export(tmp_path, *extra: str) -> Any:
    out = tmp_path / "items.xlsx"
    call_command("problems", "list", "--format", "xlsx", "--output", str(out), *extra)
    return out


def refused_export(tmp_path, *extra: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        export(tmp_path, *extra)
    assert not (tmp_path / "items.xlsx").exists()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    return raised.value


def test_an_export_without_a_person_is_refused_and_recorded(tmp_path, item):  # noqa: F811
    error = refused_export(tmp_path)
    assert error.returncode == 3
    [event] = refusals()
    assert what(event) == (
        "system:problems-cli",
        None,
        "problems.export",
        "problem_items",
        "list",
    )
    assert detail(event)["code"] == "person_required"


def test_an_export_without_a_request_is_refused_and_recorded(tmp_path, personas, item):  # noqa: F811
    error = refused_export(tmp_path, "--as", "sam")
    assert error.returncode == 4
    assert "--export-request" in str(error)
    [event] = refusals()
    assert what(event) == ("sam", personas["sam"].pk, "problems.export", "problem_items", "list")
    assert (detail(event)["code"], detail(event)["via"]) == ("request_required", "cli")


def test_an_export_under_a_wrong_request_is_refused_and_recorded(tmp_path, personas, item):  # noqa: F811
    # another person's approved export request is not sam's
    theirs = approve_export(personas["mona"], personas["ivan"])
    error = refused_export(tmp_path, "--as", "sam", "--request", str(theirs.pk))
    assert error.returncode == 4
    [event] = refusals()
    assert what(event) == ("sam", personas["sam"].pk, "problems.export", "problem_items", "list")
    assert (detail(event)["code"], detail(event)["request"]) == ("not_approved", theirs.pk)


def test_an_export_by_someone_who_may_not_is_refused(tmp_path, personas, item):  # noqa: F811
    error = refused_export(tmp_path, "--as", "audrey", "--request", "1")
    assert error.returncode == 4
    [event] = refusals()
    assert what(event)[:3] == ("audrey", personas["audrey"].pk, "problems.export")
    assert detail(event)["code"] == "action"


def test_an_export_as_an_unknown_person_is_refused(tmp_path, item):  # noqa: F811
    error = refused_export(tmp_path, "--as", "nobody", "--request", "1")
    assert error.returncode == 4
    [event] = refusals()
    assert what(event)[:3] == ("system:problems-cli", None, "problems.export")
    assert (detail(event)["code"], detail(event)["username"]) == ("unknown_person", "nobody")


def test_an_export_under_its_approved_request_is_made_and_recorded(tmp_path, personas, item):  # noqa: F811
    approval = approve_export(personas["sam"], personas["ivan"])
    out = export(tmp_path, "--as", "sam", "--request", str(approval.pk))
    assert refusals() == []
    [made] = AuditEvent.objects.filter(action=Action.EXPORT)
    assert (made.actor, made.actor_id, made.object_id) == (
        "sam",
        personas["sam"].pk,
        str(approval.pk),
    )
    workbook = load_workbook(out)
    assert (
        "sam" in workbook.properties.description
        and f"#{approval.pk}" in workbook.active.oddHeader.left.text
    )
    rows = list(workbook.active.iter_rows(min_row=3, values_only=True))
    assert sorted(r[14] for r in rows) == ["王*芳", "赵*海"]


def test_the_json_list_is_an_export_too(tmp_path, capsys, personas, item):  # noqa: F811
    with pytest.raises(CommandError) as raised:
        call_command("problems", "list", "--as", "sam")
    assert raised.value.returncode == 4
    assert capsys.readouterr().out == ""
    [event] = refusals()
    assert what(event) == ("sam", personas["sam"].pk, "problems.export", "problem_items", "list")
    assert (detail(event)["code"], detail(event)["via"]) == ("request_required", "cli")
    approval = approve_export(personas["sam"], personas["ivan"])
    call_command("problems", "list", "--as", "sam", "--export-request", str(approval.pk))
    assert capsys.readouterr().out.strip()
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1
