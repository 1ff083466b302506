"""Destruction requests move onto the approvals engine: one engine request per destruction
request (both managers in either order; an executed request was approved) and one engine
decision per ``retention.DestructionApproval`` row. Backwards, the decisions go back."""

from django.db import migrations

from veracity.core.approvals import DESTRUCTION_PLAN

OWNER = "destruction_request"


def forwards(apps, schema_editor):
    DestructionRequest = apps.get_model("retention", "DestructionRequest")
    DestructionApproval = apps.get_model("retention", "DestructionApproval")
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ApprovalDecision = apps.get_model("approvals", "ApprovalDecision")
    for request in DestructionRequest.objects.order_by("pk").iterator():
        engine = ApprovalRequest.objects.create(
            kind="retention.destruction",
            plan=DESTRUCTION_PLAN.to_data(),
            requester_id=request.requested_by_id,
            owner_label=OWNER,
            owner_id=request.pk,
            status="approved" if request.status == "executed" else request.status,
            created_at=request.requested_at,
            decided_at=request.decided_at,
        )
        ApprovalDecision.objects.bulk_create(
            ApprovalDecision(
                request=engine,
                step=a.step,
                decider_id=a.approver_id,
                approve=a.decision == "approve",
                reason=a.reason,
                decided_at=a.decided_at,
            )
            for a in DestructionApproval.objects.filter(request_id=request.pk).order_by(
                "decided_at", "pk"
            )
        )


def backwards(apps, schema_editor):
    DestructionApproval = apps.get_model("retention", "DestructionApproval")
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ApprovalDecision = apps.get_model("approvals", "ApprovalDecision")
    moved = ApprovalRequest.objects.filter(owner_label=OWNER)
    DestructionApproval.objects.bulk_create(
        DestructionApproval(
            request_id=d.request.owner_id,
            step=d.step,
            approver_id=d.decider_id,
            decision="approve" if d.approve else "reject",
            reason=d.reason,
            decided_at=d.decided_at,
        )
        for d in ApprovalDecision.objects.filter(request__in=moved).select_related("request")
    )
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0002_access_request_decisions"),
        ("retention", "0002_default_retention_rules"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
