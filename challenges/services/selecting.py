"""The company's choice: shortlist, invite to present, select winners (each one a signed project),
and close the challenge, telling those not chosen politely.

Winners are limited: `application_select` takes the challenge's row lock, counts the selected
applications and only then selects; the `challenge_winners_cap` check constraint on the counter
it increments is the backstop. tests/challenges/test_race.py shows both matter.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from accounts.services import audit_log
from notifications.services import notify_many
from projects.errors import ProjectError
from projects.models import Project
from projects.services import project_create

from ..errors import ChallengeError
from ..models import Application, Challenge
from ..permissions import is_company_member
from .common import context_of, team_ids

A = Application.Status


def _company_only(application: Application, actor) -> None:
    if not is_company_member(actor, application.challenge.company_id):
        raise ChallengeError("forbidden")


def _app_context(application: Application, **extra) -> dict:
    extra.setdefault("url", f"/challenges/applications/{application.pk}/")
    return context_of(application.challenge, team=application.team.name, **extra)


def application_shortlist(*, application: Application, actor) -> Application:
    """Writes: the team's "shortlisted" notification. Raises: forbidden / not_active."""
    _company_only(application, actor)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("challenge__company", "team").get(pk=application.pk)
        )
        if application.status != A.SUBMITTED:
            raise ChallengeError("not_active")
        application.status = A.SHORTLISTED
        application.save(update_fields=["status"])
        audit_log(actor=actor, action="challenge.shortlist", target=application)
        notify_many(user_ids=team_ids(application), kind="challenge.shortlisted", context=_app_context(application))
    return application


def application_invite_present(
    *, application: Application, actor, at: datetime, place: str, note: str = ""
) -> Application:
    """Invite a shortlisted team to present (a 产才对接 session or the company's own meeting).

    Writes: the team's invitation notification with the time and place.
    Raises: forbidden / not_shortlisted / date_invalid / invalid.
    """
    _company_only(application, actor)
    place = (place or "").strip()[:200]
    if not place:
        raise ChallengeError("invalid", detail=gettext("请填写路演地点"))
    if at <= timezone.now():
        raise ChallengeError("date_invalid")
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("challenge__company", "team").get(pk=application.pk)
        )
        if application.status != A.SHORTLISTED:
            raise ChallengeError("not_shortlisted")
        application.presentation_at = at
        application.presentation_place = place
        application.presentation_note = (note or "").strip()[:500]
        application.save(update_fields=["presentation_at", "presentation_place", "presentation_note"])
        audit_log(
            actor=actor,
            action="challenge.invite_present",
            target=application,
            data={"at": at.isoformat(), "place": place},
        )
        local = timezone.localtime(at)
        notify_many(
            user_ids=team_ids(application),
            kind="challenge.invited",
            context=_app_context(
                application, when=local.strftime("%Y-%m-%d %H:%M"), place=place, note=application.presentation_note
            ),
        )
    return application


def _lock_challenge(pk: int) -> Challenge:
    return Challenge.objects.select_for_update().select_related("company").get(pk=pk)


def _winners_taken(challenge: Challenge) -> int:
    return Application.objects.filter(challenge=challenge, status=A.SELECTED).count()


def application_select(*, application: Application, actor, signed_on: date, amount_wan) -> Application:
    """Select a shortlisted team: the application becomes a signed project (揭榜成功).

    At most `winners_max` per challenge, even with concurrent clicks. When the last place is
    taken, the challenge closes and the other applicants are told politely.
    Writes: the project (projects.project_create: counted, the team and company told), the team's
    "selected" notification. Raises: forbidden / not_published / not_shortlisted / winners_full / invalid.
    """
    _company_only(application, actor)
    with transaction.atomic():
        challenge = _lock_challenge(application.challenge_id)
        if challenge.status != Challenge.Status.PUBLISHED:
            raise ChallengeError("not_published")
        application = Application.objects.select_for_update().select_related("team").get(pk=application.pk)
        if application.status != A.SHORTLISTED:
            raise ChallengeError("not_shortlisted")
        if _winners_taken(challenge) >= challenge.winners_max:
            raise ChallengeError("winners_full", n=challenge.winners_max)
        try:
            with transaction.atomic():
                Challenge.objects.filter(pk=challenge.pk).update(winners_count=F("winners_count") + 1)
        except IntegrityError:  # the check constraint caught what the lock should have
            raise ChallengeError("winners_full", n=challenge.winners_max) from None
        try:
            project = project_create(
                series=challenge.series,
                title=challenge.title,
                source=Project.Source.CHALLENGE,
                signed_on=signed_on,
                actor=actor,
                company=challenge.company,
                team=application.team,
                amount_wan=amount_wan,
                summary=challenge.summary,
            )
        except ProjectError as error:
            raise ChallengeError("invalid", detail=str(error.message)) from error
        application.status = A.SELECTED
        application.project = project
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "project", "decided_at"])
        application.challenge = challenge
        audit_log(actor=actor, action="challenge.select", target=application, data={"project_id": project.pk})
        notify_many(
            user_ids=team_ids(application),
            kind="challenge.selected",
            context=_app_context(application, url=project.get_absolute_url()),
        )
        if _winners_taken(challenge) >= challenge.winners_max:
            _close(challenge, actor)
    return application


def _close(challenge: Challenge, actor) -> int:
    """Close the challenge; every application still waiting is not selected and told so."""
    waiting = list(
        Application.objects.select_for_update()
        .filter(challenge=challenge, status__in=Application.ACTIVE)
        .select_related("team")
    )
    now = timezone.now()
    Application.objects.filter(pk__in=[a.pk for a in waiting]).update(status=A.NOT_SELECTED, decided_at=now)
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.CLOSED, updated_at=now)
    challenge.status = Challenge.Status.CLOSED
    audit_log(actor=actor, action="challenge.close", target=challenge, data={"not_selected": len(waiting)})
    for application in waiting:
        application.challenge = challenge
        notify_many(user_ids=team_ids(application), kind="challenge.not_selected", context=_app_context(application))
    return len(waiting)


def challenge_close(*, challenge: Challenge, actor) -> Challenge:
    """The company ends the selection (with fewer winners, or none). Raises: forbidden / not_published."""
    if not is_company_member(actor, challenge.company_id):
        raise ChallengeError("forbidden")
    with transaction.atomic():
        challenge = _lock_challenge(challenge.pk)
        if challenge.status != Challenge.Status.PUBLISHED:
            raise ChallengeError("not_published")
        _close(challenge, actor)
    return challenge
