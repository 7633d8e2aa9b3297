"""Speakers and rooms: text read into entities, photos, the grid, conflicts, pages, .ics, API."""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar
from PIL import Image

from events.calendar import personal_ics
from events.models import Event, Room, Session, Speaker
from events.speakers.selectors import event_conflicts, sessions_with_people, timetable_grid
from events.speakers.services import SpeakerError, session_people_from_text, session_speakers_set, speaker_save
from events.speakers.text import split_speakers, title_of

from ..factories import EventFactory, RegistrationFactory, SessionFactory, candidate, organizer, team_member

pytestmark = pytest.mark.django_db


def _session(event, title, start_h, end_h, *, room=None, speakers=()):
    session = Session.objects.create(
        event=event,
        title=title,
        starts_at=event.starts_at + timedelta(hours=start_h),
        ends_at=event.starts_at + timedelta(hours=end_h),
        place=room,
    )
    session_speakers_set(session, list(speakers))
    return session


def test_free_text_is_read_into_speakers():
    assert split_speakers("中国海洋大学 王教授；海尔集团 李博士、张三") == [
        ("王教授", "中国海洋大学"),
        ("李博士", "海尔集团"),
        ("张三", ""),
    ]
    assert title_of("王教授") == "教授" and title_of("林海川") == ""
    event = EventFactory(venue="国际会展中心")
    session = SessionFactory(event=event, speakers="中国海洋大学 王教授；海尔集团 李博士", room="A101")
    other = SessionFactory(event=event, speakers="中国海洋大学 王教授", room="A101")
    session_people_from_text(session)
    session_people_from_text(other)
    assert [(p.name, p.organisation, p.title) for p in session.speaker_list()] == [
        ("王教授", "中国海洋大学", "教授"),
        ("李博士", "海尔集团", "博士"),
    ]
    assert other.speaker_list()[0] == session.speaker_list()[0]  # the same person, once
    assert (session.place.venue, session.place.name) == ("国际会展中心", "A101") and other.place == session.place
    assert session.speaker_names == "中国海洋大学 王教授；海尔集团 李博士"


def test_speaker_photo_is_reencoded_as_png():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "navy").save(buffer, "JPEG")
    upload = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")
    speaker = speaker_save(actor=organizer(), data={"name": "林海川", "title": "院士"}, photo=upload)
    with speaker.photo.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SpeakerError) as error:
        speaker_save(
            actor=organizer(),
            data={"name": "x"},
            photo=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        )
    assert error.value.code == "photo"
    with pytest.raises(SpeakerError) as error:
        speaker_save(actor=candidate(), data={"name": "x"})
    assert error.value.code == "forbidden"


def test_timetable_grid_places_rooms_and_times():
    event = EventFactory()
    hall, side = Room.objects.create(venue="v", name="报告厅"), Room.objects.create(venue="v", name="分会场")
    opening = _session(event, "开幕", 0, 1, room=hall)
    track_a = _session(event, "分论坛A", 1, 3, room=hall)
    track_b = _session(event, "分论坛B", 1, 2, room=side)
    [day] = timetable_grid(list(sessions_with_people(event.sessions.all())))
    assert day.columns == ["报告厅", "分会场"]
    cells = {c["session"].pk: (c["column"], c["row_start"], c["row_end"]) for c in day.cells}
    assert cells == {opening.pk: (2, 2, 3), track_a.pk: (2, 3, 5), track_b.pk: (3, 3, 4)}


def test_conflicts_for_speakers_and_rooms_across_events():
    event, other = EventFactory(), EventFactory()
    other.starts_at = event.starts_at
    hall = Room.objects.create(venue="v", name="报告厅")
    wang = Speaker.objects.create(name="王海", title="教授")
    _session(event, "报告一", 0, 2, room=hall, speakers=[wang])
    _session(event, "报告二", 1, 3, speakers=[wang])
    _session(other, "别处报告", 1, 2, room=hall)
    _session(event, "之后", 3, 4, room=hall, speakers=[wang])
    found = sorted((c.kind, c.who, c.first.title, c.second.title) for c in event_conflicts(event))
    assert found == [("room", "v · 报告厅", "报告一", "别处报告"), ("speaker", "王海", "报告一", "报告二")]


