"""Demo speakers and rooms. The demo timetables are written as text and read into entities here
(as the data migration does for old data); the cross-disciplinary forum then gets named speakers
with bios and two parallel afternoon tracks, so its page shows a real rooms × time grid.
People are invented; the forum, venue and themes are the article's."""

from __future__ import annotations

from datetime import timedelta

from ..models import Event, Session
from .models import Room, Speaker
from .services import session_people_from_text, session_speakers_set

ROOM_CAPACITY = {"报告厅": 300, "分会场一": 80, "分会场二": 60}
PEOPLE = [
    (
        "林海川",
        "院士",
        "中国海洋大学",
        "长期从事物理海洋学与海洋观测研究，主持国家海洋立体观测网建设。",
        "Physical oceanographer; leads work on China's ocean observing network.",
    ),
    (
        "周静怡",
        "教授",
        "中国海洋大学信息科学与工程学部",
        "研究海洋遥感智能解译与深度学习，博士后合作导师。",
        "Works on deep learning for ocean remote sensing; postdoc supervisor.",
    ),
    (
        "韩立新",
        "研究员",
        "崂山实验室",
        "研究水下智能装备与海洋机器人。",
        "Underwater robotics and intelligent marine equipment.",
    ),
]


def load(*, event: Event) -> None:
    for session in Session.objects.select_related("event").filter(speaker_links__isnull=True):
        session_people_from_text(session)
    for room in Room.objects.filter(capacity__isnull=True):
        room.capacity = ROOM_CAPACITY.get(room.name, 150)
        room.save(update_fields=["capacity"])
    people = []
    for name, title, organisation, zh, en in PEOPLE:
        speaker, _ = Speaker.objects.get_or_create(
            name=name, organisation=organisation, defaults={"title": title, "bio_zh": zh, "bio_en": en}
        )
        people.append(speaker)
    keynote = event.sessions.filter(title__startswith="主旨报告").first()
    if keynote is not None:
        session_speakers_set(keynote, [people[0]])
    track = event.sessions.filter(title="青年博士后学术报告").select_related("place").first()
    if track is None:
        return
    venue = track.place.venue if track.place_id else event.venue
    one, _ = Room.objects.get_or_create(venue=venue, name="分会场一", defaults={"capacity": 80})
    two, _ = Room.objects.get_or_create(venue=venue, name="分会场二", defaults={"capacity": 60})
    track.title, track.place = "青年博士后学术报告：海洋大数据", one
    track.save(update_fields=["title", "place"])
    session_speakers_set(track, [people[1]])
    parallel, created = Session.objects.get_or_create(
        event=event,
        title="青年博士后学术报告：智能装备",
        defaults={
            "starts_at": track.starts_at,
            "ends_at": track.ends_at - timedelta(minutes=30),
            "place": two,
            "room": "分会场二",
        },
    )
    if created:
        session_speakers_set(parallel, [people[2]])
