"""洽谈日程: a company representative's schedule, requests, availability, tables, interests,
marking and feedback. Everything is looked up through the member's own participation, so
another company's event, meeting or interest answers 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.disciplines import DISCIPLINES
from accounts.models import Degree, PostdocStatus, User

from .. import selectors
from ..errors import MatchmakingError
from ..models import Interest, Meeting, Slot, Table
from ..permissions import participation_for_member
from ..services import (
    availability_set,
    interest_set,
    meeting_mark,
    meeting_mark_by_ticket,
    meeting_request,
    table_label_set,
)
from .common import done, int_or_none, refuse, snapshot


def _context(request, participation) -> dict:
    event = participation.event
    filters = {key: request.GET.get(key, "") for key in ("degree", "discipline", "postdoc")}
    tables = list(Table.objects.filter(event=event, company=participation.company).order_by("hall", "number"))
    meetings = selectors.meetings_of_company(event.pk, participation.company_id)
    slots = list(Slot.objects.filter(event=event).order_by("starts_at"))
    present = set(participation.slots.values_list("pk", flat=True))
    by_cell = {(m.slot_id, m.table_id): m for m in meetings}
    schedule = [
        {
            "slot": s,
            "present": s.pk in present,
            "cells": [{"table": t, "meeting": by_cell.get((s.pk, t.pk))} for t in tables],
        }
        for s in slots
    ]
    return {
        "participation": participation,
        "company": participation.company,
        "event": event,
        "now": timezone.now(),
        "setup": event.meeting_setup,
        "tables": tables,
        "schedule": schedule,
        "slots": slots,
        "present": present,
        "requests": [m for m in meetings if m.status == "requested"],
        "interests": list(
            Interest.objects.filter(event=event, company=participation.company, side="company").select_related(
                "candidate__candidate_profile"
            )
        ),
        "wished_by": list(
            Interest.objects.filter(
                event=event,
                company=participation.company,
                side="candidate",
                candidate__candidate_profile__consent_share=True,
            ).select_related("candidate__candidate_profile")
        ),
        "candidates": selectors.candidates_for_company(event, **filters)[:200],
        "filters": filters,
        "degrees": Degree.choices,
        "postdocs": PostdocStatus.choices,
        "disciplines": DISCIPLINES,
        "outcomes": Meeting._meta.get_field("feedback").related_model.Outcome.choices,
    }


@login_required
def schedule(request, event_id: int):
    participation = participation_for_member(request.user, event_id)
    return render(request, "matchmaking/company.html", _context(request, participation))


@login_required
def schedule_snapshot(request, event_id: int):
    participation = participation_for_member(request.user, event_id)
    return snapshot(
        request,
        "matchmaking/_company_schedule.html",
        _context(request, participation),
        participation.event.meeting_setup.version,
    )


def _to(event_id: int) -> str:
    return reverse("matchmaking:company", args=[event_id])


@login_required
@require_POST
def availability(request, event_id: int):
    participation = participation_for_member(request.user, event_id)
    ids = [i for i in (int_or_none(v) for v in request.POST.getlist("slots")) if i]
    try:
        availability_set(participation=participation, actor=request.user, slot_ids=ids)
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("在场时段已保存。"), _to(event_id))


@login_required
@require_POST
def table_label(request, event_id: int, pk: int):
    participation = participation_for_member(request.user, event_id)
    table = get_object_or_404(Table, pk=pk, event_id=event_id, company=participation.company)
    try:
        table_label_set(
            table=table,
            actor=request.user,
            label=request.POST.get("label", ""),
            online_url=request.POST.get("online_url", ""),
        )
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("已保存。"), _to(event_id))


def _consenting_candidate(event, pk) -> User:
    person = selectors.candidates_for_company(event).filter(user_id=int_or_none(pk) or 0).first()
    if person is None:
        raise Http404  # not confirmed, or not shown to companies: as if it did not exist
    return person.user


@login_required
@require_POST
def interest(request, event_id: int):
    participation = participation_for_member(request.user, event_id)
    person = _consenting_candidate(participation.event, request.POST.get("candidate"))
    try:
        interest_set(
            event=participation.event,
            actor=request.user,
            side="company",
            company=participation.company,
            candidate=person,
            priority=int_or_none(request.POST.get("priority")) or 0,
            note=request.POST.get("note", ""),
        )
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("意向已保存。"), _to(event_id))


@login_required
@require_POST
def invite(request, event_id: int):
    """The company asks a candidate for a meeting in a slot."""
    participation = participation_for_member(request.user, event_id)
    person = _consenting_candidate(participation.event, request.POST.get("candidate"))
    slot = Slot.objects.filter(event_id=event_id, pk=int_or_none(request.POST.get("slot"))).first()
    if slot is None:
        return refuse(request, MatchmakingError("invalid", detail=_("请选择时段")), _to(event_id))
    try:
        meeting_request(
            slot=slot,
            company_id=participation.company_id,
            candidate=person,
            actor=request.user,
            side="company",
            note=request.POST.get("note", ""),
        )
    except MatchmakingError as error:
        return refuse(request, error, _to(event_id))
    return done(request, _("邀约已发出，等待候选人确认。"), _to(event_id))


@login_required
@require_POST
def mark(request, pk: int):
    meeting = get_object_or_404(
        Meeting.objects.select_related("event", "slot"), pk=pk, company__memberships__user=request.user
    )
    try:
        if request.POST.get("code"):
            meeting_mark_by_ticket(meeting=meeting, actor=request.user, code=request.POST["code"].strip())
        else:
            meeting_mark(meeting=meeting, actor=request.user, held=request.POST.get("held") == "1")
    except MatchmakingError as error:
        return refuse(request, error, _to(meeting.event_id))
    return done(request, _("已标记。"), _to(meeting.event_id))
