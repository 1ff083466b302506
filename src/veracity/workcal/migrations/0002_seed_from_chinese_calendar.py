"""Seed the calendar table with every year chinese-calendar knows (2004–2026 in 1.11), so a
fresh database computes deadlines without a manual step. ``veracity workdays seed`` runs the
same code again after a library upgrade."""

from django.db import migrations

from veracity.workcal.seeding import seed_from_chinese_calendar, unseed


def seed(apps, schema_editor):
    seed_from_chinese_calendar(
        apps.get_model("workcal", "CalendarDay"), apps.get_model("workcal", "CalendarYear")
    )


def drop(apps, schema_editor):
    unseed(apps.get_model("workcal", "CalendarDay"), apps.get_model("workcal", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]
    operations = [migrations.RunPython(seed, drop)]
