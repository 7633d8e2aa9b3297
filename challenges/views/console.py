"""The organizers' console for challenges: challenges by state, review (approve / return with a
reason) and publication, applications per challenge, projects with amounts, Excel exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors
from ..errors import ChallengeError
from ..exports import challenges_xlsx as build_challenges_xlsx
from ..exports import projects_xlsx as build_projects_xlsx
from ..models import Challenge
from ..permissions import can_review, reviewable_series_ids
from ..services import challenge_publish, challenge_review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request):
    series_ids = reviewable_series_ids(request.user)
    if series_ids == []:
        raise Http404
    return series_ids


def _scoped(qs, series_ids, field="series_id__in"):
    return qs if series_ids is None else qs.filter(**{field: series_ids})


@login_required
@require_GET
@never_cache
def console_list(request):
    series_ids = _scope(request)
    status = request.GET.get("status", "submitted")
    challenges = _scoped(selectors.console_challenges(status), series_ids)[:200]
    counts = selectors.console_counts(series_ids)
    return render(
        request,
        "challenges/console_list.html",
        {
            "nav": "challenges",
            "challenges": challenges,
            "status": status,
            "states": [(value, label, counts.get(value, 0)) for value, label in Challenge.Status.choices],
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def console_challenge(request, pk: int):
    challenge = get_object_or_404(Challenge.objects.select_related("company", "series"), pk=pk)
    if not can_review(request.user, challenge.series_id):
        raise Http404
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                challenge_review(challenge=challenge, actor=request.user, approve=True)
                messages.success(request, _("已通过审核。"))
            elif action == "return":
                challenge_review(
                    challenge=challenge, actor=request.user, approve=False, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("已退回，并通知了发榜单位。"))
            elif action == "publish":
                challenge_publish(challenge=challenge, actor=request.user)
                messages.success(request, _("已发布到揭榜领题清单。"))
            else:
                raise ChallengeError("invalid", detail=_("未知操作"))
        except ChallengeError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            return redirect("challenges:console_challenge", challenge.pk)
        challenge.refresh_from_db()
    return render(
        request,
        "challenges/console_challenge.html",
        {
            "nav": "challenges",
            "challenge": challenge,
            "applications": selectors.challenge_applications(challenge),
            "attachments": list(challenge.attachments.all()),
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def console_projects(request):
    series_ids = _scope(request)
    projects, total = selectors.challenge_projects(series_ids)
    return render(
        request,
        "challenges/console_projects.html",
        {"nav": "challenge_projects", "projects": projects[:500], "total": total, "count": projects.count()},
    )


@login_required
@require_GET
@never_cache
def challenges_xlsx(request):
    series_ids = _scope(request)
    body = build_challenges_xlsx(_scoped(selectors.console_challenges(), series_ids))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="challenges.xlsx"'
    return response


@login_required
@require_GET
@never_cache
def projects_xlsx(request):
    series_ids = _scope(request)
    projects, total = selectors.challenge_projects(series_ids)
    response = HttpResponse(build_projects_xlsx(projects, total), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="challenge-projects.xlsx"'
    return response
