"""The sales-force roles (D1.9, D1.22, D1.23): the training department, sales channel
management and the general office, as staff groups."""

from django.db import migrations

ROLES = ["training", "channel_management", "general_office"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def drop_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0002_verbose_names"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, drop_roles)]
