"""A person's talent journey: events (fairs, matchmaking, forums, trainings) with whether they
came, booth visits, projects (from challenges and competitions) and outcomes, in order."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Min
from django.utils.translation import gettext as _

from checkin.models import Checkin
from events.models import Registration
from fairs.models import BoothVisit
from projects.models import Project

from ..models import Outcome

QINGDAO = ZoneInfo("Asia/Shanghai")


def _at_day(day) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=QINGDAO)


def journey(user) -> list[dict]:
    """Steps of `user`, oldest first. Each: at, kind, title, detail, status, url (or "")."""
    steps = []
    came = dict(
        Checkin.objects.filter(ticket__registration__user=user)
        .values("ticket__event_id")
        .annotate(first=Min("scanned_at"))
        .values_list("ticket__event_id", "first")
    )
    for reg in Registration.objects.filter(user=user).select_related("event").order_by("event__starts_at"):
        event = reg.event
        if reg.status == Registration.Status.CANCELLED and event.pk not in came:
            continue
        steps.append(
            {
                "at": came.get(event.pk) or event.starts_at,
                "kind": event.kind,
                "kind_label": event.get_kind_display(),
                "title": event.title,
                "status": "attended" if event.pk in came else reg.status,
                "url": event.get_absolute_url(),
            }
        )
    for visit in BoothVisit.objects.filter(visitor=user).select_related("company", "fair__event"):
        steps.append(
            {
                "at": visit.first_seen_at,
                "kind": "booth",
                "kind_label": _("展位到访"),
                "title": visit.company.name,
                "status": "visited",
                "url": "",
            }
        )
    for project in Project.objects.filter(team__members__user=user, team__members__status="accepted").distinct():
        steps.append(
            {
                "at": _at_day(project.signed_on),
                "kind": "project",
                "kind_label": project.get_source_display(),
                "title": project.title,
                "status": project.status,
                "url": project.get_absolute_url(),
            }
        )
    for outcome in Outcome.objects.filter(candidate=user).select_related("company"):
        steps.append(
            {
                "at": _at_day(outcome.happened_on),
                "kind": "outcome",
                "kind_label": outcome.get_kind_display(),
                "title": outcome.company.name if outcome.company else outcome.note,
                "status": outcome.status,
                "status_label": outcome.get_status_display(),
                "url": "",
            }
        )
    return sorted(steps, key=lambda s: s["at"])
