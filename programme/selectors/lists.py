"""The rows behind each figure of the console dashboard (organizers of the head office only:
these lists name people)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from events.models import Event

from ..models import Attendance, CountedProject, Outcome, Reach

WHATS = {
    "people": _("集聚人员"),
    "attendees": _("活动签到人员"),
    "projects": _("签约项目"),
    "outcomes": _("确认的成果"),
    "events": _("举办的活动"),
}


def figure_rows(series, what: str, params) -> QuerySet | None:
    """A queryset for the list `what` filtered by `params` (a QueryDict), or None if unknown.
    Filters that do not apply are ignored; values are compared as strings, so a junk value
    matches nothing rather than failing."""

    def get(name, default=None):
        # PostgreSQL refuses NUL in text and no key is longer than 40: cleaned, not an error.
        value = params.get(name, default)
        return value.replace("\x00", "")[:40] if isinstance(value, str) else value

    if what == "people":
        rows = Reach.objects.filter(series=series).select_related("user", "first_event").order_by("first_at", "id")
        for name, field in (
            ("month", "month"),
            ("province", "province"),
            ("unitype", "university_type"),
            ("event", "first_event_id"),
            ("action", "first_event__action_id"),
        ):
            if get(name) is not None:
                rows = (
                    rows.filter(**{field: get(name)})
                    if get(name).isdigit() or field in ("month", "province", "university_type")
                    else rows.none()
                )
        return rows
    if what == "attendees":
        event = get("event", "")
        if not event.isdigit():
            return Attendance.objects.none()
        return Attendance.objects.filter(series=series, event_id=event).select_related("user", "event").order_by("id")
    if what == "projects":
        rows = (
            CountedProject.objects.filter(series=series)
            .select_related("project", "project__company")
            .order_by("-project__signed_on", "-id")
        )
        for name, field in (("month", "month"), ("district", "district"), ("source", "project__source")):
            if get(name) is not None:
                rows = rows.filter(**{field: get(name)})
        return rows
    if what == "outcomes":
        rows = (
            Outcome.objects.filter(series=series, status=Outcome.Status.CONFIRMED)
            .select_related("candidate", "company")
            .order_by("-happened_on", "-id")
        )
        if get("kind") is not None:
            rows = rows.filter(kind=get("kind"))
        return rows
    if what == "events":
        rows = Event.objects.filter(series=series).exclude(status=Event.Status.DRAFT).order_by("starts_at", "id")
        if get("kind") is not None:
            rows = rows.filter(kind=get("kind"))
        if get("action", "").isdigit():
            rows = rows.filter(action_id=get("action"))
        return rows
    return None
