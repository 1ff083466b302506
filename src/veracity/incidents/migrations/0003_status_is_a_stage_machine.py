"""The status becomes a django-fsm field (its moves are the model's transitions). The column
is the same ``varchar(15)`` with the same values: only Django's picture of the field
changes, the table is not touched."""

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_login_lockout_source"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="leakincident",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[
                            ("candidate", "Candidate (anomaly signal)"),
                            ("reported", "Reported"),
                            ("investigating", "Investigating"),
                            ("remediated", "Remediated"),
                            ("closed", "Closed"),
                            ("dismissed", "Dismissed (no leak)"),
                        ],
                        default="reported",
                        max_length=15,
                        verbose_name="status",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
