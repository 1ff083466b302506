"""Indexes for the auditor's filters: the events about an object (a customer's requests,
their approvals, its problem items' steps) and a customer's events, newest first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_verification_and_actor_index")]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["object_type", "object_id", "seq"], name="audit_event_object_seq"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["customer_id", "seq"], name="audit_event_customer_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "seq"], name="audit_event_action_seq"),
        ),
    ]
