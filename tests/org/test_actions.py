"""The actions table's row-reach helper: every selector says what it reads rows for."""

from __future__ import annotations

import pytest

from veracity.audit.selectors import REACHES as TRAIL_REACHES
from veracity.cases.listing import REACHES as ITEM_REACHES
from veracity.customers.selectors import REACHES as FILE_REACHES
from veracity.incidents.selectors import REACHES as INCIDENT_REACHES
from veracity.org.actions import ACTIONS, reach_for
from veracity.policies.selectors import REACHES as APPLICATION_REACHES

ALL_REACHES = [FILE_REACHES, APPLICATION_REACHES, ITEM_REACHES, TRAIL_REACHES, INCIDENT_REACHES]


def test_reach_for_names_the_reach_of_an_action():
    assert reach_for("customers.view", FILE_REACHES) == "view"
    assert reach_for("customers.unmask", FILE_REACHES) == "unmask"
    assert reach_for("customers.download", FILE_REACHES) == "download"


def test_an_action_the_table_does_not_know_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        reach_for("customers.peek", FILE_REACHES)


def test_an_action_the_rows_are_not_read_for_is_a_programming_error():
    with pytest.raises(ValueError, match=r"not read for 'cases\.view'"):
        reach_for("cases.view", FILE_REACHES)


@pytest.mark.parametrize("reaches", ALL_REACHES)
def test_every_reach_action_is_in_the_table(reaches):
    assert set(reaches) <= set(ACTIONS)


@pytest.mark.django_db
def test_a_selector_refuses_to_guess_the_action():
    from veracity.customers.selectors import visible_to
    from veracity.org.principals import system

    with pytest.raises(ValueError):
        visible_to(principal=system("t"), action="audit.read")
