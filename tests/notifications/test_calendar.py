"""The .ics downloads and feeds, checked by icalendar and by an independent parser (vobject)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject  # a test dependency: missing is an error, never a skip

from accounts.models import AuditEntry
from events.models import CalendarFeed
from events.services import event_cancel, event_update, session_save

from ..factories import EventFactory, RegistrationFactory, SessionFactory, candidate, organizer

pytestmark = pytest.mark.django_db

QINGDAO = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 3, 5, 14, 0, tzinfo=QINGDAO)


def parse_both(content: bytes):
    """(icalendar VEVENTs by UID, vobject VEVENTs by UID): two parsers must agree."""
    ical = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(content).walk("VEVENT")}
    parsed = vobject.readOne(content.decode("utf-8"))
    vob = {e.uid.value: e for e in parsed.contents.get("vevent", [])}
    assert set(ical) == set(vob)
    return ical, vob


def test_event_ics_download_is_valid_for_both_parsers(client):
    event = EventFactory(
        title="青岛博士后政策宣讲",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        venue="市民中心",
        address="市南区东海西路",
    )
    response = client.get(f"/events/{event.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="boju-event-{event.pk}.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(t["tzid"]) for t in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert b"DTSTART;TZID=Asia/Shanghai:20310305T140000" in response.content
    ical, vob = parse_both(response.content)
    uid = f"event-{event.pk}@boju"
    entry = ical[uid]
    assert (str(entry["summary"]), entry["sequence"], str(entry["status"])) == ("青岛博士后政策宣讲", 0, "CONFIRMED")
    assert str(entry["location"]) == "青岛 市民中心 市南区东海西路"
    assert vob[uid].dtstart.value == START and vob[uid].dtend.value == START + timedelta(hours=2)
    assert str(vob[uid].dtstart.value.tzinfo) in ("Asia/Shanghai", "<tzicalvtz 'Asia/Shanghai'>")
    assert vob[uid].summary.value == "青岛博士后政策宣讲"


def test_draft_event_ics_is_404(client):
    assert client.get(f"/events/{EventFactory(status='draft').pk}/calendar.ics").status_code == 404


def test_online_link_only_for_seat_holders(client):
    event = EventFactory(mode="online", online_url="https://meeting.example.cn/secret")
    assert b"meeting.example.cn" not in client.get(f"/events/{event.pk}/calendar.ics").content
    client.force_login(RegistrationFactory(event=event).user)
    assert b"meeting.example.cn/secret" in client.get(f"/events/{event.pk}/calendar.ics").content


def test_change_and_cancellation_are_updates_of_the_same_uid(client):
    boss = organizer(manages_all=True)
    event = EventFactory(starts_at=START, ends_at=START + timedelta(hours=2))
    uid = f"event-{event.pk}@boju"

    def entry():
        ical, vob = parse_both(client.get("/calendar/programme.ics").content)
        assert int(vob[uid].sequence.value) == ical[uid]["sequence"]
        return ical[uid], vob[uid]

    first, _ = entry()
    assert first["sequence"] == 0
    later = START + timedelta(days=2)
    event_update(event=event, actor=boss, data={"starts_at": later, "ends_at": later + timedelta(hours=2)})
    changed, changed_v = entry()
    assert changed["sequence"] == 1 and changed.decoded("dtstart") == later
    assert changed_v.dtstart.value == later
    event_cancel(event=event, actor=boss)
    cancelled, cancelled_v = entry()
    assert (cancelled["sequence"], str(cancelled["status"])) == (2, "CANCELLED")
    assert cancelled_v.status.value == "CANCELLED"


def test_programme_feed_filters_by_kind_and_rejects_unknown(client):
    fair = EventFactory(kind="fair")
    forum = EventFactory(kind="forum")
    EventFactory(kind="forum", status="draft")
    ical, _ = parse_both(client.get("/calendar/programme.ics?kind=forum").content)
    assert set(ical) == {f"event-{forum.pk}@boju"}
    ical, _ = parse_both(client.get("/calendar/programme.ics?kind=fair,forum").content)
    assert set(ical) == {f"event-{fair.pk}@boju", f"event-{forum.pk}@boju"}
    bad = client.get("/calendar/programme.ics?kind=<script>")
    assert bad.status_code == 400 and bad.content.decode() == "未知的活动类型：<script>"
    assert bad["Content-Type"] == "text/plain; charset=utf-8"


def test_personal_feed_has_seats_and_sessions_and_is_revocable(client):
    me = candidate()
    seat_event = EventFactory(title="有名额")
    session = SessionFactory(event=seat_event, title="主旨报告")
    waiting_event = EventFactory(title="候补中")
    RegistrationFactory(event=seat_event, user=me)
    RegistrationFactory(event=waiting_event, user=me, status="waitlisted")
    RegistrationFactory(event=EventFactory(title="已取消报名"), user=me, status="cancelled")
    client.force_login(me)
    assert client.get("/me/calendar/").status_code == 200
    assert client.post("/me/calendar/").status_code == 302
    token = CalendarFeed.objects.get(user=me).token
    page = client.get("/me/calendar/").content.decode()
    assert f"webcal://testserver/calendar/{token}.ics" in page
    client.logout()  # calendar apps fetch without a session
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed["Cache-Control"] == "private, no-store"
    ical, vob = parse_both(feed.content)
    assert set(ical) == {f"event-{seat_event.pk}@boju", f"session-{session.pk}@boju"}
    assert vob[f"session-{session.pk}@boju"].summary.value == "主旨报告 · 有名额"
    client.force_login(me)
    client.post("/me/calendar/")
    client.logout()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    new_token = CalendarFeed.objects.get(user=me).token
    assert new_token != token and client.get(f"/calendar/{new_token}.ics").status_code == 200
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="calendar_feed").order_by("id")] == [
        "calendar_feed.create",
        "calendar_feed.rotate",
    ]


def test_unknown_feed_token_is_404(client):
    assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_session_change_raises_its_sequence(client):
    boss = organizer(manages_all=True)
    me = candidate()
    session = SessionFactory(event=EventFactory(), title="圆桌")
    RegistrationFactory(event=session.event, user=me)
    session_save(
        event=session.event,
        actor=boss,
        session=session,
        data={"room": "B201", "starts_at": session.starts_at, "ends_at": session.ends_at, "title": "圆桌"},
    )
    session.refresh_from_db()
    assert session.calendar_sequence == 1
    client.force_login(me)
    client.post("/me/calendar/")
    ical, vob = parse_both(client.get(f"/calendar/{CalendarFeed.objects.get(user=me).token}.ics").content)
    assert ical[f"session-{session.pk}@boju"]["sequence"] == 1
    assert "B201" in str(ical[f"session-{session.pk}@boju"]["location"])


def test_feeds_tell_calendar_apps_to_refresh_hourly(client):
    content = client.get("/calendar/programme.ics").content
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["refresh-interval"].dt == timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in content
    assert vobject.readOne(content.decode()).contents["x-published-ttl"][0].value == "PT1H"
