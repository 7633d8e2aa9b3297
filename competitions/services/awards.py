"""Awards and what follows: the consequence recorded on each person (以赛代评), and the entry
becoming a projects.Project with a mentor team; mentors log sessions through projects."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import PostdocStatus
from accounts.services import audit_log
from notifications.services import notify_many
from projects.errors import ProjectError
from projects.models import Project, TeamMember
from projects.services import mentor_session_log, project_create, team_member_ids

from ..errors import CompetitionError
from ..models import Competition, Entry, Honour, Round
from ..permissions import competition_can_manage

A = Entry.Award
# Gold and silver put in-station postdocs into the provincial support plan, class A and B.
PLAN = {A.GOLD: Honour.Plan.A, A.SILVER: Honour.Plan.B}


def entry_to_project(*, entry: Entry, actor) -> Project:
    """The entry becomes a project (counted toward the series' target), once.
    Source: "competition" for a contest, "selection" for the city's project selection (项目评选)."""
    if not competition_can_manage(actor, entry.competition):
        raise CompetitionError("forbidden")
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("competition").get(pk=entry.pk)
        if entry.project_id:
            return entry.project
        source = (
            Project.Source.SELECTION
            if entry.competition.kind == Competition.Kind.SELECTION
            else Project.Source.COMPETITION
        )
        project = project_create(
            series=entry.competition.series,
            title=entry.title,
            source=source,
            signed_on=timezone.localdate(),
            actor=actor,
            team=entry.team,
            amount_wan=entry.funding_wan,
            summary=entry.summary[:2000],
        )
        entry.project = project
        entry.save(update_fields=["project"])
        audit_log(actor=actor, action="competition.entry_project", target=entry, data={"project_id": project.pk})
    return project


def award_grant(*, entry: Entry, actor, award: str, position: bool = False) -> Entry:
    """Give `entry` an award once the last round's results are published; record the consequence
    on each accepted team member (support plan A/B for in-station postdocs with gold/silver; a
    省博新计划 position on the lead when `position`, counted against the competition's total
    under its row lock), and make the entry a project.

    On commit: the team hears of the award.
    Raises CompetitionError: forbidden / award_round / invalid / positions_full.
    """
    if not competition_can_manage(actor, entry.competition):
        raise CompetitionError("forbidden")
    if award not in A.values or award == A.NONE:
        raise CompetitionError("invalid", detail=_lazy("奖项"))
    with transaction.atomic():
        competition = Competition.objects.select_for_update().select_related("event").get(pk=entry.competition_id)
        last = Round.objects.filter(competition=competition).order_by("-number").first()
        if last is None or last.status != Round.Status.PUBLISHED:
            raise CompetitionError("award_round")
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if position and not Honour.objects.filter(entry=entry, position=True).exists():
            used = Honour.objects.filter(entry__competition=competition, position=True).count()
            if used >= competition.positions_total:
                raise CompetitionError("positions_full", n=competition.positions_total)
        entry.award = award
        entry.save(update_fields=["award"])
        members = TeamMember.objects.filter(
            team=entry.team, status=TeamMember.Status.ACCEPTED, user__isnull=False
        ).select_related("user__candidate_profile")
        for member in members:
            profile = getattr(member.user, "candidate_profile", None)
            in_station = profile is not None and profile.postdoc_status == PostdocStatus.IN_STATION
            Honour.objects.update_or_create(
                entry=entry,
                user=member.user,
                defaults={
                    "award": award,
                    "support_plan": PLAN.get(award, "") if in_station else "",
                    "position": bool(position and member.user_id == entry.lead_id),
                },
            )
        audit_log(actor=actor, action="competition.award", target=entry, data={"award": award, "position": position})
        project = entry_to_project(entry=entry, actor=actor)
        notify_many(
            user_ids=team_member_ids(entry.team),
            kind="competition.awarded",
            context={
                "entry": entry.title,
                "award": str(entry.get_award_display()),
                "competition": competition.event.title,
                "event_id": competition.pk,
                "url": project.get_absolute_url(),
            },
        )
    return entry


def mentor_session_add(*, project: Project, actor, held_on: date, minutes, note: str):
    """A mentor logs a session on a competition project (projects owns the rule)."""
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise CompetitionError("invalid", detail=_lazy("时长")) from None
    try:
        return mentor_session_log(project=project, actor=actor, held_on=held_on, minutes=minutes, note=note)
    except ProjectError as error:
        raise CompetitionError(error.code, message=error.message) from None
