"""Access requests move onto the approvals engine: one engine request per access request
(its step plan from the steps it recorded, its status and dates) and one engine decision per
``access.Approval`` row. Backwards, the decisions go back to ``access.Approval``."""

from django.db import migrations

from veracity.core.approvals import PRODUCT_PLANS, Plan

OWNER = "access_request"
STEPS = {s.name: s for plan in PRODUCT_PLANS.values() for s in plan.steps}


def forwards(apps, schema_editor):
    AccessRequest = apps.get_model("access", "AccessRequest")
    Approval = apps.get_model("access", "Approval")
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ApprovalDecision = apps.get_model("approvals", "ApprovalDecision")
    for request in AccessRequest.objects.order_by("pk").iterator():
        plan = Plan.ordered(*(STEPS[name] for name in request.steps))
        engine = ApprovalRequest.objects.create(
            kind=f"access.{request.kind}",
            plan=plan.to_data(),
            requester_id=request.requester_id,
            owner_label=OWNER,
            owner_id=request.pk,
            status=request.status,
            created_at=request.created_at,
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
            for a in Approval.objects.filter(request_id=request.pk).order_by("decided_at", "pk")
        )


def backwards(apps, schema_editor):
    Approval = apps.get_model("access", "Approval")
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ApprovalDecision = apps.get_model("approvals", "ApprovalDecision")
    moved = ApprovalRequest.objects.filter(owner_label=OWNER)
    Approval.objects.bulk_create(
        Approval(
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
        ("approvals", "0001_requests_and_decisions"),
        ("access", "0007_api_client_channels"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
