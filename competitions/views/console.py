"""Organizers: set a competition up, invite judges, run each round (rubric, assignment by the
solver and by hand, open/close, compute → review → publish), run the live final, give awards,
assign mentors, and export. Every view finds the competition among those the organizer may
edit: anyone else gets 404 (403 for non-organizers, from organizer_required), whatever the method."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.console import organizer_required
from events.permissions import events_editable_by
from projects.errors import ProjectError
from projects.models import Mentor
from projects.services import mentor_assign

from .. import exports
from ..errors import CompetitionError
from ..models import Assignment, Competition, Criterion, Entry, Judge, Result, Round
from ..permissions import competition_for_manager
from ..services import (
    assignment_add,
    assignment_remove,
    award_grant,
    conflict_pairs,
    judge_invite,
    live_advance,
    live_order_set,
    live_reveal,
    live_timer,
    result_adjust,
    results_compute,
    results_publish,
    results_review,
    round_assign,
    round_close,
    round_entries,
    round_open,
)
from ..services.setup import competition_save, criterion_add, criterion_remove, round_save
from ._common import lines, pk_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _when(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=SHANGHAI)
    except (ValueError, AttributeError):
        raise CompetitionError("invalid", detail=_lazy("时间")) from None


@organizer_required
@require_http_methods(["GET", "POST"])
def competition_console(request, pk: int):
    event = get_object_or_404(events_editable_by(request.user), pk=pk)
    competition = Competition.objects.filter(event=event).first()
    if request.method == "POST":
        form = request.POST.get("form")
        try:
            if form == "settings":
                competition_save(
                    event=event,
                    actor=request.user,
                    tracks=lines(request.POST.get("tracks")),
                    entries_open_at=_when(request.POST.get("entries_open_at")),
                    entry_deadline=_when(request.POST.get("entry_deadline")),
                    kind=request.POST.get("kind", Competition.Kind.CONTEST),
                    positions_total=pk_of(request.POST.get("positions_total")),
                )
            elif competition is None:
                raise Http404
            elif form == "round":
                round_save(
                    competition=competition,
                    actor=request.user,
                    number=request.POST.get("number"),
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", Round.Kind.ONLINE),
                    judges_per_entry=request.POST.get("judges_per_entry") or 3,
                    advance_count=request.POST.get("advance_count"),
                    advance_share=request.POST.get("advance_share"),
                    normalise=bool(request.POST.get("normalise")),
                    tie_break=request.POST.get("tie_break", Round.TieBreak.CRITERIA),
                )
            elif form == "judge":
                judge_invite(
                    competition=competition,
                    actor=request.user,
                    email=request.POST.get("email", ""),
                    name=request.POST.get("name", ""),
                    organisation=request.POST.get("organisation", ""),
                    expertise=request.POST.get("expertise", ""),
                    accept_url=lambda token: request.build_absolute_uri(
                        reverse("competitions:judge_invitation", args=[token])
                    ),
                )
            elif form == "award":
                entry = get_object_or_404(Entry, pk=pk_of(request.POST.get("entry")), competition=competition)
                award_grant(
                    entry=entry,
                    actor=request.user,
                    award=request.POST.get("award", ""),
                    position=bool(request.POST.get("position")),
                )
            elif form == "mentor":
                entry = get_object_or_404(
                    Entry, pk=pk_of(request.POST.get("entry")), competition=competition, project__isnull=False
                )
                mentor = get_object_or_404(Mentor, pk=pk_of(request.POST.get("mentor")))
                mentor_assign(project=entry.project, actor=request.user, mentor=mentor)
            else:
                raise CompetitionError("invalid", detail="form")
        except (CompetitionError, ProjectError) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存。"))
        return redirect("competitions:console", event.pk)
    context = {"event": event, "competition": competition, "kinds": Competition.Kind.choices}
    if competition is not None:
        final = Round.objects.filter(competition=competition).order_by("-number").first()
        context.update(
            {
                "rounds": Round.objects.filter(competition=competition).order_by("number"),
                "judges": Judge.objects.filter(competition=competition).prefetch_related("conflicts"),
                "entries": Entry.objects.filter(competition=competition).select_related("lead", "project"),
                "final": final,
                "awards": Entry.Award.choices[1:],
                "mentors": Mentor.objects.filter(is_active=True),
                "round_kinds": Round.Kind.choices,
                "tie_breaks": Round.TieBreak.choices,
                "finalists": list(round_entries(final).select_related("project")) if final else [],
            }
        )
    return render(request, "competitions/console.html", context)


def _round(request, pk: int) -> Round:
    round_ = get_object_or_404(Round.objects.select_related("competition__event"), pk=pk)
    competition_for_manager(request.user, round_.competition_id)
    return round_


ACTIONS = {
    "assign": lambda r, u, p: round_assign(round_=r, actor=u),
    "open": lambda r, u, p: round_open(round_=r, actor=u),
    "close": lambda r, u, p: round_close(round_=r, actor=u),
    "compute": lambda r, u, p: results_compute(round_=r, actor=u),
    "review": lambda r, u, p: results_review(round_=r, actor=u),
    "publish": lambda r, u, p: results_publish(round_=r, actor=u),
    "order": lambda r, u, p: live_order_set(round_=r, actor=u),
    "advance": lambda r, u, p: live_advance(round_=r, actor=u, position=pk_of(p.get("position"))),
    "timer_start": lambda r, u, p: live_timer(round_=r, actor=u, run=True),
    "timer_stop": lambda r, u, p: live_timer(round_=r, actor=u, run=False),
    "reveal": lambda r, u, p: live_reveal(round_=r, actor=u),
}


@organizer_required
@require_http_methods(["GET", "POST"])
def round_console(request, pk: int):
    round_ = _round(request, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ACTIONS:
                outcome = ACTIONS[action](round_, request.user, request.POST)
                if action == "assign":
                    messages.info(
                        request, _("已分配：%(pairs)d 条，负荷差 %(spread)d，用时 %(seconds)s 秒。") % outcome
                    )
            elif action == "criterion_add":
                criterion_add(
                    round_=round_,
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    weight=request.POST.get("weight"),
                    scale_max=request.POST.get("scale_max") or 10,
                )
            elif action == "criterion_remove":
                criterion_remove(
                    criterion=get_object_or_404(Criterion, round=round_, pk=pk_of(request.POST.get("criterion"))),
                    actor=request.user,
                )
            elif action == "pair_add":
                assignment_add(
                    round_=round_,
                    actor=request.user,
                    judge=get_object_or_404(
                        Judge, pk=pk_of(request.POST.get("judge")), competition_id=round_.competition_id
                    ),
                    entry=get_object_or_404(
                        Entry, pk=pk_of(request.POST.get("entry")), competition_id=round_.competition_id
                    ),
                )
            elif action == "pair_remove":
                assignment_remove(
                    assignment=get_object_or_404(Assignment, round=round_, pk=pk_of(request.POST.get("assignment"))),
                    actor=request.user,
                )
            elif action == "adjust":
                result = get_object_or_404(Result, round=round_, pk=pk_of(request.POST.get("result")))
                result_adjust(result=result, actor=request.user, advances=request.POST.get("advances") == "1")
            else:
                raise CompetitionError("invalid", detail="action")
        except CompetitionError as error:
            messages.error(request, error.message)
        return redirect("competitions:console_round", round_.pk)
    entries = list(round_entries(round_).order_by("pk"))
    judges = list(Judge.objects.filter(competition_id=round_.competition_id, status=Judge.Status.ACCEPTED))
    assignments = list(Assignment.objects.filter(round=round_).select_related("judge", "scorecard"))
    by_entry: dict[int, list] = {}
    for a in assignments:
        by_entry.setdefault(a.entry_id, []).append(a)
    loads = {j.pk: 0 for j in judges}
    for a in assignments:
        loads[a.judge_id] = loads.get(a.judge_id, 0) + 1
    return render(
        request,
        "competitions/console_round.html",
        {
            "round": round_,
            "competition": round_.competition,
            "event": round_.competition.event,
            "criteria": Criterion.objects.filter(round=round_),
            "rows": [(e, by_entry.get(e.pk, [])) for e in entries],
            "judges": [(j, loads.get(j.pk, 0)) for j in judges],
            "conflicts": len(conflict_pairs(round_.competition, entries, judges)),
            "results": Result.objects.filter(round=round_).select_related("entry"),
            "slots": round_.slots.select_related("entry"),
            "S": Round.Status,
        },
    )


@organizer_required
@require_GET
def export(request, pk: int, what: str):
    if what == "entries":
        competition = competition_for_manager(request.user, pk)
        data, name = exports.entries_xlsx(competition), f"competition-{pk}-entries.xlsx"
    else:
        round_ = _round(request, pk)
        maker = {
            "assignment": exports.assignment_xlsx,
            "scores": exports.scores_xlsx,
            "ranking": exports.ranking_xlsx,
        }.get(what)
        if maker is None:
            raise Http404
        data, name = maker(round_), f"round-{pk}-{what}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
