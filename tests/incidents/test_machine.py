"""The incident's status is a stage machine (django-fsm) whose transitions carry
``permission=``: the machine answers which moves a person may make now (issue 11).

The expected table — every status × every persona × every move — is written out here from
the rules (AG-8, D4.27: those who handle incidents move them, along the arrows of the
incident's life), independently of the code; the machine, the service and the incident
page must all agree with it.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.utils import timezone
from django_fsm import has_transition_perm

from veracity.incidents.models import MOVES, LeakIncident, RemediationStep
from veracity.incidents.services import (
    TRANSITIONS,
    IncidentError,
    allowed_moves,
    incident_move,
    moves_open_to,
)
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

HANDLERS = {"ivan", "mona", "dave", "admin"}
PERSONAS = ("alice", "carol", "sam", "george", "henry", "audrey", *sorted(HANDLERS))
STATUSES = ("candidate", "reported", "investigating", "remediated", "closed", "dismissed")
#: The arrows, in the order the incident page offers them.
ARROWS = {
    "candidate": ("reported", "dismissed"),
    "reported": ("investigating",),
    "investigating": ("remediated",),
    "remediated": ("closed", "investigating"),
    "closed": (),
    "dismissed": (),
}


def expected(name: str, status: str, to: str) -> str:
    if name not in HANDLERS:
        return "FORBIDDEN"
    return "ok" if to in ARROWS[status] else "ILLEGAL_MOVE"


@pytest.fixture
def incident_in(personas):
    """An incident in ``status`` with all that each move needs (a cause, a remediation
    step, the reason individuals need no notice)."""

    def make(status: str) -> LeakIncident:
        incident = LeakIncident.objects.create(
            status=status,
            reported_at=timezone.now(),
            description="客户清单被误发到外部邮箱",
            cause="误操作",
            individuals_not_notified_reason="对方已删除，未扩散",
        )
        RemediationStep.objects.create(
            incident=incident,
            action="要求对方删除邮件",
            taken_by=personas["ivan"],
            taken_at=timezone.now(),
        )
        return incident

    return make


def test_every_move_is_a_transition_with_a_permission():
    field = LeakIncident._meta.get_field("status")
    transitions = list(field.get_all_transitions(LeakIncident))
    assert all(callable(t.permission) for t in transitions)
    assert {t.name for t in transitions} == set(MOVES.values())
    assert {s: t for s, t in ARROWS.items() if t} == TRANSITIONS


@pytest.mark.parametrize("status", STATUSES)
def test_the_machine_agrees_with_the_table(status, personas, incident_in):
    incident = incident_in(status)
    assert allowed_moves(incident) == ARROWS[status]
    for name in PERSONAS:
        user = personas[name]
        want = tuple(to for to in ARROWS[status] if expected(name, status, to) == "ok")
        assert moves_open_to(incident, principal=Staff(user)) == want, name
        for to, move in MOVES.items():
            allowed = expected(name, status, to) == "ok"
            assert has_transition_perm(getattr(incident, move), user) is allowed, (name, to)
        available = {t.target for t in incident.get_available_user_status_transitions(user)}
        assert available == set(want), name


@pytest.mark.parametrize("status", STATUSES)
def test_the_service_agrees_with_the_machine(status, personas, incident_in):
    """Each persona tries each move: what the machine opens succeeds (and is rolled back),
    the rest is refused with the code the table says."""
    incident = incident_in(status)
    for name in PERSONAS:
        user = personas[name]
        for to in MOVES:
            try:
                with transaction.atomic():
                    moved = incident_move(
                        incident_id=incident.pk, to=to, principal=Staff(user), reason="x"
                    )
                    assert moved.status == to
                    transaction.set_rollback(True)
                got = "ok"
            except IncidentError as error:
                got = error.code
            assert got == expected(name, status, to), (name, to)
            assert (got == "ok") is (to in moves_open_to(incident, principal=Staff(user))), (
                name,
                to,
            )


def _offered(body: str) -> tuple[str, ...]:
    return tuple(re.findall(r'<button type="submit"[^>]*name="move" value="(\w+)"', body))


@pytest.mark.parametrize("status", STATUSES)
def test_the_incident_page_offers_what_the_machine_opens(status, personas, incident_in, client):
    incident = incident_in(status)
    for name in sorted(HANDLERS):
        user = personas[name]
        client.force_login(user)
        response = client.get(f"/incidents/{incident.pk}/")
        assert response.status_code == 200, name
        assert _offered(response.content.decode()) == moves_open_to(
            incident, principal=Staff(user)
        ), name
        assert _offered(response.content.decode()) == ARROWS[status], name
