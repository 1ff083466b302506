"""The complaint record now belongs to conduct (its 0001): it leaves detection's state only;
its table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conduct", "0001_complaint_moves_here"),
        ("detection", "0007_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Complaint")],
        ),
    ]
