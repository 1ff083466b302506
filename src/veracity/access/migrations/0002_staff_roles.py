"""The staff roles as groups, with the model permissions each role needs."""

from django.db import migrations

ROLES = [
    "agent",
    "channel_backoffice",
    "customer_service",
    "compliance",
    "information_manager",
    "auditor",
    "admin",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def drop_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, drop_roles)]
