"""Leak incident pages (AG-8, D4.27): anyone reports and both managers are told at once; the
list and the incident page are for the managers, compliance and administrators."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from veracity.audit.models import Action, AuditEvent
from veracity.incidents.models import LeakIncident, RemediationStep
from veracity.incidents.services import incident_report
from veracity.notify.models import Notification
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db

HANDLERS = ["ivan", "mona", "dave", "admin"]
OTHERS = ["alice", "carol", "sam", "george", "henry", "audrey"]


@pytest.fixture
def customer(db):

    return _filed("王芳")


def _filed(name):
    """A customer with the file number the register gives it (C + its id)."""
    from veracity.customers.models import Customer
    from veracity.customers.numbers import archive_no_of_id

    made = Customer.objects.create(name=name)
    made.archive_no = archive_no_of_id(made.pk)
    made.save(update_fields=["archive_no"])
    return made


@pytest.fixture
def incident(personas, customer):
    return incident_report(
        principal=Staff(personas["sam"]),
        description="回访录音被发到了个人微信群",
        data_types=["name", "phone"],
        customer_ids=[customer.pk],
    )


def _state(incident_id):
    incident = LeakIncident.objects.get(pk=incident_id)
    return (
        {f.attname: getattr(incident, f.attname) for f in LeakIncident._meta.concrete_fields},
        sorted(incident.customers.values_list("pk", flat=True)),
        RemediationStep.objects.count(),
        AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).count(),
    )


# --- reporting -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", OTHERS + HANDLERS)
def test_everyone_may_open_the_report_form(client, personas, username):
    client.force_login(personas[username])
    page = client.get("/incidents/report/")
    assert page.status_code == 200
    assert 'id="incident-report"' in page.content.decode()


def test_an_agent_reports_and_both_managers_are_told_at_once(
    client, personas, django_capture_on_commit_callbacks
):
    personas["mona"].email = "mona@example.com"
    personas["mona"].save()
    client.force_login(personas["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/incidents/report/",
            {
                "certainty": "suspected",
                "description": "投保单复印件遗失在客户家附近的咖啡馆",
                "data_types": ["id_number", "name", "address"],
            },
        )
    incident = LeakIncident.objects.get()
    # she lands on her receipt, with the incident's number
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/reported/"
    receipt = client.get(response["Location"]).content.decode()
    assert f"泄露事件 #{incident.pk}" in receipt and "咖啡馆" not in receipt
    assert incident.reported_by == personas["alice"] and incident.status == "reported"
    assert incident.data_types == ["id_number", "name", "address"]
    notes = Notification.objects.filter(kind="incident_reported")
    assert {n.recipient.username for n in notes} == {"ivan", "mona"}
    assert {n.link for n in notes} == {f"/incidents/{incident.pk}/"}
    assert [m.to for m in mail.outbox] == [["mona@example.com"]]
    event = AuditEvent.objects.get(action="incident")
    assert event.actor == "alice" and event.object_id == str(incident.pk)
    # the agent does not see the incident she reported, nor another's receipt
    assert client.get(f"/incidents/{incident.pk}/").status_code == 403
    client.force_login(personas["carol"])
    other = client.get(f"/incidents/{incident.pk}/reported/")
    assert other.status_code == 404 and 'id="no-access"' in other.content.decode()
    assert AuditEvent.objects.filter(
        action="access_refused", actor="carol", object_type="incident"
    ).exists()
    # the managers see the unread notice in the navigation
    client.force_login(personas["mona"])
    assert client.get("/notifications/").context["nav_unread"] == 1


def test_a_manager_reports_with_the_customers_and_lands_on_the_incident(client, personas, customer):
    client.force_login(personas["ivan"])
    response = client.post(
        "/incidents/report/",
        {
            "certainty": "confirmed",
            "description": "导出文件外泄",
            "customers": customer.archive_no.lower().replace("c000000", "c"),
        },
    )
    incident = LeakIncident.objects.get()
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert list(incident.customers.all()) == [customer]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["mona"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"certainty": "suspected", "description": ""}, "description"),
        ({"certainty": "perhaps", "description": "x"}, "certainty"),
        ({"certainty": "suspected", "description": "x", "data_types": ["shoe"]}, "data_types"),
        ({"certainty": "suspected", "description": "x", "customers": "FILE"}, "customers"),
        ({"certainty": "suspected", "description": "x", "customers": "KH000001"}, "customers"),
        ({"certainty": "suspected", "description": "x" * 5001}, "description"),
    ],
)
def test_a_bad_report_is_shown_again_and_nothing_is_stored(client, personas, customer, data, says):
    client.force_login(personas["alice"])  # the customer is not in alice's book
    if data.get("customers") == "FILE":
        data = {**data, "customers": customer.archive_no}
    response = client.post("/incidents/report/", data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(says)
    assert not LeakIncident.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="incident").exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.post("/incidents/report/", {"certainty": "suspected", "description": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not LeakIncident.objects.exists()


# --- who sees incidents ------------------------------------------------------------------------


@pytest.mark.parametrize("username", HANDLERS)
def test_handlers_see_the_list_and_the_incident(client, personas, incident, username):
    client.force_login(personas[username])
    listing = client.get("/incidents/")
    assert listing.status_code == 200
    assert f'id="incident-{incident.pk}"' in listing.content.decode()
    page = client.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "回访录音被发到了个人微信群" in text and incident.customers.get().archive_no in text
    assert 'href="/incidents/"' in client.get("/").content.decode()  # in the navigation


@pytest.mark.parametrize("username", OTHERS)
def test_others_are_refused_the_list_the_page_and_every_step(client, personas, incident, username):
    client.force_login(personas[username])
    before = _state(incident.pk)
    assert client.get("/incidents/").status_code == 403
    assert client.get(f"/incidents/{incident.pk}/").status_code == 403
    for step, data in [
        ("move", {"to": "investigating"}),
        ("update", {"certainty": "confirmed", "description": "x", "cause": "y"}),
        ("step", {"action": "x"}),
        ("customers", {"customers": "C0000000001"}),
        ("waive", {"reason": "x"}),
    ]:
        assert client.post(f"/incidents/{incident.pk}/{step}/", data).status_code == 403
    assert _state(incident.pk) == before
    assert 'href="/incidents/"' not in client.get("/notifications/").content.decode()


# --- working an incident -----------------------------------------------------------------------


def test_working_an_incident_to_closed_through_the_pages(client, personas, incident):
    client.force_login(personas["mona"])
    url = f"/incidents/{incident.pk}"

    def post(step, data):
        response = client.post(f"{url}/{step}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == f"{url}/"

    post("move", {"to": "investigating"})
    post(
        "update",
        {
            "certainty": "confirmed",
            "description": incident.description,
            "data_types": ["name", "phone"],
            "cause": "员工将录音转发到私人群聊",
            "possible_harm": "客户电话可能被用于骚扰",
        },
    )
    post("step", {"action": "群主已解散群聊并删除录音", "taken_at": "2026-01-05T09:30"})
    post("move", {"to": "remediated"})
    post(
        "regulator",
        {"authority": "国家金融监督管理总局", "notified_on": timezone.localdate().isoformat()},
    )
    post(
        "individuals",
        {
            "notified_on": timezone.localdate().isoformat(),
            "channel": "phone",
            "notice_data_types": "姓名、电话",
            "notice_cause_and_harm": "录音被转发；可能受到骚扰",
            "notice_remedial_measures": "已删除并追责",
            "notice_individual_measures": "如接到可疑来电请挂断并联系我们",
            "notice_contact": "95500",
        },
    )
    post("move", {"to": "closed"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert incident.steps.get().taken_by == personas["mona"]
    page = client.get(f"{url}/").content.decode()
    assert "群主已解散群聊并删除录音" in page
    steps = [e.detail for e in AuditEvent.objects.filter(action="incident").order_by("seq")]
    assert len(steps) == 8  # the report and the seven steps


def test_closing_too_early_is_refused_with_the_field_named(client, personas, incident):
    client.force_login(personas["ivan"])
    url = f"/incidents/{incident.pk}"
    client.post(f"{url}/move/", {"to": "investigating"})
    client.post(f"{url}/step/", {"action": "已处置"})
    client.post(f"{url}/move/", {"to": "remediated"})
    before = _state(incident.pk)
    response = client.post(f"{url}/move/", {"to": "closed"})
    assert response.status_code == 400
    assert "「原因」" in response.context["error"]
    assert "「原因」" in response.content.decode()
    assert _state(incident.pk) == before
    client.cookies["django_language"] = "en"
    response = client.post(f"{url}/move/", {"to": "closed"})
    assert response.status_code == 400
    assert response.context["error"].startswith("cause:")
    assert _state(incident.pk) == before


def test_an_illegal_move_is_refused_naming_the_status(client, personas, incident):
    client.force_login(personas["dave"])
    before = _state(incident.pk)
    client.cookies["django_language"] = "en"
    response = client.post(f"/incidents/{incident.pk}/move/", {"to": "closed"})
    assert response.status_code == 400
    assert "status: an incident cannot go from reported to closed" in response.content.decode()
    assert _state(incident.pk) == before


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("move", {"to": "nonsense"}),
        ("step", {"action": "x", "taken_at": "yesterday"}),
        ("step", {"action": ""}),
        ("regulator", {"authority": "x", "notified_on": "2026-02-30"}),
        ("individuals", {"notified_on": "2026-01-01", "channel": "sms"}),
        ("customers", {"customers": "NOPE-1"}),
        ("remove-customer", {"customer": "abc"}),
        ("update", {"certainty": "confirmed"}),
        ("waive", {"reason": "   "}),
    ],
)
def test_bad_input_is_a_clear_400_not_a_500(client, personas, incident, step, data):
    client.force_login(personas["ivan"])
    before = _state(incident.pk)
    response = client.post(f"/incidents/{incident.pk}/{step}/", data)
    assert response.status_code == 400
    assert response.context["error"]
    assert _state(incident.pk) == before


def test_unknown_incidents_and_steps_are_404(client, personas, incident):
    client.force_login(personas["ivan"])
    assert client.get("/incidents/999999/").status_code == 404
    assert client.post("/incidents/999999/move/", {"to": "investigating"}).status_code == 404
    assert client.post(f"/incidents/{incident.pk}/explode/", {}).status_code == 404
    assert client.get(f"/incidents/{incident.pk}/move/").status_code == 302  # back to the page
    assert client.get("/incidents/?status=bogus&page=zz").status_code == 200


def test_customers_are_added_and_removed(client, personas, incident, customer):
    other = _filed("李强")
    client.force_login(personas["ivan"])
    url = f"/incidents/{incident.pk}"
    typed = f"{other.archive_no}，{customer.archive_no}"
    assert client.post(f"{url}/customers/", {"customers": typed}).status_code == 302
    assert set(incident.customers.all()) == {customer, other}
    removed = client.post(f"{url}/remove-customer/", {"customer": customer.archive_no})
    assert removed.status_code == 302
    assert list(incident.customers.all()) == [other]


def test_the_list_filters_by_status(client, personas, incident):
    client.force_login(personas["ivan"])
    assert client.get("/incidents/?status=closed").context["page"].object_list.count() == 0
    assert client.get("/incidents/?status=reported").context["page"].object_list.count() == 1
