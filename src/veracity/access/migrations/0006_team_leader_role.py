"""Team leaders (PW-1: they see the problem items of their agents) as a staff role."""

from django.db import migrations

ROLES = ["team_leader"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def drop_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("access", "0005_api_client_designated_person")]
    operations = [migrations.RunPython(create_roles, drop_roles)]
