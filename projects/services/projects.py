"""Projects: created when a challenge application is selected or a competition entry is awarded
(or entered by hand by an organizer), then moved along signed → in progress → delivered →
accepted, or terminated, with milestones and a mentor team."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CompanyMembership
from accounts.services import audit_log
from notifications.services import notify_many

from ..errors import ProjectError
from ..models import Mentor, MentorSession, Milestone, Project, ProjectMentor, Team
from ..signals import project_changed
from .teams import team_member_ids

S = Project.Status
# Where a project may go next. Terminated and accepted are final.
TRANSITIONS = {
    S.SIGNED: {S.IN_PROGRESS, S.TERMINATED},
    S.IN_PROGRESS: {S.DELIVERED, S.TERMINATED},
    S.DELIVERED: {S.ACCEPTED, S.IN_PROGRESS, S.TERMINATED},
    S.ACCEPTED: set(),
    S.TERMINATED: set(),
}
MAX_AMOUNT_WAN = Decimal("100000")


def _manages_all(user) -> bool:
    return user.is_authenticated and user.is_organizer and user.has_perm("events.manage_all_events")


def project_can_view(user, project: Project) -> bool:
    if not user.is_authenticated:
        return False
    return project_can_edit(user, project) or ProjectMentor.objects.filter(project=project, mentor__user=user).exists()


def project_can_edit(user, project: Project) -> bool:
    """The organizers, the signing company's members and the team's accepted members."""
    if not user.is_authenticated:
        return False
    if _manages_all(user):
        return True
    if project.company_id and CompanyMembership.objects.filter(company_id=project.company_id, user=user).exists():
        return True
    return bool(project.team_id) and user.pk in team_member_ids(project.team)


def _people(project: Project) -> list[int]:
    ids = set(team_member_ids(project.team)) if project.team_id else set()
    if project.company_id:
        ids.update(CompanyMembership.objects.filter(company_id=project.company_id).values_list("user_id", flat=True))
    return sorted(ids)


def _announce(project: Project, *, created: bool) -> None:
    transaction.on_commit(
        lambda: project_changed.send(
            sender=Project, project_id=project.pk, series_id=project.series_id, status=project.status, created=created
        )
    )


def amount_parse(value) -> Decimal | None:
    """An amount in 万元 from a form or an API: empty is none; negative, huge or non-numbers refused."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ProjectError("amount_invalid", _("金额须为数字（单位：万元）。")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT_WAN:
        raise ProjectError("amount_invalid", _("金额须在 0 到 100000 万元之间。"))
    return amount.quantize(Decimal("0.01"))


def project_create(
    *,
    series,
    title: str,
    source: str,
    signed_on: date,
    actor,
    company=None,
    team: Team | None = None,
    amount_wan=None,
    summary: str = "",
) -> Project:
    """A signed project, counted toward the series' projects target.

    On commit: `project_changed` is sent (the programme's counters), the team and the company
    are told.
    Raises ProjectError: title_required / source_invalid / amount_invalid / date_invalid.
    """
    title = (title or "").strip()
    if not title:
        raise ProjectError("title_required", _("请填写项目名称。"))
    if source not in Project.Source.values:
        raise ProjectError("source_invalid", _("项目来源无效。"))
    if signed_on > timezone.localdate():
        raise ProjectError("date_invalid", _("签约日期不能晚于今天。"))
    amount = amount_parse(amount_wan)
    with transaction.atomic():
        project = Project.objects.create(
            series=series,
            title=title[:160],
            source=source,
            company=company,
            team=team,
            signed_on=signed_on,
            amount_wan=amount,
            summary=summary,
            created_by=actor if actor and actor.pk else None,
        )
        audit_log(
            actor=actor,
            action="project.create",
            target=project,
            data={"source": source, "amount_wan": str(amount) if amount is not None else None},
        )
        people = _people(project)
        if people:
            notify_many(
                user_ids=people,
                kind="project.signed",
                context={"project": project.title, "project_id": project.pk, "url": project.get_absolute_url()},
            )
        _announce(project, created=True)
    return project


