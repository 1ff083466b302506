# Department and StaffProfile now belong to ``org`` (org 0001 takes them into its state over
# the same tables). Here access lets go of them in its state only: no table is dropped, no
# row lost. Their content types (and so their permissions) follow them to ``org``.

from django.db import migrations

MOVED = ("department", "staffprofile")


def content_types_to(app_label, other):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MOVED:
            if ContentType.objects.using(db).filter(app_label=app_label, model=model).exists():
                continue  # already created for the new owner; leave the old one be
            ContentType.objects.using(db).filter(app_label=other, model=model).update(
                app_label=app_label
            )

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0007_api_client_channels"),
        ("org", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="StaffProfile"),
                migrations.DeleteModel(name="Department"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to("org", "access"), content_types_to("access", "org")),
    ]
