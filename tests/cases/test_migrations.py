"""The problem item's move from detection to cases keeps every row: only Django's state
changes owner (the tables keep their names)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cases", "0002_escalation_outlives_item"), ("detection", "0005_identity_changed_rule")]
AFTER = [
    ("cases", "0003_problem_item_moves_to_cases"),
    ("detection", "0006_problem_item_moves_to_cases"),
]
DAY = date(2026, 10, 12)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    old = _migrate(BEFORE)
    Customer = old.get_model("customers", "Customer")
    customer = Customer.objects.create(name="王小芳")
    item = old.get_model("detection", "ProblemItem").objects.create(
        rule="SHARED_PHONE",
        key="k",
        severity="high",
        reason_zh="同一电话",
        reason_en="one phone",
        first_seen_on=DAY,
        last_seen_on=DAY,
        stage="verified",
        outcome="explained",
    )
    old.get_model("detection", "ProblemItemMember").objects.create(
        item=item, customer_id=customer.pk, added_on=DAY
    )
    old.get_model("detection", "ClueExplanation").objects.create(
        rule="SHARED_PHONE",
        key="k",
        customer_ids=[customer.pk],
        item=item,
        explained_at="2026-10-12T10:00:00Z",
    )
    old.get_model("cases", "CaseStep").objects.create(
        item=item, action="verify", at="2026-10-12T10:00:00Z"
    )
    ContentType.objects.filter(app_label="cases", model="problemitem").delete()
    ContentType.objects.get_or_create(app_label="detection", model="problemitem")

    new = _migrate(AFTER)
    moved = new.get_model("cases", "ProblemItem").objects.get(pk=item.pk)
    assert (moved.key, moved.stage, moved.outcome) == ("k", "verified", "explained")
    assert list(moved.members.values_list("customer_id", flat=True)) == [customer.pk]
    assert new.get_model("cases", "ClueExplanation").objects.get().item_id == item.pk
    assert list(moved.steps.values_list("action", flat=True)) == ["verify"]
    assert ContentType.objects.filter(app_label="cases", model="problemitem").exists()
    assert not ContentType.objects.filter(app_label="detection", model="problemitem").exists()

    # and back again, rows still there
    back = _migrate(BEFORE)
    assert back.get_model("detection", "ProblemItem").objects.filter(pk=item.pk).exists()
    _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