def project_status_set(*, project: Project, actor, status: str) -> Project:
    """Move a project along its life. The company, the team and organizers may.

    On commit: `project_changed` is sent; the others involved are told.
    Raises ProjectError: forbidden / transition.
    """
    if not project_can_edit(actor, project):
        raise ProjectError("forbidden", _("无权修改该项目。"))
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if status not in TRANSITIONS.get(project.status, set()):
            raise ProjectError(
                "transition", _("项目不能从“%(old)s”变为该状态。") % {"old": project.get_status_display()}
            )
        old = project.status
        project.status = status
        project.status_changed_at = timezone.now()
        project.save(update_fields=["status", "status_changed_at"])
        audit_log(actor=actor, action="project.status", target=project, data={"from": old, "to": status})
        others = [pk for pk in _people(project) if pk != actor.pk]
        if others:
            notify_many(
                user_ids=others,
                kind="project.status",
                context={
                    "project": project.title,
                    "project_id": project.pk,
                    "status": str(project.get_status_display()),
                    "url": project.get_absolute_url(),
                },
            )
        _announce(project, created=False)
    return project


def milestone_add(*, project: Project, actor, title: str, due_on: date, note: str = "") -> Milestone:
    if not project_can_edit(actor, project):
        raise ProjectError("forbidden", _("无权修改该项目。"))
    title = (title or "").strip()
    if not title:
        raise ProjectError("title_required", _("请填写里程碑名称。"))
    with transaction.atomic():
        milestone = Milestone.objects.create(project=project, title=title[:160], due_on=due_on, note=note[:300])
        audit_log(actor=actor, action="project.milestone_add", target=project, data={"milestone_id": milestone.pk})
    return milestone


def milestone_done(*, milestone: Milestone, actor, done_on: date | None = None) -> Milestone:
    if not project_can_edit(actor, milestone.project):
        raise ProjectError("forbidden", _("无权修改该项目。"))
    with transaction.atomic():
        milestone.done_on = done_on or timezone.localdate()
        milestone.save(update_fields=["done_on"])
        audit_log(
            actor=actor, action="project.milestone_done", target=milestone.project, data={"milestone_id": milestone.pk}
        )
    return milestone


def mentor_assign(*, project: Project, actor, mentor: Mentor) -> ProjectMentor:
    """An organizer gives the project a mentor from the pool. Raises ProjectError: forbidden / inactive."""
    if not _manages_all(actor):
        raise ProjectError("forbidden", _("只有主办方可以分配导师。"))
    if not mentor.is_active:
        raise ProjectError("inactive", _("该导师已不在导师库中。"))
    with transaction.atomic():
        link, created = ProjectMentor.objects.get_or_create(project=project, mentor=mentor)
        if created:
            audit_log(actor=actor, action="project.mentor_assign", target=project, data={"mentor_id": mentor.pk})
    return link


def mentor_session_log(*, project: Project, actor, held_on: date, minutes: int, note: str) -> MentorSession:
    """A mentor of the project logs a session. Raises ProjectError: forbidden / date_invalid / note_required."""
    link = ProjectMentor.objects.filter(project=project, mentor__user=actor).select_related("mentor").first()
    if link is None:
        raise ProjectError("forbidden", _("只有该项目的导师可以记录辅导。"))
    if held_on > timezone.localdate():
        raise ProjectError("date_invalid", _("辅导日期不能晚于今天。"))
    if not (1 <= int(minutes) <= 600):
        raise ProjectError("minutes_invalid", _("时长须在 1 到 600 分钟之间。"))
    note = (note or "").strip()
    if not note:
        raise ProjectError("note_required", _("请填写辅导记录。"))
    with transaction.atomic():
        session = MentorSession.objects.create(
            project=project, mentor=link.mentor, held_on=held_on, minutes=int(minutes), note=note[:2000]
        )
        audit_log(actor=actor, action="project.mentor_session", target=project, data={"session_id": session.pk})
    return session
