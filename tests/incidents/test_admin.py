"""The admin shows incidents, their steps and the read counts, read-only: incidents are worked
on the staff pages, where every step is audited, and never deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from veracity.incidents.models import LeakIncident
from veracity.incidents.services import incident_report
from veracity.notify.models import Notification
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw")


def test_admin_pages_show_and_refuse_changes(client, personas, superuser):
    incident = incident_report(principal=Staff(personas["alice"]), description="U 盘遗失")
    client.force_login(superuser)
    for url in [
        "/admin/incidents/leakincident/",
        f"/admin/incidents/leakincident/{incident.pk}/change/",
        "/admin/incidents/filereadday/",
        "/admin/incidents/filereadcount/",
        "/admin/notify/notification/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/incidents/leakincident/add/").status_code == 403
    response = client.post(f"/admin/incidents/leakincident/{incident.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert LeakIncident.objects.filter(pk=incident.pk).exists()
    assert Notification.objects.count() == 2
