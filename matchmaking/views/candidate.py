"""我的洽谈: a confirmed candidate's meetings, requests, interests, feedback. Only their own:
every meeting is looked up with candidate=request.user, so another's id answers 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..errors import MatchmakingError
from ..models import Interest, Meeting, Participation, Slot
from ..permissions import is_confirmed, meeting_side, visible_setup
from ..services import feedback_save, interest_delete, interest_set, meeting_answer, meeting_cancel, meeting_request
from .common import done, int_or_none, refuse, snapshot


def _setup_for_candidate(request, event_id: int):
    setup = visible_setup(event_id)
    if not is_confirmed(request.user, setup.event):
        raise Http404
    return setup


def _context(request, setup) -> dict:
    event = setup.event
    participations = list(
        Participation.objects.filter(event=event, company__status="verified")
        .select_related("company")
        .order_by("company__name")
    )
    return {
        "setup": setup,
        "event": event,
        "now": timezone.now(),
        "meetings": selectors.meetings_of_candidate(event.pk, request.user),
        "interests": list(
            Interest.objects.filter(event=event, candidate=request.user, side="candidate").select_related("company")
        ),
        "companies": [p.company for p in participations],
        "slots": list(Slot.objects.filter(event=event).order_by("starts_at")),
        "open": setup.requests_are_open(),
        "outcomes": [(k, v) for k, v in Meeting._meta.get_field("feedback").related_model.Outcome.choices],
    }


@login_required
def mine(request, event_id: int):
    setup = _setup_for_candidate(request, event_id)
    return render(request, "matchmaking/mine.html", _context(request, setup))


@login_required
def mine_snapshot(request, event_id: int):
    setup = _setup_for_candidate(request, event_id)
    return snapshot(request, "matchmaking/_mine_meetings.html", _context(request, setup), setup.version)


@login_required
@require_POST
def request_meeting(request, event_id: int):
    setup = _setup_for_candidate(request, event_id)
    to = reverse("matchmaking:mine", args=[event_id])
    company_id = int_or_none(request.POST.get("company"))
    slot = Slot.objects.filter(event=setup.event, pk=int_or_none(request.POST.get("slot"))).first()
    if slot is None or company_id is None:
        return refuse(request, MatchmakingError("invalid", detail=_("请选择单位和时段")), to)
    try:
        meeting_request(
            slot=slot,
            company_id=company_id,
            candidate=request.user,
            actor=request.user,
            side="candidate",
            note=request.POST.get("note", ""),
        )
    except MatchmakingError as error:
        return refuse(request, error, to)
    return done(request, _("预约已发出，等待对方确认。"), to)


@login_required
def free_slots(request, event_id: int):
    """The slots a request to `company` could take (for the request form)."""
    from django.http import JsonResponse
    from django.utils import timezone

    setup = _setup_for_candidate(request, event_id)
    company_id = int_or_none(request.GET.get("company")) or 0
    slots = selectors.free_slots(setup, company_id, request.user.pk)
    return JsonResponse(
        {"slots": [{"id": s.pk, "label": timezone.localtime(s.starts_at).strftime("%m-%d %H:%M")} for s in slots]}
    )


def _own_meeting(request, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("event", "slot", "table", "company", "candidate"), pk=pk)
    if meeting_side(request.user, meeting) is None:
        raise Http404
    return meeting


def _back(request, meeting: Meeting) -> str:
    side = meeting_side(request.user, meeting)
    return reverse("matchmaking:mine" if side == "candidate" else "matchmaking:company", args=[meeting.event_id])


@login_required
@require_POST
def answer(request, pk: int):
    meeting = _own_meeting(request, pk)
    accept = request.POST.get("accept") == "1"
    try:
        meeting_answer(meeting=meeting, actor=request.user, accept=accept)
    except MatchmakingError as error:
        return refuse(request, error, _back(request, meeting))
    return done(request, _("已接受洽谈。") if accept else _("已婉拒。"), _back(request, meeting))


@login_required
@require_POST
def cancel(request, pk: int):
    meeting = _own_meeting(request, pk)
    try:
        meeting_cancel(meeting=meeting, actor=request.user)
    except MatchmakingError as error:
        return refuse(request, error, _back(request, meeting))
    return done(request, _("洽谈已取消。"), _back(request, meeting))


@login_required
@require_POST
def feedback(request, pk: int):
    meeting = _own_meeting(request, pk)
    try:
        feedback_save(
            meeting=meeting,
            actor=request.user,
            rating=int_or_none(request.POST.get("rating")) or 0,
            outcome=request.POST.get("outcome", "none"),
            comment=request.POST.get("comment", ""),
        )
    except MatchmakingError as error:
        return refuse(request, error, _back(request, meeting))
    return done(request, _("感谢反馈。"), _back(request, meeting))


@login_required
@require_POST
def interest_save(request, event_id: int):
    setup = _setup_for_candidate(request, event_id)
    to = reverse("matchmaking:mine", args=[event_id])
    company = (
        Participation.objects.filter(event=setup.event, company_id=int_or_none(request.POST.get("company")))
        .select_related("company")
        .first()
    )
    if company is None:
        return refuse(request, MatchmakingError("not_participating"), to)
    try:
        interest_set(
            event=setup.event,
            actor=request.user,
            side="candidate",
            company=company.company,
            candidate=request.user,
            priority=int_or_none(request.POST.get("priority")) or 0,
            note=request.POST.get("note", ""),
            position_title=request.POST.get("position", ""),
        )
    except MatchmakingError as error:
        return refuse(request, error, to)
    return done(request, _("意向已保存。"), to)


@login_required
@require_POST
def interest_remove(request, pk: int):
    interest = get_object_or_404(Interest, pk=pk)
    try:
        interest_delete(interest=interest, actor=request.user)
    except MatchmakingError:
        raise Http404 from None  # someone else's interest: nothing to see here
    back = "matchmaking:mine" if interest.side == "candidate" else "matchmaking:company"
    return done(request, _("意向已删除。"), reverse(back, args=[interest.event_id]))