def test_console_overview_warns_about_conflicts(client):
    event = EventFactory()
    editor = organizer()
    team_member(event, editor)
    wang = Speaker.objects.create(name="王海")
    _session(event, "报告一", 0, 2, speakers=[wang])
    _session(event, "报告二", 1, 3, speakers=[wang])
    client.force_login(editor)
    page = client.get(f"/console/events/{event.pk}/").content.decode()
    assert "嘉宾 王海 同时出现在两个日程中" in page


def test_console_session_form_sets_speakers_and_room(client):
    event = EventFactory()
    editor = organizer()
    team_member(event, editor)
    wang, li = Speaker.objects.create(name="王海"), Speaker.objects.create(name="李静")
    hall = Room.objects.create(venue="v", name="报告厅", capacity=200)
    client.force_login(editor)
    local = event.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0) + timedelta(
        minutes=1
    )
    response = client.post(
        f"/console/events/{event.pk}/sessions/new/",
        {
            "title": "主旨报告",
            "presenters": [wang.pk, li.pk],
            "place": hall.pk,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(event=event)
    assert {p.name for p in session.speaker_list()} == {"王海", "李静"} and session.place == hall


def test_speaker_page_lists_public_sessions_across_the_programme(client):
    wang = Speaker.objects.create(
        name="王海", title="教授", organisation="中国海洋大学", bio_zh="海洋声学。", bio_en="Ocean acoustics."
    )
    _session(EventFactory(title="论坛一"), "报告甲", 0, 1, speakers=[wang])
    _session(EventFactory(title="论坛二"), "报告乙", 0, 1, speakers=[wang])
    _session(EventFactory(title="草稿活动", status=Event.Status.DRAFT), "报告丙", 0, 1, speakers=[wang])
    page = client.get(f"/speakers/{wang.pk}/").content.decode()
    assert "报告甲" in page and "报告乙" in page and "报告丙" not in page and "海洋声学。" in page
    english = client.get(f"/speakers/{wang.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ocean acoustics." in english
    nobody = Speaker.objects.create(name="无日程")
    assert client.get(f"/speakers/{nobody.pk}/").status_code == 404


def test_event_page_shows_the_grid_with_speaker_links(client):
    event = EventFactory()
    hall = Room.objects.create(venue="v", name="报告厅")
    wang = Speaker.objects.create(name="王海", title="教授")
    _session(event, "主旨报告", 0, 1, room=hall, speakers=[wang])
    single = client.get(f"/events/{event.pk}/").content.decode()
    assert "tt-grid" not in single and "主讲：王海 教授 · 报告厅" in single  # one room: the list
    _session(event, "分论坛", 0, 1, room=Room.objects.create(venue="v", name="分会场"))
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert 'class="tt-grid tt-cols-2"' in page
    assert f'href="/speakers/{wang.pk}/">王海 教授</a>' in page


def test_personal_ics_names_speakers_and_room():
    me = candidate()
    event = EventFactory()
    RegistrationFactory(event=event, user=me)
    hall = Room.objects.create(venue="v", name="报告厅")
    session = _session(
        event,
        "主旨报告",
        0,
        1,
        room=hall,
        speakers=[Speaker.objects.create(name="王海", title="教授", organisation="中国海洋大学")],
    )
    calendar = Calendar.from_ical(personal_ics(me))
    [entry] = [c for c in calendar.walk("VEVENT") if str(c["uid"]) == f"session-{session.pk}@boju"]
    assert str(entry["location"]).endswith("报告厅")
    assert "主讲：中国海洋大学 王海 教授" in str(entry["description"])


def test_api_sessions_and_speakers(client):
    event = EventFactory()
    hall = Room.objects.create(venue="v", name="报告厅", capacity=120)
    wang = Speaker.objects.create(name="王海", title="教授")
    _session(event, "主旨报告", 0, 1, room=hall, speakers=[wang])
    body = client.get(f"/api/v1/events/{event.pk}/sessions").json()["items"][0]
    assert body["speakers"] == [{"id": wang.pk, "name": "王海", "title": "教授", "organisation": ""}]
    assert body["room"] == {"id": hall.pk, "venue": "v", "name": "报告厅", "capacity": 120}
    speakers = client.get("/api/v1/speakers").json()["items"]
    assert [(s["name"], [x["title"] for x in s["sessions"]]) for s in speakers] == [("王海", ["主旨报告"])]
    assert client.get(f"/api/v1/speakers/{wang.pk}").json()["name"] == "王海"
