"""Mentors of competition projects log their sessions here (projects owns the rule and the
project page; this is the mentor's own list of competition projects)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from projects.models import Project, ProjectMentor

from ..errors import CompetitionError
from ..services import mentor_session_add
from ._common import date_of


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def mentoring(request):
    links = ProjectMentor.objects.filter(
        mentor__user=request.user, project__competition_entry__isnull=False
    ).select_related("project", "mentor")
    if request.method == "POST":
        project = get_object_or_404(
            Project,
            pk=int(request.POST.get("project", "0") or 0) if str(request.POST.get("project", "")).isdigit() else 0,
        )
        if not any(link.project_id == project.pk for link in links):
            raise Http404
        try:
            mentor_session_add(
                project=project,
                actor=request.user,
                held_on=date_of(request.POST.get("held_on")),
                minutes=request.POST.get("minutes"),
                note=request.POST.get("note", ""),
            )
        except CompetitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("辅导记录已保存。"))
        return redirect("competitions:mentoring")
    return render(request, "competitions/mentoring.html", {"links": links})
