# The decisions on access requests now live in veracity.approvals (moved by
# approvals.0002_access_request_decisions, which must run first).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0008_move_staff_facts_to_org'),
        ('approvals', '0002_access_request_decisions'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Approval',
        ),
    ]
