"""Reads shared by the pages, the snapshots and the export."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count

from accounts.models import CandidateProfile
from events.models import Registration

from .models import ACTIVE, Feedback, Interest, Meeting, MeetingSetup, Participation, SchedulerRun, Slot, Table

RELATED = ("slot", "table", "company", "candidate", "candidate__candidate_profile", "event")


def meetings_of_candidate(event_id: int, user) -> list[Meeting]:
    return list(
        Meeting.objects.filter(event_id=event_id, candidate=user)
        .exclude(status="cancelled", sequence=0)
        .select_related(*RELATED)
        .order_by("slot__starts_at", "id")
    )


def meetings_of_company(event_id: int, company_id: int) -> list[Meeting]:
    return list(
        Meeting.objects.filter(event_id=event_id, company_id=company_id, status__in=ACTIVE)
        .select_related(*RELATED)
        .order_by("slot__starts_at", "table__number", "id")
    )


def grid(setup: MeetingSetup) -> dict:
    """Slots × tables with the active meeting in each cell (the console and the export)."""
    slots = list(Slot.objects.filter(event=setup.event).order_by("starts_at"))
    tables = list(Table.objects.filter(event=setup.event).select_related("company").order_by("hall", "number"))
    cells = {
        (m.slot_id, m.table_id): m
        for m in Meeting.objects.filter(event=setup.event, status__in=ACTIVE).select_related(*RELATED)
    }
    present = defaultdict(set)
    for p in Participation.objects.filter(event=setup.event).prefetch_related("slots"):
        present[p.company_id] = {s.pk for s in p.slots.all()}
    rows = []
    for slot in slots:
        row = []
        for table in tables:
            meeting = cells.get((slot.pk, table.pk))
            available = table.company_id is not None and slot.pk in present[table.company_id]
            row.append({"table": table, "meeting": meeting, "available": available})
        rows.append({"slot": slot, "cells": row})
    return {"slots": slots, "tables": tables, "rows": rows, "count": len(cells)}


def statistics(setup: MeetingSetup) -> dict:
    event = setup.event
    meetings = Meeting.objects.filter(event=event)
    active = meetings.filter(status__in=ACTIVE)
    accepted = list(active.filter(status="accepted").values_list("candidate_id", "company_id"))
    cand = Interest.objects.filter(event=event, side="candidate").values_list("candidate_id", "company_id")
    comp = Interest.objects.filter(event=event, side="company").values_list("candidate_id", "company_id")
    cand, comp = set(cand), set(comp)
    mutual = cand & comp
    met = set(accepted)
    per_company = Counter(k for _c, k in accepted)
    per_candidate = Counter(c for c, _k in accepted)
    names = dict(Participation.objects.filter(event=event).values_list("company_id", "company__name"))
    return {
        "accepted": len(accepted),
        "requested": active.filter(status="requested").count(),
        "mutual_wishes": len(mutual),
        "mutual_met": len(mutual & met),
        "mutual_share": round(len(mutual & met) / len(mutual) * 100) if mutual else None,
        "unmet_wishes": len((cand | comp) - met),
        "no_shows": meetings.filter(attendance="no_show").count(),
        "held": meetings.filter(attendance="held").count(),
        "per_company": sorted(((names.get(k, k), n) for k, n in per_company.items()), key=lambda x: -x[1]),
        "companies_without": sorted(
            str(names[k]) for k in names if k not in per_company and any(kk == k for _c, kk in cand | comp)
        ),
        "candidates_with_meeting": len(per_candidate),
        "per_candidate_max": max(per_candidate.values(), default=0),
        "outcomes": dict(
            Counter(
                Feedback.objects.filter(meeting__event=event).exclude(outcome="none").values_list("outcome", flat=True)
            )
        ),
    }


def candidates_for_company(event, *, degree: str = "", discipline: str = "", postdoc: str = ""):
    """Confirmed candidates of the event who agreed to be shown to companies, filtered."""
    profiles = CandidateProfile.objects.filter(
        consent_share=True, user__registrations__event=event, user__registrations__status=Registration.Status.CONFIRMED
    ).select_related("user")
    if degree:
        profiles = profiles.filter(degree=degree)
    if discipline:
        profiles = profiles.filter(discipline=discipline)
    if postdoc:
        profiles = profiles.filter(postdoc_status=postdoc)
    return profiles.order_by("full_name", "pk").distinct()


def free_slots(setup: MeetingSetup, company_id: int, candidate_id: int) -> list[Slot]:
    """Slots where the company is present with a free table and the candidate has no meeting."""
    present = Slot.objects.filter(participations__event=setup.event, participations__company_id=company_id)
    tables = Table.objects.filter(event=setup.event, company_id=company_id).count()
    busy = Meeting.objects.filter(event=setup.event, status__in=ACTIVE)
    mine = set(busy.filter(candidate_id=candidate_id).values_list("slot_id", flat=True))
    full = {
        s
        for s, n in busy.filter(company_id=company_id)
        .values_list("slot_id")
        .annotate(n=Count("id"))
        .values_list("slot_id", "n")
        if n >= tables
    }
    return [s for s in present.order_by("starts_at") if s.pk not in mine and s.pk not in full]


def runs(setup: MeetingSetup):
    return SchedulerRun.objects.filter(event=setup.event).select_related("created_by")[:20]
