"""The stage machine answers which steps a person may take now (issue 11).

Every transition of ``ProblemItem.stage`` carries a ``permission=`` that asks
``veracity.cases.policy``; :func:`veracity.cases.policy.steps_open_to` lists what the machine
opens. The table below — every stage × every persona × every step — must agree with the
persona matrix of ``test_policy`` (written out there from the rules of the issue), and the
item page and the work queue must offer exactly what the machine opens.
"""

from __future__ import annotations

import re

import pytest
from django_fsm import has_transition_perm

from tests.cases.test_policy import SEES_NOTHING, STAGES, STEPS, USERS, expected, walk
from veracity.cases import policy
from veracity.cases.models import ProblemItem
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

SEEN = [name for name in USERS if name not in SEES_NOTHING]


def test_every_transition_asks_the_policy():
    """No transition is open to everyone: each one's ``permission=`` is a callable, and
    every step the page and the API name is a transition or a supporting step."""
    field = ProblemItem._meta.get_field("stage")
    transitions = list(field.get_all_transitions(ProblemItem))
    assert transitions
    assert all(callable(t.permission) for t in transitions)
    names = {t.name for t in transitions}
    assert set(policy.STEP_TRANSITIONS.values()) == names
    assert {*policy.STEP_TRANSITIONS, *policy.SUPPORT_STEPS} == set(STEPS)


@pytest.mark.parametrize("stage", STAGES)
def test_the_machine_agrees_with_the_persona_matrix(stage, item, staff):
    """(stage × persona × step) → allowed, asked of the machine, equals the matrix's "ok"."""
    walk(item, stage, staff)
    item.refresh_from_db()
    got = {
        (name, step): policy.step_open_to(item, step, principal=Staff(staff[name]))
        for name in SEEN
        for step in STEPS
    }
    want = {(name, step): expected(step, name, stage) == "ok" for name in SEEN for step in STEPS}
    assert got == want
    for name in SEEN:
        # the list is the table's row, in the order the page shows the steps
        assert policy.steps_open_to(item, principal=Staff(staff[name])) == [
            step for step in STEPS if want[(name, step)]
        ]
        # and the transitions themselves answer the same through django-fsm
        for step, transition in policy.STEP_TRANSITIONS.items():
            bound = getattr(item, transition)
            assert has_transition_perm(bound, Staff(staff[name])) is want[(name, step)], (
                name,
                step,
            )
        available = {t.name for t in item.get_available_user_stage_transitions(Staff(staff[name]))}
        assert available == {t for s, t in policy.STEP_TRANSITIONS.items() if want[(name, s)]}, name


@pytest.mark.parametrize("stage", STAGES)
def test_the_machine_opens_nothing_to_those_who_see_nothing(stage, item, staff):
    """The agent, the other channel's back-office, the general manager and the auditor are
    refused every step (the services say "not found"); the machine opens none either."""
    walk(item, stage, staff)
    item.refresh_from_db()
    for name in SEES_NOTHING:
        assert policy.steps_open_to(item, principal=Staff(staff[name])) == [], name


def test_an_unknown_step_is_never_open(item, staff):
    assert not policy.step_open_to(item, "destroy", principal=Staff(staff["admin"]))
    assert not policy.step_open_to(
        item, "send_back", principal=Staff(staff["sam"])
    )  # a transition, not a step


def _offered(body: str) -> list[str]:
    return re.findall(r'id="form-(distribute|claim|submit|return|verify|close|attach|note)"', body)


@pytest.mark.parametrize("stage", STAGES)
def test_the_item_page_offers_what_the_machine_opens(
    stage, item, staff, client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    walk(item, stage, staff)
    item.refresh_from_db()
    for name in SEEN:
        client.force_login(staff[name])
        response = client.get(f"/problems/{item.pk}/")
        assert response.status_code == 200, name
        assert _offered(response.content.decode()) == policy.steps_open_to(
            item, principal=Staff(staff[name])
        ), name


@pytest.mark.parametrize("stage", ["new", "distributed", "investigating"])
def test_the_queue_ticks_what_the_machine_lets_distribute(stage, item, staff, client):
    """A row of the work queue is ticked for distribution when the machine lets the person
    distribute it (and customer service's queue lists the new items)."""
    walk(item, stage, staff)
    item.refresh_from_db()
    for name in ("sam", "mona", "dave", "carol"):
        client.force_login(staff[name])
        body = client.get(f"/problems/queue/?stage={stage}").content.decode()
        listed = f'id="item-{item.pk}"' in body
        ticked = f'name="item" value="{item.pk}"' in body
        assert ticked is (
            listed and policy.step_open_to(item, "distribute", principal=Staff(staff[name]))
        )
        if stage == "new" and name in ("sam", "mona"):
            assert ticked
    assert not policy.distributable("new", principal=Staff(staff["dave"]))
    assert policy.distributable("distributed", principal=Staff(staff["sam"]))
    assert not policy.distributable("closed", principal=Staff(staff["sam"]))
