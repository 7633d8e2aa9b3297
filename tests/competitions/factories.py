"""Competition test data: a competition on a "competition" event, entries, judges, rounds."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from competitions.models import Competition, Criterion, Entry, Judge, Round
from events.models import Event
from projects.services import team_create
from tests.factories import EventFactory, UserFactory, candidate, organizer

TRACKS = ["人工智能", "海洋经济", "生物医药"]


def a_competition(**fields) -> Competition:
    event = fields.pop("event", None) or EventFactory(
        kind=Event.Kind.COMPETITION, title="2025年中国·山东博士(后)创新创业大赛"
    )
    now = timezone.now()
    return Competition.objects.create(
        event=event,
        series=event.series,
        tracks=fields.pop("tracks", TRACKS),
        entries_open_at=fields.pop("entries_open_at", now - timedelta(days=1)),
        entry_deadline=fields.pop("entry_deadline", now + timedelta(days=7)),
        **fields,
    )


_count = iter(range(1, 10**6))


def an_entry(
    competition: Competition, *, lead=None, organisation="中国海洋大学", track=None, title=None, submitted_at=None
) -> Entry:
    lead = lead or candidate()
    n = next(_count)
    team = team_create(lead=lead, name=title or f"项目{n}")
    return Entry.objects.create(
        competition=competition,
        team=team,
        lead=lead,
        title=title or f"项目{n}",
        track=track or competition.tracks[0],
        organisation=organisation,
        summary="深远海养殖装备的智能监测。",
        submitted_at=submitted_at or timezone.now(),
    )


def a_judge(competition: Competition, *, organisation="山东大学", user=None, name=None) -> Judge:
    user = user or UserFactory()
    return Judge.objects.create(
        competition=competition,
        user=user,
        email=user.email,
        name=name or user.name,
        organisation=organisation,
        status=Judge.Status.ACCEPTED,
    )


def a_round(
    competition: Competition,
    *,
    number=1,
    kind=Round.Kind.ONLINE,
    k=2,
    criteria=(("创新性", 40, 10), ("市场前景", 30, 10), ("团队", 30, 10)),
    **fields,
) -> Round:
    round_ = Round.objects.create(
        competition=competition,
        number=number,
        name=fields.pop("name", f"第{number}轮"),
        kind=kind,
        judges_per_entry=k,
        **fields,
    )
    for order, (name, weight, scale) in enumerate(criteria):
        Criterion.objects.create(round=round_, name=name, weight=weight, scale_max=scale, order=order)
    return round_


def boss():
    return organizer(manages_all=True)
