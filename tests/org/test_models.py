"""Departments and staff profiles moved from access to org over their old tables: the state
moved, the tables and rows did not."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from veracity.org.models import Department, StaffProfile

#: The state as at the commit before the move.
BEFORE_MOVE = [("access", "0007_api_client_channels"), ("org", None)]


def test_the_models_are_org_s_over_the_old_tables():
    assert Department._meta.app_label == "org"
    assert StaffProfile._meta.app_label == "org"
    assert Department._meta.db_table == "access_department"
    assert StaffProfile._meta.db_table == "access_staffprofile"
    assert apps.get_model("org", "Department") is Department
    with pytest.raises(LookupError):
        apps.get_model("access", "Department")
    with pytest.raises(LookupError):
        apps.get_model("access", "StaffProfile")


@pytest.mark.django_db
def test_the_tables_exist():
    tables = set(connection.introspection.table_names())
    assert {"access_department", "access_staffprofile"} <= tables
    assert not {"org_department", "org_staffprofile"} & tables


@pytest.mark.django_db(transaction=True)
def test_rows_built_before_the_move_survive_it():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE_MOVE)
        applied = MigrationRecorder(connection).applied_migrations()
        assert ("org", "0001_initial") not in applied
        assert ("access", "0008_move_staff_facts_to_org") not in applied
        old = MigrationExecutor(connection).loader.project_state([BEFORE_MOVE[0]]).apps
        with pytest.raises(LookupError):
            old.get_model("org", "Department")
        OldUser = old.get_model(settings.AUTH_USER_MODEL)
        OldDepartment = old.get_model("access", "Department")
        OldProfile = old.get_model("access", "StaffProfile")
        head = OldUser.objects.create(username="henry", password="!")
        carol = OldUser.objects.create(username="carol", password="!")
        dept = OldDepartment.objects.create(code="agency", name="Agency", head_id=head.pk)
        OldProfile.objects.create(user_id=carol.pk, department_id=dept.pk, channel="agency")
        # the content types as they were: the old app's, not yet the new one's
        ContentType.objects.filter(app_label="org").delete()
        old_type, _ = ContentType.objects.get_or_create(app_label="access", model="department")

        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)

    profile = StaffProfile.objects.select_related("department__head").get(user__username="carol")
    assert profile.channel == "agency"
    assert profile.department is not None
    assert (profile.department.code, profile.department.head) == (
        "agency",
        get_user_model().objects.get(username="henry"),
    )
    assert get_user_model().objects.get(username="carol").staff_profile == profile
    moved = ContentType.objects.get(pk=old_type.pk)
    assert (moved.app_label, moved.model) == ("org", "department")
    assert moved.model_class() is Department
