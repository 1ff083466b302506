"""Who acts on incidents: a signed-in member of staff reports, those who handle incidents
work them; an API client acts through its designated person (whose roles apply and whom the
trail records); a system without a person and a customer neither report nor handle. The
stage machine's ``permission=`` is handed the principal and answers the same."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.incidents.models import LeakIncident
from veracity.incidents.selectors import incident_list, incidents_visible_to, may_handle_incidents
from veracity.incidents.services import (
    IncidentError,
    incident_move,
    incident_report,
    incident_update,
    moves_open_to,
)
from veracity.org.principals import Customer, Staff, System, system

pytestmark = pytest.mark.django_db

OUTSIDERS = {
    "job": lambda p: system("t"),
    "customer": lambda p: Customer(customer_id=1, verified_by="sms"),
    "anonymous": lambda p: Staff(AnonymousUser()),
}


@pytest.fixture
def incident(personas):
    return incident_report(principal=Staff(personas["alice"]), description="U 盘遗失")


def test_the_services_take_the_principal_by_keyword_only(personas, incident):
    with pytest.raises(TypeError):
        incident_move(incident_id=incident.pk, to="investigating", user=personas["ivan"])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        moves_open_to(Staff(personas["ivan"]), incident)  # type: ignore[misc]
    with pytest.raises(TypeError):
        may_handle_incidents(Staff(personas["ivan"]))  # type: ignore[misc]


def test_an_api_client_reports_and_handles_through_its_person(personas):
    client = System("api:hotline", person=personas["ivan"], address="10.2.2.2")
    reported = incident_report(principal=client, description="来电称收到他人保单")
    assert reported.reported_by == personas["ivan"]
    assert may_handle_incidents(principal=client)
    assert moves_open_to(reported, principal=client) == ("investigating",)
    incident_move(incident_id=reported.pk, to="investigating", principal=client)
    event = AuditEvent.objects.filter(action="incident").last()
    assert (event.actor, event.actor_id, event.ip) == ("ivan", personas["ivan"].pk, "10.2.2.2")
    assert LeakIncident.objects.get(pk=reported.pk).status == "investigating"


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_nobody_without_a_person_reports_or_handles(personas, incident, who):
    principal = OUTSIDERS[who](personas)
    events = AuditEvent.objects.count()
    with pytest.raises(IncidentError) as refused:
        incident_report(principal=principal, description="x")
    assert refused.value.code == "FORBIDDEN" and refused.value.field == "user"
    with pytest.raises(IncidentError) as refused:
        incident_update(incident_id=incident.pk, principal=principal, cause="x")
    assert refused.value.code == "FORBIDDEN"
    with pytest.raises(IncidentError):
        incident_move(incident_id=incident.pk, to="investigating", principal=principal)
    assert not may_handle_incidents(principal=principal)
    assert moves_open_to(incident, principal=principal) == ()
    assert not incidents_visible_to(principal=principal, action="incidents.view").exists()
    assert not incident_list(principal=principal).exists()
    assert AuditEvent.objects.count() == events
    assert LeakIncident.objects.get(pk=incident.pk).status == "reported"


def test_a_client_of_someone_who_does_not_handle_incidents_only_reports(personas, incident):
    client = System("api:x", person=personas["alice"])
    assert incident_report(principal=client, description="x").reported_by == personas["alice"]
    assert not may_handle_incidents(principal=client)
    assert moves_open_to(incident, principal=client) == ()
    with pytest.raises(IncidentError) as refused:
        incident_move(incident_id=incident.pk, to="investigating", principal=client)
    assert refused.value.code == "FORBIDDEN"


def test_the_handlers_see_the_list(personas, incident):
    assert list(incident_list(principal=Staff(personas["mona"]))) == [incident]
    assert list(incident_list(principal=Staff(personas["alice"]))) == []
    assert incident.reported_at <= timezone.now()
