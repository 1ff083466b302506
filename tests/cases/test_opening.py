"""Detection's clues open or extend problem items through one cases service (D1.7)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cases.test_listing import _apply, _person
from veracity.cases import services
from veracity.cases.models import ProblemItem, ProblemItemMember
from veracity.cases.services import clue_recheck, problem_items_open_or_extend
from veracity.core.detection import Clue, Rule

pytestmark = pytest.mark.django_db
MONDAY, TUESDAY = date(2026, 10, 12), date(2026, 10, 13)


def _clue(customers, policies, *, reason="同一电话", severity="high", key="phone-key") -> Clue:
    return Clue(
        Rule.SHARED_PHONE,
        key,
        tuple(customers),
        tuple(policies),
        severity,
        reason,
        "one phone",
        {"value": "138****8000"},
    )


def _three():
    policies = [
        _apply("O1", _person("王小芳", "1980-01-01", "13800138000")),
        _apply("O2", _person("赵大海", "1981-01-01", "13800138000")),
        _apply("O3", _person("钱多多", "1982-01-01", "13800138000")),
    ]
    customers = [p.roles.get(role="policyholder").customer_id for p in policies]
    return customers, [p.pk for p in policies]


def _members(item: ProblemItem) -> list[tuple[int, int | None, date]]:
    return sorted(
        ProblemItemMember.objects.filter(item=item).values_list(
            "customer_id", "policy_id", "added_on"
        )
    )


def test_a_new_clue_opens_an_item_with_its_members():
    (a, b, _), (pa, pb, _) = _three()
    policies_of = {a: {pa}, b: {pb}}
    counts = problem_items_open_or_extend(
        [_clue([a, b], [pa, pb])], business_date=MONDAY, policies_of=policies_of
    )
    assert counts == {"opened": 1, "extended": 0, "unchanged": 0}
    item = ProblemItem.objects.get()
    assert (item.rule, item.key, item.status, item.stage, item.shared_value) == (
        "SHARED_PHONE",
        "phone-key",
        "open",
        "new",
        "138****8000",
    )
    assert (item.first_seen_on, item.last_seen_on, item.created_by) == (MONDAY, MONDAY, None)
    assert _members(item) == [(a, pa, MONDAY), (b, pb, MONDAY)]


def test_a_known_clue_extends_the_open_item_then_leaves_it_unchanged():
    (a, b, c), (pa, pb, pc) = _three()
    policies_of = {a: {pa}, b: {pb}, c: {pc}}
    problem_items_open_or_extend(
        [_clue([a, b], [pa, pb])], business_date=MONDAY, policies_of=policies_of
    )
    counts = problem_items_open_or_extend(
        [_clue([a, b, c], [pa, pb, pc], reason="三人同一电话")],
        business_date=TUESDAY,
        policies_of=policies_of,
    )
    assert counts == {"opened": 0, "extended": 1, "unchanged": 0}
    item = ProblemItem.objects.get()
    assert (item.first_seen_on, item.last_seen_on, item.reason_zh) == (
        MONDAY,
        TUESDAY,
        "三人同一电话",
    )
    assert _members(item) == [(a, pa, MONDAY), (b, pb, MONDAY), (c, pc, TUESDAY)]
    again = problem_items_open_or_extend(
        [_clue([a, b, c], [pa, pb, pc], reason="三人同一电话")],
        business_date=TUESDAY,
        policies_of=policies_of,
    )
    assert again == {"opened": 0, "extended": 0, "unchanged": 1}
    assert ProblemItem.objects.count() == 1


def test_a_closed_item_does_not_take_the_clue_again():
    (a, b, _), (pa, pb, _) = _three()
    policies_of = {a: {pa}, b: {pb}}
    problem_items_open_or_extend(
        [_clue([a, b], [pa, pb])], business_date=MONDAY, policies_of=policies_of
    )
    ProblemItem.objects.update(status=ProblemItem.Status.CLOSED)
    counts = problem_items_open_or_extend(
        [_clue([a, b], [pa, pb])], business_date=TUESDAY, policies_of=policies_of
    )
    assert counts == {"opened": 1, "extended": 0, "unchanged": 0}
    assert sorted(ProblemItem.objects.values_list("status", "first_seen_on")) == [
        ("closed", MONDAY),
        ("open", TUESDAY),
    ]


def test_a_member_without_a_named_policy_joins_alone_and_staff_are_recorded(personas):
    (a, b, _), (pa, _, _) = _three()
    counts = problem_items_open_or_extend(
        [_clue([a, b], [pa])],
        business_date=MONDAY,
        policies_of={a: {pa}, b: set()},
        created_by=personas["sam"],
    )
    assert counts["opened"] == 1
    item = ProblemItem.objects.get()
    assert item.created_by == personas["sam"]
    assert _members(item) == [(a, pa, MONDAY), (b, None, MONDAY)]


def test_no_clues_write_nothing():
    assert problem_items_open_or_extend([], business_date=MONDAY, policies_of={}) == {
        "opened": 0,
        "extended": 0,
        "unchanged": 0,
    }
    assert not ProblemItem.objects.exists()


def test_the_recheck_is_detections_once_its_app_is_ready():
    from veracity.detection.services import detection_recheck

    assert services._PROVIDED["recheck"] is detection_recheck


def test_without_a_recheck_provided_a_correction_cannot_be_rechecked(monkeypatch):
    monkeypatch.setattr(services, "_PROVIDED", {})
    with pytest.raises(RuntimeError, match="re-check"):
        clue_recheck(customer_ids=[1], business_date=MONDAY)
