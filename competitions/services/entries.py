"""Entries: a candidate enters a project alone (a team of one) or with a team they lead, and
may edit it until the deadline. One entry per team and per lead: the competition row is the
lock that serialises the check, a unique constraint backs it."""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from accounts.services import audit_log
from accounts.validators import validate_credit_code
from notifications.services import notify_many
from projects.errors import ProjectError
from projects.models import Team
from projects.services import amount_parse, team_create, team_member_ids

from ..errors import CompetitionError
from ..models import Competition, Entry
from ..validators import validate_business_plan

# CNIPA numbers: ZL + 12 digits + check (ZL202310123456.7), or a publication number (CN116123456A).
PATENT_RE = re.compile(r"^(ZL\d{8,12}\.[0-9X]|CN\d{6,10}[A-Z]\d?)$")
MAX_PATENTS = 30
FIELDS = ("title", "track", "stage", "company_name", "credit_code", "organisation", "summary", "video_url")


def patents_parse(text) -> list[str]:
    """Patent numbers, one per line or separated by commas; each checked. Raises CompetitionError('patent')."""
    if isinstance(text, (list, tuple)):
        items = [str(item) for item in text]
    else:
        items = re.split(r"[\s,，;；]+", str(text or ""))
    numbers = []
    for item in items:
        number = item.strip().upper().replace(" ", "")
        if not number:
            continue
        if not PATENT_RE.match(number):
            raise CompetitionError("patent", value=number[:40])
        if number not in numbers:
            numbers.append(number)
    return numbers[:MAX_PATENTS]


def _clean(competition: Competition, data: dict) -> dict:
    clean = {key: str(data.get(key) or "").strip() for key in FIELDS}
    if not clean["title"]:
        raise CompetitionError("invalid", detail=_lazy("项目名称"))
    if not clean["summary"]:
        raise CompetitionError("invalid", detail=_lazy("项目简介"))
    if not clean["organisation"]:
        raise CompetitionError("invalid", detail=_lazy("依托单位"))
    if clean["track"] not in competition.tracks:
        raise CompetitionError("track")
    if clean["stage"] not in Entry.Stage.values:
        raise CompetitionError("invalid", detail=_lazy("项目阶段"))
    if clean["stage"] == Entry.Stage.COMPANY:
        clean["credit_code"] = clean["credit_code"].upper()
        try:
            validate_credit_code(clean["credit_code"])
        except ValidationError as error:
            raise CompetitionError("credit_code", detail=" ".join(error.messages)) from None
        if not clean["company_name"]:
            raise CompetitionError("credit_code", detail=_lazy("企业名称"))
    else:
        clean["company_name"], clean["credit_code"] = "", ""
    if clean["video_url"] and not re.match(r"^https?://[^\s]+$", clean["video_url"]):
        raise CompetitionError("invalid", detail=_lazy("视频链接"))
    clean["title"], clean["summary"] = clean["title"][:160], clean["summary"][:3000]
    clean["organisation"], clean["company_name"] = clean["organisation"][:120], clean["company_name"][:120]
    clean["video_url"] = clean["video_url"][:200]
    clean["patents"] = patents_parse(data.get("patents", ""))
    try:
        clean["funding_wan"] = amount_parse(data.get("funding_wan"))
    except ProjectError as error:
        raise CompetitionError("invalid", detail=str(error.message)) from None
    return clean


def _lock(competition: Competition) -> Competition:
    """The competition row is the lock for its entries (patched out by the race test's negative control)."""
    return Competition.objects.select_for_update().get(pk=competition.pk)


def entry_submit(
    *,
    competition: Competition,
    actor,
    data: dict,
    team: Team | None = None,
    entry: Entry | None = None,
    business_plan=None,
    now: datetime | None = None,
) -> Entry:
    """Create an entry (alone: a team of one is made; with `team`: the actor must lead it) or
    edit `entry`, until the deadline.

    On commit: the team hears the entry was received (a new entry only).
    Raises CompetitionError: not_candidate / not_lead / not_open / closed / duplicate / track /
    credit_code / patent / invalid.
    """
    now = now or timezone.now()
    clean = _clean(competition, data)
    if business_plan is not None:
        try:
            validate_business_plan(business_plan)
        except ValidationError as error:
            raise CompetitionError("invalid", detail=" ".join(error.messages)) from None
    if entry is None and not (actor.is_authenticated and actor.is_candidate and hasattr(actor, "candidate_profile")):
        raise CompetitionError("not_candidate")
    if team is not None and team.lead_id != actor.pk:
        raise CompetitionError("not_lead")
    if entry is not None and entry.lead_id != actor.pk:
        raise CompetitionError("not_lead")
    with transaction.atomic():
        competition = _lock(competition)
        if now < competition.entries_open_at:
            raise CompetitionError("not_open")
        if now >= competition.entry_deadline:
            raise CompetitionError("closed")
        if entry is None:
            taken = Entry.objects.filter(competition=competition, lead=actor)
            if team is not None:
                taken = taken | Entry.objects.filter(competition=competition, team=team)
            if taken.exists():
                raise CompetitionError("duplicate")
            if team is None:
                team = team_create(lead=actor, name=clean["title"])
            entry = Entry(competition=competition, team=team, lead=actor, submitted_at=now)
            created = True
        else:
            entry = Entry.objects.select_for_update().get(pk=entry.pk)
            created = False
        for key, value in clean.items():
            setattr(entry, key, value)
        if business_plan is not None:
            entry.business_plan = business_plan
        entry.updated_at = now
        entry.save()
        audit_log(
            actor=actor,
            action="competition.entry_submit" if created else "competition.entry_edit",
            target=entry,
            data={"competition_id": competition.pk},
        )
        if created:
            notify_many(
                user_ids=team_member_ids(entry.team),
                kind="competition.entry_received",
                context={
                    "entry": entry.title,
                    "competition": competition.event.title,
                    "event_id": competition.pk,
                    "url": entry.get_absolute_url(),
                },
            )
    return entry


def team_changes_guard(team: Team) -> None:
    """Registered with projects: after a competition's entry deadline, the team of an entry in it
    keeps its members (the judges score the team that entered)."""
    if Entry.objects.filter(team=team, competition__entry_deadline__lte=timezone.now()).exists():
        raise ProjectError("team_closed", _lazy("参赛项目的报名已截止，团队成员不能再变动。"))
