"""The console's event form reaches the change message; a segment another app registers (checked in)."""

from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from events.models import Event
from notifications import announcements
from notifications.models import Announcement

from ..factories import EventFactory, RegistrationFactory, candidate, organizer, team_member

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def form_data(event: Event, **changes) -> dict:
    local = lambda value: value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if value else ""  # noqa: E731
    data = {
        "series": event.series_id,
        "action": event.action_id or "",
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "mode": event.mode,
        "city": event.city,
        "venue": event.venue,
        "address": event.address,
        "online_url": event.online_url,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "registration_opens_at": local(event.registration_opens_at),
        "registration_closes_at": local(event.registration_closes_at),
        "capacity": event.capacity,
        "waitlist_enabled": "on" if event.waitlist_enabled else "",
    }
    data.update(changes)
    return data


def test_editing_the_venue_in_the_console_tells_the_registered(client, django_capture_on_commit_callbacks):
    event = EventFactory(title="政策宣讲会", venue="市民中心")
    holder = RegistrationFactory(event=event).user
    editor = organizer()
    team_member(event, editor)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/console/events/{event.pk}/edit/", form_data(event, venue="青岛国际会议中心"))
    assert response.status_code == 302, response.content.decode()[:500]
    assert [m.to for m in mail.outbox] == [[holder.email]]
    assert mail.outbox[0].subject == "【博聚】活动变更：政策宣讲会"
    assert "· 场馆：市民中心 → 青岛国际会议中心" in mail.outbox[0].body
    event.refresh_from_db()
    assert event.calendar_sequence == 1


def test_a_segment_registered_by_another_app_is_offered_and_used(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    arrived, absent = candidate(), candidate()
    for person in (arrived, absent):
        RegistrationFactory(event=event, user=person)
    # The mechanism, with a stand-in for the segment checkin registers in its ready().
    real = announcements._targets["event"].segments.get("checked_in")
    announcements.announcement_segment_register(
        "event", "checked_in", label="已签到", order=20, resolve=lambda event_id: [arrived.pk]
    )
    try:
        client.force_login(organizer(manages_all=True))
        page = client.get(f"/console/events/{event.pk}/announcements/").content.decode()
        assert 'value="checked_in"' in page and "已签到" in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/console/events/{event.pk}/announcements/", {"segment": "checked_in", "body": "茶歇在二楼。"})
        assert [m.to for m in mail.outbox] == [[arrived.email]]
        assert Announcement.objects.get().recipients == 1
        assert announcements.notice_topics(arrived, event.pk) == [
            f"notice.{event.pk}.registered",
            f"notice.{event.pk}.checkedin",
        ]
        assert announcements.notice_topics(absent, event.pk) == [f"notice.{event.pk}.registered"]
    finally:
        announcements._targets["event"].segments.pop("checked_in")
        if real is not None:
            announcements._targets["event"].segments["checked_in"] = real
