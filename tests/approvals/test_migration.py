"""The decisions already taken move into the approvals engine with every row kept: a
database at the migrations before the engine, with requests and decisions in it, migrates
forward and back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("access", "0007_api_client_channels"),
    ("retention", "0002_default_retention_rules"),
    ("approvals", "0001_requests_and_decisions"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_access_decisions_move_to_the_engine_and_back():
    users = {
        name: get_user_model().objects.create_user(username=name, password="pw")
        for name in ("carol", "henry", "sam", "ivan")
    }
    old = migrate(BEFORE)
    try:
        AccessRequest = old.get_model("access", "AccessRequest")
        Approval = old.get_model("access", "Approval")
        now = timezone.now()
        approved = AccessRequest.objects.create(
            kind="borrow",
            requester_id=users["carol"].pk,
            subject="s",
            purpose="callback",
            reason="r",
            status="approved",
            steps=["department_head", "customer_service"],
            decided_at=now,
        )
        Approval.objects.create(
            request=approved,
            step="department_head",
            approver_id=users["henry"].pk,
            decision="approve",
            decided_at=now - timedelta(hours=1),
        )
        Approval.objects.create(
            request=approved,
            step="customer_service",
            approver_id=users["sam"].pk,
            decision="approve",
            decided_at=now,
        )
        rejected = AccessRequest.objects.create(
            kind="external",
            requester_id=users["carol"].pk,
            subject="s",
            purpose="other",
            reason="r",
            status="rejected",
            steps=["information_manager", "customer_service_manager"],
            decided_at=now,
        )
        Approval.objects.create(
            request=rejected,
            step="information_manager",
            approver_id=users["ivan"].pk,
            decision="reject",
            reason="no legal basis",
            decided_at=now,
        )
        pending = AccessRequest.objects.create(
            kind="export",
            requester_id=users["carol"].pk,
            subject="s",
            purpose="p",
            reason="r",
            steps=["export_approver"],
        )

        new = migrate(leaves())
        ApprovalRequest = new.get_model("approvals", "ApprovalRequest")
        ApprovalDecision = new.get_model("approvals", "ApprovalDecision")
        engine = {
            r.owner_id: r for r in ApprovalRequest.objects.filter(owner_label="access_request")
        }
        assert set(engine) == {approved.pk, rejected.pk, pending.pk}
        assert [
            (engine[pk].kind, engine[pk].status) for pk in (approved.pk, rejected.pk, pending.pk)
        ] == [
            ("access.borrow", "approved"),
            ("access.external", "rejected"),
            ("access.export", "pending"),
        ]
        assert [s["name"] for stage in engine[approved.pk].plan for s in stage] == [
            "department_head",
            "customer_service",
        ]
        assert engine[approved.pk].decided_at == now
        rows = sorted(
            ApprovalDecision.objects.values_list(
                "request__owner_id", "step", "decider__username", "approve", "reason"
            )
        )
        assert rows == sorted(
            [
                (approved.pk, "department_head", "henry", True, ""),
                (approved.pk, "customer_service", "sam", True, ""),
                (rejected.pk, "information_manager", "ivan", False, "no legal basis"),
            ]
        )

        back = migrate(BEFORE)
        assert sorted(
            back.get_model("access", "Approval").objects.values_list(
                "request_id", "step", "approver_id", "decision", "reason"
            )
        ) == sorted(
            [
                (approved.pk, "department_head", users["henry"].pk, "approve", ""),
                (approved.pk, "customer_service", users["sam"].pk, "approve", ""),
                (rejected.pk, "information_manager", users["ivan"].pk, "reject", "no legal basis"),
            ]
        )
        assert not back.get_model("approvals", "ApprovalRequest").objects.exists()
    finally:
        migrate(leaves())


def test_destruction_decisions_move_to_the_engine_and_back():
    users = {
        name: get_user_model().objects.create_user(username=name, password="pw")
        for name in ("admin", "ivan", "mona")
    }
    old = migrate(BEFORE)
    try:
        DestructionRequest = old.get_model("retention", "DestructionRequest")
        DestructionApproval = old.get_model("retention", "DestructionApproval")
        now = timezone.now()
        made = {
            status: DestructionRequest.objects.create(
                status=status,
                reason="retention period expired",
                requested_by_id=users["admin"].pk,
                requested_at=now - timedelta(days=1),
                decided_at=None if status == "pending" else now,
            )
            for status in ("pending", "approved", "rejected", "executed")
        }
        for status in ("approved", "executed"):
            for step, who in (
                ("information_manager", "ivan"),
                ("customer_service_manager", "mona"),
            ):
                DestructionApproval.objects.create(
                    request=made[status],
                    step=step,
                    approver_id=users[who].pk,
                    decision="approve",
                    decided_at=now,
                )
        DestructionApproval.objects.create(
            request=made["rejected"],
            step="customer_service_manager",
            approver_id=users["mona"].pk,
            decision="reject",
            reason="客户仍有理赔争议",
            decided_at=now,
        )
        old_rows = sorted(
            DestructionApproval.objects.values_list(
                "request_id", "step", "approver_id", "decision", "reason", "decided_at"
            )
        )

        new = migrate(leaves())
        ApprovalRequest = new.get_model("approvals", "ApprovalRequest")
        engine = {
            r.owner_id: r for r in ApprovalRequest.objects.filter(owner_label="destruction_request")
        }
        assert {pk: engine[r.pk].status for pk, r in ((r.pk, r) for r in made.values())} == {
            made["pending"].pk: "pending",
            made["approved"].pk: "approved",
            made["rejected"].pk: "rejected",
            made["executed"].pk: "approved",
        }
        assert all(r.kind == "retention.destruction" for r in engine.values())
        assert engine[made["pending"].pk].created_at == now - timedelta(days=1)
        # the owner keeps its own status (executed stays executed)
        statuses = dict(
            new.get_model("retention", "DestructionRequest").objects.values_list("pk", "status")
        )
        assert statuses[made["executed"].pk] == "executed"
        rows = sorted(
            (
                d.request.owner_id,
                d.step,
                d.decider_id,
                "approve" if d.approve else "reject",
                d.reason,
                d.decided_at,
            )
            for d in new.get_model("approvals", "ApprovalDecision")
            .objects.filter(request__owner_label="destruction_request")
            .select_related("request")
        )
        assert rows == old_rows and len(rows) == 5

        back = migrate(BEFORE)
        assert (
            sorted(
                back.get_model("retention", "DestructionApproval").objects.values_list(
                    "request_id", "step", "approver_id", "decision", "reason", "decided_at"
                )
            )
            == old_rows
        )
    finally:
        migrate(leaves())
