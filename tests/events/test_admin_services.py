"""Issue 17: the Django admin does not go around the services, and what it still changes is audited.

Seats, times, places and status are read-only in the admin (with a link to the console, where
event_update promotes from the waiting list, updates calendars and audits); sessions, the team
and booths are shown, not edited (booths are placed in the floor editor, which refuses overlaps).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db.models.fields.files import FieldFile

from accounts.models import AuditEntry
from checkin.keys import signing_key_current
from checkin.models import SigningKey
from events.models import Action, Event, Registration, Series
from fairs.models import Booth, Hall
from notifications.services import preferences_save
from tests.factories import EventFactory, RegistrationFactory, candidate, organizer
from tests.fairs.factories import fair_with_booths, member, position

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser(email="root@boju.local", password="x-very-long-pw-1")
    client.force_login(user)
    return user


def _change_form(client, url):
    """The admin change form's fields as the browser would send them back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or isinstance(value, FieldFile):
            continue  # no upload: the file stays as it is
        data[name] = value.pk if hasattr(value, "pk") else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
    return response, data


def test_admin_capacity_is_read_only_and_links_to_the_console(client, admin):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    RegistrationFactory(event=event)
    response, data = _change_form(client, f"/admin/events/event/{event.pk}/change/")
    page = response.content.decode()
    assert "capacity" not in response.context["adminform"].form.fields
    assert f"/console/events/{event.pk}/edit/" in page
    data.update(capacity=50, description="admin 修改的介绍")
    data["starts_at_0"], data["starts_at_1"] = "2000-01-01", "00:00"
    saved = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    event.refresh_from_db()
    # Only the free text changed; seats and times kept what the services hold.
    assert (event.capacity, event.description) == (1, "admin 修改的介绍")
    entry = AuditEntry.objects.get(action="event.admin_update", target_id=str(event.pk))
    assert entry.actor == admin and "description" in entry.data["changed"]


def test_admin_cannot_add_events_sessions_or_booths(client, admin):
    fair = fair_with_booths(2)
    assert client.get("/admin/events/event/add/").status_code == 403
    response = client.get(f"/admin/fairs/hall/{Hall.objects.get(fair=fair).pk}/change/")
    page = response.content.decode()
    assert f"/console/fairs/{fair.event_id}/" in page
    inline = response.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission


def test_admin_booth_edit_cannot_overlap_another_booth(client, admin):
    fair = fair_with_booths(2)
    hall = Hall.objects.get(fair=fair)
    first, second = Booth.objects.filter(hall=hall).order_by("code")
    _response, data = _change_form(client, f"/admin/fairs/hall/{hall.pk}/change/")
    # What the old inline took: the second booth moved onto the first.
    data.update(
        {
            "booths-TOTAL_FORMS": 2,
            "booths-INITIAL_FORMS": 2,
            "booths-0-id": first.pk,
            "booths-1-id": second.pk,
            "booths-1-x": first.x,
            "booths-1-y": first.y,
            "booths-1-code": second.code,
            "booths-1-width": 1,
            "booths-1-height": 1,
            "booths-1-size": 9,
            "name": "A 馆（改）",
        }
    )
    client.post(f"/admin/fairs/hall/{hall.pk}/change/", data)
    second.refresh_from_db()
    assert (second.x, second.y) != (first.x, first.y)
    hall.refresh_from_db()
    assert hall.name == "A 馆（改）"
    assert AuditEntry.objects.filter(action="fair.hall.admin_update", target_id=str(hall.pk)).exists()


def test_admin_position_edit_is_audited(client, admin):
    company, _admin_user = member()
    job = position(company)
    _response, data = _change_form(client, f"/admin/fairs/position/{job.pk}/change/")
    data["title"] = "算法研究员（改）"
    assert client.post(f"/admin/fairs/position/{job.pk}/change/", data).status_code == 302
    entry = AuditEntry.objects.get(action="fair.position.admin_update", target_id=str(job.pk))
    assert entry.actor == admin and entry.data["changed"] == ["title"]


def test_series_actions_saved_by_the_formset_are_audited(client):
    head = organizer()
    client.force_login(head)
    data = {
        "title": "2026 行动",
        "slug": "actions-2026",
        "year": 2026,
        "actions-TOTAL_FORMS": 2,
        "actions-INITIAL_FORMS": 0,
        "actions-0-number": 1,
        "actions-0-title": "博聚英才",
        "actions-1-number": 2,
        "actions-1-title": "产才对接",
    }
    assert client.post("/console/series/new/", data).status_code == 302
    series = Series.objects.get(slug="actions-2026")
    first, second = series.actions.order_by("number")
    assert AuditEntry.objects.filter(action="series.action_create").count() == 2
    edit = {
        "title": series.title,
        "slug": series.slug,
        "year": 2026,
        "actions-TOTAL_FORMS": 2,
        "actions-INITIAL_FORMS": 2,
        "actions-0-id": first.pk,
        "actions-0-number": 1,
        "actions-0-title": "博聚英才行动",
        "actions-1-id": second.pk,
        "actions-1-number": 2,
        "actions-1-title": "产才对接",
        "actions-1-DELETE": "on",
    }
    assert client.post(f"/console/series/{series.pk}/", edit).status_code == 302
    update = AuditEntry.objects.get(action="series.action_update")
    assert update.actor == head and update.data["changed"] == ["title"]
    deleted = AuditEntry.objects.get(action="series.action_delete")
    assert deleted.data["title"] == "产才对接" and not Action.objects.filter(pk=second.pk).exists()


def test_key_rotation_and_retirement_in_the_admin_are_audited(client, admin):
    event = EventFactory()
    key = signing_key_current(event.pk)
    changelist = "/admin/checkin/signingkey/"
    client.post(changelist, {"action": "rotate", "_selected_action": [key.pk]})
    client.post(changelist, {"action": "retire", "_selected_action": [key.pk]})
    assert SigningKey.objects.filter(event=event).count() == 2
    assert AuditEntry.objects.get(action="checkin.key_retire", target_id=str(key.pk)).actor == admin
    rotated = AuditEntry.objects.filter(action="checkin.key_create", actor=admin)
    assert rotated.count() == 1 and rotated.get().target_id != str(key.pk)


def test_notification_preferences_are_audited_when_they_change():
    person = candidate()
    preferences_save(user=person, email_by_kind={"registration.waitlisted": False, "announcement": True})
    entry = AuditEntry.objects.get(action="notifications.preferences_save")
    assert entry.actor == person and entry.data == {"email": {"registration.waitlisted": False}}
    preferences_save(user=person, email_by_kind={"registration.waitlisted": False})
    assert AuditEntry.objects.filter(action="notifications.preferences_save").count() == 1


def test_event_admin_still_lists_and_searches(client, admin):
    EventFactory(title="秋季专场")
    assert client.get("/admin/events/event/?q=秋季").status_code == 200
    assert Event.objects.count() == 1 and Registration.objects.count() == 0
