"""Teams of candidates: one lead, members invited by e-mail who accept with the invited address.

Used by challenge applications and competition entries alike, so the rules of who is on a team
live once. The apps above decide when a team may still change (a deadline) and who may lead
(a PhD or postdoc): they check before calling these.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_log
from notifications.outbox import outbox_mail_add
from notifications.services import notify_many

from ..errors import ProjectError
from ..models import Team, TeamMember

INVITATION_DAYS = 14
MAX_TEAM_SIZE = 10

# Apps that use teams (a challenge application, a competition entry) say when a team may no
# longer change, e.g. after their deadline: each guard raises ProjectError("team_closed", ...).
# A registry, because projects sits below them and may not import them (DESIGN §2).
TeamGuard = Callable[[Team], None]
_change_guards: list[TeamGuard] = []


def team_change_guard_register(guard: TeamGuard) -> None:
    if guard not in _change_guards:
        _change_guards.append(guard)


def team_changes_ensure_open(team: Team) -> None:
    """Raise the first guard's ProjectError if the team may not change any more."""
    for guard in _change_guards:
        guard(team)


def team_create(*, lead, name: str) -> Team:
    """A team with `lead` as its accepted leader."""
    name = (name or "").strip()
    if not name:
        raise ProjectError("name_required", _("请填写团队名称。"))
    with transaction.atomic():
        team = Team.objects.create(name=name[:120], lead=lead)
        TeamMember.objects.create(
            team=team,
            user=lead,
            email=lead.email,
            is_lead=True,
            status=TeamMember.Status.ACCEPTED,
            responded_at=timezone.now(),
        )
        audit_log(actor=lead, action="team.create", target=team)
    return team


def team_member_ids(team: Team) -> list[int]:
    """The accepted members' user ids, lead included."""
    return list(
        team.members.filter(status=TeamMember.Status.ACCEPTED, user__isnull=False).values_list("user_id", flat=True)
    )


def team_is_member(user, team: Team) -> bool:
    return bool(user.is_authenticated) and team.members.filter(user=user, status=TeamMember.Status.ACCEPTED).exists()


def team_invite(*, team: Team, actor, email: str, accept_url: Callable[[str], str]) -> TeamMember:
    """The lead invites someone by e-mail.

    Side effect: the invitation e-mail is written to the outbox and sent after commit.
    Raises ProjectError: forbidden / team_closed / already_member / team_full.
    """
    email = (email or "").strip().lower()
    if actor.pk != team.lead_id:
        raise ProjectError("forbidden", _("只有团队负责人可以邀请成员。"))
    team_changes_ensure_open(team)
    with transaction.atomic():
        # The team row is the lock: two invitations at once cannot both pass the size check.
        team = Team.objects.select_for_update().get(pk=team.pk)
        members = team.members.exclude(status=TeamMember.Status.DECLINED)
        if members.filter(email__iexact=email).exists() or members.filter(user__email__iexact=email).exists():
            raise ProjectError("already_member", _("该邮箱已在团队中或已被邀请。"))
        if members.count() >= MAX_TEAM_SIZE:
            raise ProjectError("team_full", _("团队最多 %(n)d 人。") % {"n": MAX_TEAM_SIZE})
        try:
            member = TeamMember.objects.create(team=team, email=email, token=secrets.token_urlsafe(32))
        except IntegrityError:
            raise ProjectError("already_member", _("该邮箱已在团队中或已被邀请。")) from None
        audit_log(actor=actor, action="team.invite", target=team, data={"member_id": member.pk})
        subject = gettext("【博聚】%(who)s 邀请您加入团队“%(team)s”") % {"who": actor.display_name, "team": team.name}
        body = gettext(
            "%(who)s 邀请您加入团队“%(team)s”，一起揭榜或参赛。\n"
            "请在 %(days)d 天内打开下面的链接，用本邮箱登录或注册后接受或谢绝：\n%(link)s\n"
        ) % {"who": actor.display_name, "team": team.name, "days": INVITATION_DAYS, "link": accept_url(member.token)}
        # The outbox, in this transaction: a mail failure after commit can neither lose the
        # invitation's e-mail nor turn the saved invitation into a 500 (as for company invitations).
        outbox_mail_add(to=email, subject=subject, body=body)
    return member


def _invitation_locked(token: str) -> TeamMember:
    member = (
        TeamMember.objects.select_for_update()
        .select_related("team")
        .filter(token=token, status=TeamMember.Status.INVITED)
        .first()
    )
    if member is None:
        raise ProjectError("invalid", _("邀请链接无效或已被使用。"))
    if member.invited_at < timezone.now() - timedelta(days=INVITATION_DAYS):
        raise ProjectError("expired", _("邀请链接已过期，请联系团队负责人重新邀请。"))
    return member


def team_invite_accept(*, token: str, user) -> TeamMember:
    """Join the team. The signed-in e-mail must be the invited one, and the person a candidate.

    Side effect: the lead is told after commit.
    Raises ProjectError: invalid / expired / wrong_user / not_candidate / team_closed / already_member.
    """
    with transaction.atomic():
        member = _invitation_locked(token)
        if user.email.lower() != member.email.lower():
            raise ProjectError(
                "wrong_user", _("该邀请发给 %(email)s，请用该邮箱登录后再接受。") % {"email": member.email}
            )
        if not hasattr(user, "candidate_profile"):
            raise ProjectError("not_candidate", _("请先完善候选人资料，再加入团队。"))
        team_changes_ensure_open(member.team)
        if member.team.members.filter(user=user).exists():
            raise ProjectError("already_member", _("您已在该团队中。"))
        member.user = user
        member.status = TeamMember.Status.ACCEPTED
        member.token = None
        member.responded_at = timezone.now()
        member.save(update_fields=["user", "status", "token", "responded_at"])
        audit_log(actor=user, action="team.join", target=member.team)
        notify_many(
            user_ids=[member.team.lead_id],
            kind="team.joined",
            context={"team": member.team.name, "who": user.display_name, "url": ""},
        )
    return member


def team_invite_decline(*, token: str, user) -> TeamMember:
    with transaction.atomic():
        member = _invitation_locked(token)
        if user.email.lower() != member.email.lower():
            raise ProjectError(
                "wrong_user", _("该邀请发给 %(email)s，请用该邮箱登录后再谢绝。") % {"email": member.email}
            )
        member.status = TeamMember.Status.DECLINED
        member.token = None
        member.responded_at = timezone.now()
        member.save(update_fields=["status", "token", "responded_at"])
        audit_log(actor=user, action="team.decline", target=member.team)
    return member


def team_member_remove(*, team: Team, actor, member: TeamMember) -> None:
    """The lead removes a member or withdraws an invitation; a member leaves. The lead stays.

    Raises ProjectError: forbidden / lead_stays.
    """
    if member.team_id != team.pk:
        raise ProjectError("forbidden", _("无权操作。"))
    if member.is_lead:
        raise ProjectError("lead_stays", _("负责人不能离开自己的团队。"))
    if actor.pk != team.lead_id and actor.pk != member.user_id:
        raise ProjectError("forbidden", _("只有团队负责人或成员本人可以操作。"))
    team_changes_ensure_open(team)
    with transaction.atomic():
        audit_log(actor=actor, action="team.remove", target=team, data={"member_id": member.pk})
        member.delete()
