# Department and StaffProfile move from ``access`` to ``org``: the tables that access 0003
# created stay as they are (``Meta.db_table``); only Django's state changes owner, here and
# in access 0008.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # the tables exist before org's state claims them
        ("access", "0003_borrowing_and_approvals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Department",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.CharField(max_length=20, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("head", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="department head")),
                    ],
                    options={
                        "verbose_name": "department",
                        "db_table": "access_department",
                    },
                ),
                migrations.CreateModel(
                    name="StaffProfile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("channel", models.CharField(blank=True, max_length=20, verbose_name="sales channel")),
                        ("department", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="org.department", verbose_name="department")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="staff_profile", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "staff profile",
                        "db_table": "access_staffprofile",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
