"""Every complaint has a number: the ones recorded before numbers were kept get
``LEGACY-<id>``; then the number is required and unique."""

from django.db import migrations, models


def number_old_complaints(apps, schema_editor):
    Complaint = apps.get_model("conduct", "Complaint")
    for complaint in Complaint.objects.filter(complaint_no__isnull=True).only("pk"):
        complaint.complaint_no = f"LEGACY-{complaint.pk}"
        complaint.save(update_fields=["complaint_no"])


class Migration(migrations.Migration):
    dependencies = [("conduct", "0002_registers")]

    operations = [
        migrations.RunPython(number_old_complaints, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="complaint",
            name="complaint_no",
            field=models.CharField(max_length=40, unique=True, verbose_name="complaint no."),
        ),
    ]
