"""Project pages (the company and the team update a project; organizers see all) and the team
invitation link. Everyone else gets 404: a project's existence is not public."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .errors import ProjectError
from .models import Milestone, Project, TeamMember
from .services import (
    TRANSITIONS,
    milestone_add,
    milestone_done,
    project_can_edit,
    project_can_view,
    project_status_set,
    team_invite_accept,
    team_invite_decline,
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise ProjectError("date_invalid", _("日期格式应为 YYYY-MM-DD。")) from None


def _id(value) -> int:
    """A primary key from a form: anything but plain ASCII digits is 0 (found by nobody, a 404)."""
    value = str(value or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def project_detail(request, pk: int):
    project = get_object_or_404(Project.objects.select_related("series", "company", "team"), pk=pk)
    if not project_can_view(request.user, project):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "status":
                project_status_set(project=project, actor=request.user, status=request.POST.get("status", ""))
            elif action == "milestone_add":
                milestone_add(
                    project=project,
                    actor=request.user,
                    title=request.POST.get("title", ""),
                    due_on=_date(request.POST.get("due_on", "")),
                    note=request.POST.get("note", ""),
                )
            elif action == "milestone_done":
                milestone = get_object_or_404(Milestone, project=project, pk=_id(request.POST.get("milestone")))
                milestone_done(milestone=milestone, actor=request.user)
            else:
                raise ProjectError("action_invalid", _("未知操作。"))
            messages.success(request, _("已保存。"))
        except ProjectError as error:
            messages.error(request, error.message)
            return render(request, "projects/detail.html", _context(request, project), status=400)
        return redirect(project)
    return render(request, "projects/detail.html", _context(request, project))


def _context(request, project: Project) -> dict:
    editable = project_can_edit(request.user, project)
    return {
        "project": project,
        "editable": editable,
        "next_statuses": [(s, Project.Status(s).label) for s in sorted(TRANSITIONS[project.status])]
        if editable
        else [],
        "milestones": list(project.milestones.all()),
        "mentors": list(project.mentorships.select_related("mentor")),
        "sessions": list(project.mentor_sessions.select_related("mentor")[:20]),
        "members": list(project.team.members.filter(status=TeamMember.Status.ACCEPTED).select_related("user"))
        if project.team_id
        else [],
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def team_invitation(request, token: str):
    member = (
        TeamMember.objects.select_related("team", "team__lead")
        .filter(token=token, status=TeamMember.Status.INVITED)
        .first()
    )
    if member is None:
        return render(request, "projects/invitation.html", {"member": None}, status=404)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                team_invite_accept(token=token, user=request.user)
                messages.success(request, _("已加入团队“%(team)s”。") % {"team": member.team.name})
            else:
                team_invite_decline(token=token, user=request.user)
                messages.info(request, _("已谢绝邀请。"))
        except ProjectError as error:
            messages.error(request, error.message)
            return render(request, "projects/invitation.html", {"member": member}, status=400)
        return redirect("projects:mine")
    return render(request, "projects/invitation.html", {"member": member})


@login_required
@never_cache
def my_projects(request):
    teams = TeamMember.objects.filter(user=request.user, status=TeamMember.Status.ACCEPTED).values("team_id")
    projects = Project.objects.filter(team_id__in=teams).select_related("series", "company")
    company_projects = Project.objects.filter(company__memberships__user=request.user).select_related("series", "team")
    return render(request, "projects/mine.html", {"projects": projects, "company_projects": company_projects})
