"""Reads: the timetable grid (rooms × time), double bookings, a speaker's sessions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Event, Session
from .models import SessionSpeaker, Speaker


def sessions_with_people(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with their room and speakers, two queries for any number of sessions."""
    return queryset.select_related("place").prefetch_related(
        Prefetch("speaker_links", queryset=SessionSpeaker.objects.select_related("speaker").order_by("position", "id"))
    )


@dataclass
class GridDay:
    day: date
    columns: list[str]
    times: list[datetime]
    cells: list[dict] = field(default_factory=list)

    @property
    def template_columns(self) -> str:
        return f"3.6rem repeat({len(self.columns)}, minmax(9.5rem, 1fr))"


def timetable_grid(sessions: list[Session]) -> list[GridDay]:
    """One grid per local day: a column per room (in order of first use; sessions without a room
    in a last column), a row per distinct start or end time. Each cell knows its grid lines."""
    by_day: dict[date, list[Session]] = defaultdict(list)
    for session in sessions:
        by_day[timezone.localtime(session.starts_at).date()].append(session)
    days = []
    for day, items in sorted(by_day.items()):
        columns: list[str] = []
        for session in sorted(items, key=lambda s: (s.starts_at, s.pk)):
            label = session.room_label
            if label and label not in columns:
                columns.append(label)
        if any(not s.room_label for s in items):
            columns.append("")
        times = sorted({s.starts_at for s in items} | {s.ends_at for s in items})
        row = {moment: index + 2 for index, moment in enumerate(times)}  # line 1 is the header
        grid = GridDay(day=day, columns=columns, times=times[:-1])
        for session in items:
            grid.cells.append(
                {
                    "session": session,
                    "column": columns.index(session.room_label) + 2,
                    "row_start": row[session.starts_at],
                    "row_end": row[session.ends_at],
                }
            )
        days.append(grid)
    return days


@dataclass
class Conflict:
    kind: str  # "speaker" or "room"
    who: str
    first: Session
    second: Session

    @property
    def message(self) -> str:
        text = (
            _("嘉宾 %(who)s 同时出现在两个日程中")
            if self.kind == "speaker"
            else _("会议室 %(who)s 同一时间被两个日程占用")
        )
        return text % {"who": self.who}


def _overlap(a: Session, b: Session) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def event_conflicts(event: Event) -> list[Conflict]:
    """Speakers booked in two places at once and rooms used twice at once, for the event's
    sessions against each other and against every other event's sessions that overlap them."""
    mine = list(sessions_with_people(event.sessions.all()))
    if not mine:
        return []
    start, end = min(s.starts_at for s in mine), max(s.ends_at for s in mine)
    speakers = {sp.pk for s in mine for sp in s.speaker_list()}
    rooms = {s.place_id for s in mine if s.place_id}
    others = list(
        sessions_with_people(
            Session.objects.exclude(event=event)
            .filter(starts_at__lt=end, ends_at__gt=start)
            .filter(models_q(speakers, rooms))
            .select_related("event")
            .distinct()
        )
    )
    found, seen = [], set()
    for a, b in [*combinations(mine, 2), *[(a, b) for a in mine for b in others]]:
        if not _overlap(a, b):
            continue
        theirs = {sp.pk for sp in b.speaker_list()}
        for speaker in {sp.pk: sp for sp in a.speaker_list()}.values():
            if speaker.pk in theirs and ("s", speaker.pk, a.pk, b.pk) not in seen:
                seen.add(("s", speaker.pk, a.pk, b.pk))
                found.append(Conflict("speaker", speaker.name, a, b))
        if a.place_id and a.place_id == b.place_id:
            found.append(Conflict("room", str(a.place), a, b))
    return found


def models_q(speakers: set[int], rooms: set[int]):
    from django.db.models import Q

    return Q(presenters__in=speakers) | Q(place__in=rooms) if (speakers or rooms) else Q(pk__in=[])


def speaker_sessions(speaker: Speaker) -> list[Session]:
    """The speaker's sessions across the programme that the public may see, in time order."""
    return list(
        sessions_with_people(
            speaker.sessions.filter(event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED]).select_related(
                "event"
            )
        ).order_by("starts_at", "id")
    )
