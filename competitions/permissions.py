"""Who may see and do what in a competition. Checked on the server for every object (DESIGN §5.6).

Scores: organizers of the event see them; a judge sees their own cards, and the other judges'
only once the round is closed; teams and the public see results only when published (the
final: once revealed on the screen).
"""

from __future__ import annotations

from django.http import Http404

from events.models import Event
from events.permissions import event_can_edit
from projects.services import team_is_member

from .models import Assignment, Competition, Entry, Judge


def competition_can_manage(user, competition: Competition) -> bool:
    return event_can_edit(user, competition.event)


def competition_visible(competition: Competition, user) -> bool:
    if competition.event.status in (Event.Status.PUBLISHED, Event.Status.CANCELLED):
        return True
    return competition_can_manage(user, competition)


def competition_for_manager(user, pk: int) -> Competition:
    competition = Competition.objects.select_related("event").filter(pk=pk).first()
    if competition is None or not competition_can_manage(user, competition):
        raise Http404
    return competition


def judge_of(user, competition: Competition) -> Judge | None:
    if not user.is_authenticated:
        return None
    return Judge.objects.filter(competition=competition, user=user, status=Judge.Status.ACCEPTED).first()


def entry_can_view(user, entry: Entry) -> bool:
    """The team, the organizers and the judges assigned to it."""
    if not user.is_authenticated:
        return False
    if team_is_member(user, entry.team) or competition_can_manage(user, entry.competition):
        return True
    return Assignment.objects.filter(entry=entry, judge__user=user).exists()


def entry_can_edit(user, entry: Entry) -> bool:
    return user.is_authenticated and entry.lead_id == user.pk
