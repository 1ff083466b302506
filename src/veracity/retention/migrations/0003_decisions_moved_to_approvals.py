# The decisions on destruction requests now live in veracity.approvals (moved by
# approvals.0003_destruction_request_decisions, which must run first).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('retention', '0002_default_retention_rules'),
        ('approvals', '0003_destruction_request_decisions'),
    ]

    operations = [
        migrations.DeleteModel(
            name='DestructionApproval',
        ),
    ]
