"""Two staff claiming the same item at the same moment: exactly one becomes the
investigator (PW-2). Real concurrency needs a server that locks rows — PostgreSQL; SQLite
serialises every writer, so there the race cannot happen and the threaded test is skipped."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from veracity.cases import services as cs
from veracity.cases.models import CaseStep, ProblemItem
from veracity.cases.policy import CaseError
from veracity.org.principals import Staff

postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason='needs PostgreSQL row locks (connection.vendor != "postgresql"; SQLite has one writer)',
)


@pytest.fixture
def roles_exist(transactional_db):
    """The role groups come from a data migration, which an earlier transactional test's
    flush may have emptied."""
    from django.contrib.auth.models import Group

    from veracity.access.roles import RoleName

    for role in RoleName:
        Group.objects.get_or_create(name=role.value)


def _race(item_id: int, users: list[Any]) -> list[Any]:
    """Each user claims the item in their own thread (own connection), released together."""
    barrier = threading.Barrier(len(users))
    results: list[Any] = [None] * len(users)

    def claim(i: int, user: Any) -> None:
        try:
            barrier.wait(timeout=10)
            cs.problem_item_claim(principal=Staff(user), item_id=item_id)
            results[i] = "won"
        except CaseError as error:
            results[i] = error
        except Exception as error:  # reported by the assertion below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("first", "second", "stage"),
    [
        ("carol", "henry", "distributed"),  # two of the agency back-office
        ("sam", "carol", "distributed"),  # customer service and the channel
        ("sam", "mona", "new"),  # two of customer service, before distribution
    ],
)
@pytest.mark.parametrize("round_", range(3))
def test_two_claim_at_once_exactly_one_wins(
    first, second, stage, round_, roles_exist, item, personas
):
    if stage == "distributed":
        cs.problem_item_distribute(
            principal=Staff(personas["sam"]), item_id=item.pk, channel="agency"
        )
    results = _race(item.pk, [personas[first], personas[second]])
    winners = [r for r in results if r == "won"]
    losers = [r for r in results if r != "won"]
    assert len(winners) == 1, results
    [loser] = losers
    assert isinstance(loser, CaseError), loser
    assert loser.code in ("taken", "illegal_transition"), loser
    item.refresh_from_db()
    winner = (first, second)[results.index("won")]
    assert (item.stage, item.assignee_id) == ("investigating", personas[winner].pk)
    assert CaseStep.objects.filter(item=item, action="claim").count() == 1


@pytest.mark.django_db
def test_a_stale_copy_cannot_overwrite_the_stage(item, personas):
    """The guard under the lock: the stage UPDATE is conditional on the stage read, so a
    copy read before someone else's step cannot be saved over it (any database)."""
    cs.problem_item_distribute(principal=Staff(personas["sam"]), item_id=item.pk, channel="agency")
    stale = ProblemItem.objects.get(pk=item.pk)
    cs.problem_item_claim(principal=Staff(personas["carol"]), item_id=item.pk)
    from django_fsm import ConcurrentTransition

    stale.claim()
    stale.assignee = personas["henry"]
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    item.refresh_from_db()
    assert item.assignee == personas["carol"]
