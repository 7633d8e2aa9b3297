"""Demo 1:1 meetings for the four 产才对接 sessions: a grid of 15-minute slots in the afternoon's
专题座谈 block (15:45–17:00), two tables for each of six verified companies in two halls, the
companies' presence, interests of both sides, a meeting booked by hand (candidate1 林晓 with
青岛海蓝智能科技有限公司), an invitation waiting for 林晓's answer, and a published run of the
scheduler (plus a draft re-run on the second session, to show the preview). Sessions whose
registration is not open yet get the grid, tables and presence only (nobody can be confirmed). All through the real
services. Called by events' load_demo; idempotent (an event that has meeting slots is left alone).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Company, CompanyMembership, User
from events.models import Event, Registration
from events.services import RegistrationError, registration_create

from .errors import MatchmakingError
from .models import MeetingSetup, Participation, Slot
from .services import (
    interest_set,
    meeting_answer,
    meeting_request,
    run_create,
    run_publish,
    setup_save,
    slots_generate,
    tables_create,
)

NOTES = ["希望了解博士后工作站的招收计划", "关注联合攻关项目", "想了解安居与科研经费支持", ""]


def _admin(company: Company) -> User | None:
    return (
        User.objects.filter(
            company_memberships__company=company, company_memberships__role=CompanyMembership.Role.ADMIN
        )
        .order_by("pk")
        .first()
    )


def _confirm(event: Event, users: list[User]) -> list[User]:
    if not event.registration_is_open():
        return []  # registration not open yet (the biomedicine session): no one can be confirmed
    for user in users:
        if not Registration.objects.active().filter(event=event, user=user).exists():
            try:
                registration_create(event=event, user=user)
            except RegistrationError:
                continue
    return list(
        User.objects.filter(
            registrations__event=event, registrations__status="confirmed", role=User.Role.CANDIDATE
        ).order_by("pk")
    )


def _event(event: Event, head: User, companies: list[Company], people: list[User], *, publish: bool) -> None:
    local = timezone.localtime(event.starts_at)
    setup = setup_save(event=event, actor=head, max_per_candidate=4, max_per_company=10, meeting_minutes=15)
    day = local.date()
    zone = local.tzinfo
    slots_generate(
        setup=setup,
        actor=head,
        starts_at=datetime.combine(day, time(15, 45), tzinfo=zone),
        ends_at=datetime.combine(day, time(17, 0), tzinfo=zone),
    )
    slots = list(Slot.objects.filter(event=event).order_by("starts_at"))
    for index, company in enumerate(companies):
        tables_create(setup=setup, actor=head, hall="A" if index < 3 else "B", count=2, company=company)
    # One company is there for the first three slots only.
    Participation.objects.get(event=event, company=companies[-1]).slots.set(slots[:3])
    confirmed = _confirm(event, people)
    rng = random.Random(event.pk)
    for person in confirmed:
        for priority, company in enumerate(rng.sample(companies, 3), start=1):
            interest_set(
                event=event,
                actor=person,
                side="candidate",
                company=company,
                candidate=person,
                priority=priority,
                note=rng.choice(NOTES),
            )
    shown = [p for p in confirmed if getattr(getattr(p, "candidate_profile", None), "consent_share", False)]
    for company in companies:
        admin = _admin(company)
        for priority, person in enumerate(rng.sample(shown, min(3, len(shown))), start=1):
            interest_set(event=event, actor=admin, side="company", company=company, candidate=person, priority=priority)
    first = next((p for p in confirmed if p.email == "candidate1@boju.local"), None)
    if first is not None and setup.requests_are_open():
        try:
            meeting = meeting_request(
                slot=slots[0],
                company_id=companies[0].pk,
                candidate=first,
                actor=first,
                side="candidate",
                note="希望了解多模态大模型博士后岗位",
            )
            meeting_answer(meeting=meeting, actor=_admin(companies[0]), accept=True)
            meeting_request(
                slot=slots[3],
                company_id=companies[1].pk,
                candidate=first,
                actor=_admin(companies[1]),
                side="company",
                note="诚邀交流海上风电并网课题",
            )
        except MatchmakingError:
            pass
    if confirmed:
        run = run_create(setup=MeetingSetup.objects.select_related("event").get(pk=event.pk), actor=head, time_limit=10)
        run_publish(run=run, actor=head)
        if not publish:  # a second run kept as a draft: the console shows its preview next to the published one
            run_create(setup=MeetingSetup.objects.select_related("event").get(pk=event.pk), actor=head, time_limit=10)


def load(*, head: User) -> int:
    """Grids, interests and meetings for the demo's matchmaking sessions. Returns how many."""
    companies = [c for c in Company.objects.filter(status=Company.Status.VERIFIED).order_by("pk") if _admin(c)][:6]
    people = list(
        User.objects.filter(
            role=User.Role.CANDIDATE, email__endswith="@boju.local", candidate_profile__isnull=False
        ).order_by("pk")
    )
    events = Event.objects.filter(
        kind=Event.Kind.MATCHMAKING, status=Event.Status.PUBLISHED, starts_at__gt=timezone.now() + timedelta(hours=1)
    ).order_by("starts_at")
    done = 0
    for number, event in enumerate(events):
        if Slot.objects.filter(event=event).exists() or len(companies) < 2:
            continue
        _event(event, head, companies, people, publish=number != 1)
        done += 1
    return done
