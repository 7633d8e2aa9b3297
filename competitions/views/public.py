"""Candidates and the public: the competition page, entering and editing an entry, the entry
page and its business plan (team, organizers, assigned judges), and the public final screen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from projects.errors import ProjectError
from projects.models import Team, TeamMember
from projects.services import team_invite

from ..errors import CompetitionError
from ..models import Competition, Entry, Result, Round
from ..permissions import competition_can_manage, competition_visible, entry_can_edit, entry_can_view, judge_of
from ..services import entry_submit
from ..services.live import final_round, group_competition, live_state
from ._common import pk_of


def _competition(request, pk: int) -> Competition:
    competition = get_object_or_404(Competition.objects.select_related("event", "series"), pk=pk)
    if not competition_visible(competition, request.user):
        raise Http404
    return competition


@require_GET
def competition_detail(request, pk: int):
    competition = _competition(request, pk)
    rounds = list(Round.objects.filter(competition=competition).order_by("number"))
    published = {}
    for round_ in rounds:
        if round_.status == Round.Status.PUBLISHED and round_.kind != Round.Kind.LIVE:
            # Who advanced, by title: no scores or ranks on the public page.
            published[round_.pk] = list(
                Result.objects.filter(round=round_, advances=True).select_related("entry").order_by("entry__title")
            )
    mine = None
    if request.user.is_authenticated:
        mine = Entry.objects.filter(
            competition=competition, team__members__user=request.user, team__members__status=TeamMember.Status.ACCEPTED
        ).first()
    awarded = Entry.objects.filter(competition=competition).exclude(award="").order_by("award", "title")
    return render(
        request,
        "competitions/detail.html",
        {
            "competition": competition,
            "event": competition.event,
            "rounds": rounds,
            "published": published,
            "mine": mine,
            "awarded": awarded if final_round(competition) and final_round(competition).revealed_at else [],
            "entries": Entry.objects.filter(competition=competition).count(),
            "is_judge": judge_of(request.user, competition) is not None,
            "can_manage": competition_can_manage(request.user, competition),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def entry_form(request, pk: int):
    """Enter (a new entry) or edit one's own entry, until the deadline."""
    competition = _competition(request, pk)
    entry = Entry.objects.filter(competition=competition, lead=request.user).first()
    teams = list(Team.objects.filter(lead=request.user).exclude(competition_entries__competition=competition))
    status = 200
    if request.method == "POST":
        team = None
        if entry is None and request.POST.get("team"):
            team = get_object_or_404(Team, pk=pk_of(request.POST.get("team")), lead=request.user)
        try:
            entry = entry_submit(
                competition=competition,
                actor=request.user,
                data=request.POST,
                team=team,
                entry=entry,
                business_plan=request.FILES.get("business_plan"),
            )
        except CompetitionError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            messages.success(request, _("参赛材料已保存。报名截止前可继续修改。"))
            return redirect(entry)
    return render(
        request,
        "competitions/entry_form.html",
        {
            "competition": competition,
            "entry": entry,
            "teams": teams,
            "data": request.POST if status != 200 else None,
            "stages": Entry.Stage.choices,
            "open": competition.is_open(),
        },
        status=status,
    )


def _entry(request, pk: int) -> Entry:
    entry = get_object_or_404(Entry.objects.select_related("competition__event", "team", "lead"), pk=pk)
    if not entry_can_view(request.user, entry):
        raise Http404
    return entry


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def entry_detail(request, pk: int):
    """The entry's page; its lead invites team members by e-mail here until the deadline."""
    entry = _entry(request, pk)
    if request.method == "POST":
        if not entry_can_edit(request.user, entry):
            raise Http404
        try:
            if not entry.competition.is_open():
                raise CompetitionError("closed")
            team_invite(
                team=entry.team,
                actor=request.user,
                email=request.POST.get("email", ""),
                accept_url=lambda token: request.build_absolute_uri(reverse("projects:invitation", args=[token])),
            )
        except (CompetitionError, ProjectError) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("邀请邮件已发送，对方接受后即加入团队。"))
        return redirect(entry)
    members = TeamMember.objects.filter(team=entry.team).select_related("user")
    results = Result.objects.filter(entry=entry, round__status=Round.Status.PUBLISHED).select_related("round")
    return render(
        request,
        "competitions/entry.html",
        {
            "entry": entry,
            "members": members,
            "editable": entry_can_edit(request.user, entry),
            "results": results,
            "honours": entry.honours.select_related("user"),
        },
    )


@login_required
@require_GET
def entry_plan(request, pk: int):
    entry = _entry(request, pk)
    if not entry.business_plan:
        raise Http404
    return FileResponse(
        entry.business_plan.open("rb"), content_type="application/pdf", filename=f"entry-{entry.pk}.pdf"
    )


@require_GET
def final_screen(request, pk: int):
    """The public screen of the live final: nothing but live_state's public fields, ever."""
    competition = _competition(request, pk)
    round_ = final_round(competition)
    if round_ is None:
        raise Http404
    return render(
        request,
        "competitions/screen.html",
        {"competition": competition, "round": round_, "topic": group_competition(competition.pk)},
    )


@never_cache
@require_GET
def final_screen_json(request, pk: int):
    competition = _competition(request, pk)
    round_ = final_round(competition)
    if round_ is None:
        raise Http404
    return JsonResponse(live_state(round_))
