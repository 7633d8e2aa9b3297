"""Judges: the invitation (accept and declare conflicts), their list of entries, the phone
scorecard, and the live final's scoring page. A judge sees their own scores only, and other
judges' once the round is closed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..errors import CompetitionError
from ..models import Assignment, Criterion, Entry, Judge, Round, Scorecard
from ..permissions import judge_of
from ..services import judge_accept, scorecard_submit
from ..services.live import final_round, group_competition
from ._common import lines


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def judge_invitation(request, token: str):
    judge = Judge.objects.select_related("competition__event").filter(token=token).first()
    if judge is None:
        return render(request, "competitions/judge_invitation.html", {"judge": None}, status=404)
    return _declare(request, judge)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def judge_declaration(request, pk: int):
    """An accepted judge updates their organisation and conflicts."""
    judge = get_object_or_404(Judge.objects.select_related("competition__event"), pk=pk, user=request.user)
    return _declare(request, judge)


def _declare(request, judge: Judge):
    entries = Entry.objects.filter(competition=judge.competition).order_by("title")
    status = 200
    if request.method == "POST":
        try:
            judge_accept(
                judge=judge,
                user=request.user,
                organisation=request.POST.get("organisation", ""),
                entry_ids=[v for v in request.POST.getlist("entries") if v.isdigit()],
                organisations=lines(request.POST.get("organisations")),
                coauthors=lines(request.POST.get("coauthors")),
                expertise=request.POST.get("expertise"),
            )
        except CompetitionError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            messages.success(request, _("已接受评委邀请，利益冲突申报已保存。"))
            return redirect("competitions:judging")
    declared = {c.entry_id for c in judge.conflicts.all() if c.entry_id}
    return render(
        request,
        "competitions/judge_invitation.html",
        {
            "judge": judge,
            "entries": entries,
            "declared": declared,
            "organisations": "\n".join(c.value for c in judge.conflicts.filter(kind="organisation")),
            "coauthors": "\n".join(c.value for c in judge.conflicts.filter(kind="coauthor")),
            "tracks": judge.competition.tracks,
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def my_judging(request):
    assignments = (
        Assignment.objects.filter(judge__user=request.user, round__status=Round.Status.JUDGING)
        .select_related("entry", "round__competition__event", "scorecard")
        .order_by("round_id", "entry__title")
    )
    judges = Judge.objects.filter(user=request.user).select_related("competition__event")
    return render(request, "competitions/my_judging.html", {"assignments": assignments, "judges": judges})


def _assignment(request, pk: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("entry", "round__competition__event", "judge"), pk=pk
    )
    if assignment.judge.user_id != request.user.pk:
        raise Http404
    return assignment


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def scorecard(request, pk: int):
    assignment = _assignment(request, pk)
    round_ = assignment.round
    criteria = list(Criterion.objects.filter(round=round_))
    status = 200
    if request.method == "POST":
        values = {c.pk: request.POST.get(f"c{c.pk}", "") for c in criteria}
        try:
            scorecard_submit(
                assignment=assignment, actor=request.user, values=values, comment=request.POST.get("comment", "")
            )
        except CompetitionError as error:
            messages.error(request, error.message)
            status = error.status_code
        else:
            messages.success(request, _("评分已提交。评审结束前可修改。"))
            if request.POST.get("next") == "live":
                return redirect("competitions:live_judge", round_.competition_id)
            return redirect("competitions:judging")
    card = Scorecard.objects.filter(assignment=assignment).first()
    own = {int(k): v for k, v in (card.values if card else {}).items()}
    others = []
    if round_.scores_released:
        others = (
            Scorecard.objects.filter(assignment__round=round_, assignment__entry=assignment.entry)
            .exclude(assignment=assignment)
            .select_related("assignment__judge")
        )
    return render(
        request,
        "competitions/scorecard.html",
        {
            "assignment": assignment,
            "entry": assignment.entry,
            "round": round_,
            "card": card,
            "others": others,
            "criteria": [(c, own.get(c.pk, "")) for c in criteria],
            "open": round_.status == Round.Status.JUDGING,
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def live_judge(request, pk: int):
    """The judge's phone during the final: the team on stage and its scorecard."""
    from ..models import Competition

    competition = get_object_or_404(Competition.objects.select_related("event"), pk=pk)
    judge = judge_of(request.user, competition)
    round_ = final_round(competition)
    if judge is None or round_ is None:
        raise Http404
    slot = round_.slots.filter(position=round_.live_position).select_related("entry").first()
    assignment = None
    if slot is not None:
        assignment = Assignment.objects.filter(round=round_, judge=judge, entry=slot.entry).first()
    criteria, card = [], None
    if assignment is not None:
        card = Scorecard.objects.filter(assignment=assignment).first()
        own = {int(k): v for k, v in (card.values if card else {}).items()}
        criteria = [(c, own.get(c.pk, "")) for c in Criterion.objects.filter(round=round_)]
    return render(
        request,
        "competitions/live_judge.html",
        {
            "competition": competition,
            "round": round_,
            "slot": slot,
            "assignment": assignment,
            "card": card,
            "criteria": criteria,
            "topic": group_competition(competition.pk),
            "open": round_.status == Round.Status.JUDGING,
        },
    )
