"""A candidate's side: apply (揭榜) alone or as a team, edit until the deadline, invite members,
withdraw. Teams and invitations are projects' (team_create, team_invite); the rules of when a
team may still change (before the deadline) and who may lead (a PhD or postdoc) are checked here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_log
from accounts.validators import validate_cv
from notifications.services import notify_many
from projects.errors import ProjectError
from projects.models import Team, TeamMember
from projects.services import team_create, team_invite

from ..errors import ChallengeError
from ..models import Application, Challenge
from ..permissions import can_apply
from .common import company_user_ids, context_of, wan

A = Application.Status


def _lock_open(challenge: Challenge) -> Challenge:
    challenge = Challenge.objects.select_for_update().select_related("company").get(pk=challenge.pk)
    if challenge.status != Challenge.Status.PUBLISHED:
        raise ChallengeError("not_open")
    if challenge.deadline <= timezone.now():
        raise ChallengeError("deadline_passed")
    return challenge


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out = {key: (data.get(key) or "").strip() for key in ("proposal", "approach", "timeline")}
    if not all(out.values()):
        raise ChallengeError("invalid", detail=gettext("方案、技术路线和进度安排均须填写"))
    if len(out["proposal"]) > 8000 or len(out["approach"]) > 4000 or len(out["timeline"]) > 2000:
        raise ChallengeError("invalid", detail=gettext("内容过长"))
    out["price_wan"] = wan(data.get("price_wan"), code="price_invalid")
    out["share_cv"] = bool(data.get("share_cv"))
    return out


def _pdf_checked(upload) -> None:
    if upload is None:
        return
    try:
        validate_cv(upload)
    except ValidationError as error:
        raise ChallengeError("bad_file", detail="; ".join(error.messages)) from error


def _members_elsewhere(challenge: Challenge, team: Team, exclude_pk: int | None = None) -> str:
    """The name of a member of `team` already on another active application to `challenge`."""
    members = TeamMember.objects.filter(team=team, status=TeamMember.Status.ACCEPTED).values("user_id")
    clash = (
        TeamMember.objects.filter(
            user_id__in=members,
            status=TeamMember.Status.ACCEPTED,
            team__challenge_applications__challenge=challenge,
            team__challenge_applications__status__in=Application.ACTIVE,
        )
        .exclude(team=team)
        .select_related("user")
        .first()
    )
    return clash.user.display_name if clash else ""


def application_create(
    *, challenge: Challenge, actor, data: dict[str, Any], team: Team | None = None, team_name: str = "", upload=None
) -> Application:
    """Apply to an open challenge: alone (no team, no team name), with a new team (`team_name`), or
    with a team the applicant leads.

    Writes: the company's "application received" notification (e-mailed after commit).
    Raises ChallengeError: not_candidate / not_open / deadline_passed / not_team_lead / duplicate /
    member_elsewhere / invalid / price_invalid / bad_file.
    """
    if not can_apply(actor):
        raise ChallengeError("not_candidate")
    if team is not None and team.lead_id != actor.pk:
        raise ChallengeError("not_team_lead")
    fields = _clean(data)
    _pdf_checked(upload)
    application = None
    try:
        with transaction.atomic():
            challenge = _lock_open(challenge)
            if Application.objects.filter(challenge=challenge, team__lead=actor).exists():
                raise ChallengeError("duplicate")
            solo = team is None and not (team_name or "").strip()
            if team is None:
                try:
                    team = team_create(lead=actor, name=(team_name or "").strip() or actor.display_name)
                except ProjectError as error:
                    raise ChallengeError("invalid", detail=str(error.message)) from error
            who = _members_elsewhere(challenge, team)
            if who:
                raise ChallengeError("member_elsewhere", who=who)
            application = Application(challenge=challenge, team=team, solo=solo, **fields)
            if upload is not None:
                application.proposal_pdf.save(upload.name, upload, save=False)
            try:
                with transaction.atomic():
                    application.save()
            except IntegrityError:  # the constraint: this team already applied
                raise ChallengeError("duplicate") from None
            audit_log(
                actor=actor,
                action="challenge.apply",
                target=application,
                data={"challenge_id": challenge.pk, "team_id": team.pk},
            )
            notify_many(
                user_ids=company_user_ids(challenge.company_id),
                kind="challenge.application",
                context=context_of(challenge, team=team.name, url=f"/company/challenges/{challenge.pk}/"),
            )
    except BaseException:
        if application is not None and application.proposal_pdf.name:  # rolled back: no orphan file
            application.proposal_pdf.storage.delete(application.proposal_pdf.name)
        raise
    return application


def _lead_only(application: Application, actor) -> None:
    if actor.pk != application.team.lead_id:
        raise ChallengeError("not_team_lead")


def application_update(*, application: Application, actor, data: dict[str, Any], upload=None) -> Application:
    """The lead edits the application until the deadline; a withdrawn one is submitted again.

    Raises ChallengeError: not_team_lead / not_open / deadline_passed / not_active / invalid.
    """
    _lead_only(application, actor)
    fields = _clean(data)
    _pdf_checked(upload)
    old_pdf = ""
    with transaction.atomic():
        _lock_open(application.challenge)
        application = Application.objects.select_for_update().select_related("team").get(pk=application.pk)
        if application.status not in (A.SUBMITTED, A.SHORTLISTED, A.WITHDRAWN):
            raise ChallengeError("not_active")
        if application.status == A.WITHDRAWN:
            who = _members_elsewhere(application.challenge, application.team)
            if who:
                raise ChallengeError("member_elsewhere", who=who)
            application.status = A.SUBMITTED
        for key, value in fields.items():
            setattr(application, key, value)
        if upload is not None:
            old_pdf = application.proposal_pdf.name
            application.proposal_pdf.save(upload.name, upload, save=False)
        application.updated_at = timezone.now()
        application.save()
        audit_log(actor=actor, action="challenge.application_update", target=application)
        if old_pdf:
            storage = application.proposal_pdf.storage
            transaction.on_commit(lambda: storage.delete(old_pdf))
    return application


def application_withdraw(*, application: Application, actor) -> Application:
    """The lead withdraws an application that has no result yet. Raises: not_team_lead / not_active."""
    _lead_only(application, actor)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in Application.ACTIVE:
            raise ChallengeError("not_active")
        application.status = A.WITHDRAWN
        application.updated_at = timezone.now()
        application.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="challenge.withdraw", target=application)
    return application


def application_member_invite(
    *, application: Application, actor, email: str, accept_url: Callable[[str], str]
) -> TeamMember:
    """The lead invites someone to the application's team by e-mail, until the deadline.

    Raises ChallengeError: not_team_lead / not_open / deadline_passed / not_active / invalid.
    """
    _lead_only(application, actor)
    with transaction.atomic():
        _lock_open(application.challenge)
        if application.status not in Application.ACTIVE:
            raise ChallengeError("not_active")
        try:
            member = team_invite(team=application.team, actor=actor, email=email, accept_url=accept_url)
        except ProjectError as error:
            raise ChallengeError("invalid", detail=str(error.message)) from error
        if application.solo:
            Application.objects.filter(pk=application.pk).update(solo=False)
    return member


def team_changes_guard(team) -> None:
    """Registered with projects: a team whose application is under review keeps its members
    once the challenge's deadline has passed (the company judges the team it was shown)."""
    if Application.objects.filter(
        team=team, status__in=Application.ACTIVE, challenge__deadline__lte=timezone.now()
    ).exists():
        raise ProjectError("team_closed", _("该团队的揭榜申请已截止，团队成员不能再变动。"))
