"""The managers who approve requests (D4.18, D4.23, D4.24) as staff roles."""

from django.db import migrations

ROLES = ["customer_service_manager", "general_manager"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def drop_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("access", "0003_borrowing_and_approvals")]
    operations = [migrations.RunPython(create_roles, drop_roles)]
