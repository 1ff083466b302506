"""The complaint record moves from detection to conduct, keeping its table (and its column
``kind``, read as the category): a state change only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sales", "0004_verbose_names"),
        ("detection", "0007_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Complaint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[("misselling", "Misselling"), ("other", "Other")],
                                db_column="kind",
                                max_length=12,
                                verbose_name="kind",
                            ),
                        ),
                        ("received_on", models.DateField(verbose_name="received on")),
                        ("verified", models.BooleanField(default=False, verbose_name="verified")),
                        (
                            "verified_on",
                            models.DateField(blank=True, null=True, verbose_name="verified on"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "seller",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="complaints",
                                to="sales.seller",
                            ),
                        ),
                    ],
                    options={"db_table": "detection_complaint"},
                ),
            ],
        ),
    ]
