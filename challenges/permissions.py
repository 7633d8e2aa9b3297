"""Who may do what with a challenge or an application. Checked on the server for every object."""

from __future__ import annotations

from accounts.models import CandidateKind, CompanyMembership
from events.models import EventTeamMember
from projects.models import TeamMember

from .models import Application, Challenge, ConfidentialityAcceptance

# "A candidate confirmed as a PhD or postdoc": PhD holders, postdocs in station and alumni.
APPLICANT_KINDS = {CandidateKind.PHD, CandidateKind.POSTDOC, CandidateKind.POSTDOC_ALUMNI}


def manages_all(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_organizer and user.has_perm("events.manage_all_events")
    )


def can_review(user, series_id: int) -> bool:
    """Head office, or an organizer who edits an event of the series."""
    if not user.is_authenticated or not user.is_organizer:
        return False
    return (
        manages_all(user)
        or EventTeamMember.objects.filter(user=user, can_edit=True, event__series_id=series_id).exists()
    )


def is_company_member(user, company_id: int) -> bool:
    return bool(user.is_authenticated) and CompanyMembership.objects.filter(user=user, company_id=company_id).exists()


def can_see_unlisted(user, challenge: Challenge) -> bool:
    """Drafts and challenges under review: their company and the series' organizers."""
    return is_company_member(user, challenge.company_id) or can_review(user, challenge.series_id)


def can_see_details(user, challenge: Challenge) -> bool:
    """The problem, the outcome, the acceptance criteria and the attachments."""
    if not challenge.details_confidential:
        return challenge.is_listed or can_see_unlisted(user, challenge)
    if not user.is_authenticated:
        return False
    if can_see_unlisted(user, challenge):
        return True
    return challenge.is_listed and ConfidentialityAcceptance.objects.filter(challenge=challenge, user=user).exists()


def can_apply(user) -> bool:
    profile = getattr(user, "candidate_profile", None) if user.is_authenticated else None
    return profile is not None and profile.kind in APPLICANT_KINDS


def is_team_member(user, application: Application) -> bool:
    return (
        bool(user.is_authenticated)
        and TeamMember.objects.filter(
            team_id=application.team_id, user=user, status=TeamMember.Status.ACCEPTED
        ).exists()
    )


def can_see_application(user, application: Application) -> bool:
    """The team, the challenge's company, and the series' organizers."""
    return (
        is_team_member(user, application)
        or is_company_member(user, application.challenge.company_id)
        or can_review(user, application.challenge.series_id)
    )


def reviewable_series_ids(user) -> list[int] | None:
    """None: every series (head office). Else the series of the events `user` edits."""
    if manages_all(user):
        return None
    if not user.is_authenticated or not user.is_organizer:
        return []
    return list(
        EventTeamMember.objects.filter(user=user, can_edit=True).values_list("event__series_id", flat=True).distinct()
    )
