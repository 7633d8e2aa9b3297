"""The figures of a series, read from the counters (a few hundred rows) and the series' events
(tens of rows): never a scan of check-ins, registrations or projects per page view.

public_figures() is what anyone may see and what goes out live: numbers and labels only, no
name, no id of a person. console_figures() adds the breakdowns organizers drill into.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, UniversityType
from events.models import Action, Event, Series

from ..counting.tallies import month_of, tallies_read
from ..districts import DISTRICTS, district_label
from ..models import Metric, OutcomeKind, Target


def _events(series_id: int) -> list[dict]:
    return list(
        Event.objects.filter(series_id=series_id)
        .exclude(status=Event.Status.DRAFT)
        .order_by("starts_at", "id")
        .values(
            "id", "kind", "action_id", "title", "starts_at", "ends_at", "status", "seats_confirmed", "seats_waitlisted"
        )
    )


def _held(events: list[dict], now) -> list[dict]:
    """Events that took place: published (not cancelled) and over."""
    return [e for e in events if e["status"] == Event.Status.PUBLISHED and e["ends_at"] <= now]


def target_value(target: Target, tallies: dict, held: list[dict]) -> int:
    if target.metric == Metric.FAIRS_HELD:
        return sum(1 for e in held if e["kind"] == Event.Kind.FAIR)
    if target.metric == Metric.MATCHMAKING_HELD:
        return sum(1 for e in held if e["kind"] == Event.Kind.MATCHMAKING)
    if target.metric == Metric.EVENTS_HELD:
        return sum(1 for e in held if e["kind"] == target.param)
    if target.metric == Metric.PEOPLE_REACHED:
        return tallies.get(("people", ""), 0)
    if target.metric == Metric.PROJECTS_SIGNED:
        return tallies.get(("projects", ""), 0)
    if target.metric == Metric.OUTCOMES_CONFIRMED:
        if target.param:
            return tallies.get(("outcomes", target.param), 0)
        return sum(v for (metric, _k), v in tallies.items() if metric == "outcomes")
    return target.manual_value or 0


def target_progress(targets, tallies: dict, held: list[dict]) -> list[dict]:
    rows = []
    for target in targets:
        value = target_value(target, tallies, held)
        rows.append(
            {
                "id": target.pk,
                "title": target.title,
                "metric": target.metric,
                "param": target.param,
                "goal": target.goal,
                "value": value,
                "percent": round(100 * value / target.goal, 1) if target.goal else 0.0,
            }
        )
    return rows


def _labelled(tallies: dict, metric: str, labels: dict, other) -> list[dict]:
    rows = [
        {"key": key, "label": str(labels.get(key, other)), "value": value}
        for (m, key), value in tallies.items()
        if m == metric
    ]
    return sorted(rows, key=lambda r: (-r["value"], r["key"]))


def public_figures(series: Series, *, now=None, tallies: dict | None = None, events: list | None = None) -> dict:
    """Aggregates only: progress per target, the monthly trend, origin, events by kind."""
    now = now or timezone.now()
    tallies = tallies_read(series.pk) if tallies is None else tallies
    events = _events(series.pk) if events is None else events
    held = _held(events, now)
    targets = list(Target.objects.filter(series=series))
    months = defaultdict(Counter)
    for (metric, key), value in tallies.items():
        if metric in ("people.month", "projects.month", "outcomes.month"):
            months[key][metric.split(".")[0]] += value
    for event in held:
        months[month_of(event["ends_at"])]["events"] += 1
    kinds = []
    for kind, label in Event.Kind.choices:
        planned = sum(1 for e in events if e["kind"] == kind and e["status"] == Event.Status.PUBLISHED)
        done = sum(1 for e in held if e["kind"] == kind)
        if planned:
            kinds.append({"key": kind, "label": str(label), "held": done, "planned": planned})
    return {
        "series": {"title": series.title, "year": series.year},
        "as_of": now.isoformat(),
        "targets": target_progress(targets, tallies, held),
        "totals": {
            "people": tallies.get(("people", ""), 0),
            "projects": tallies.get(("projects", ""), 0),
            "outcomes": sum(v for (m, _k), v in tallies.items() if m == "outcomes"),
            "events_held": len(held),
        },
        "trend": [
            {
                "month": month,
                "people": c["people"],
                "projects": c["projects"],
                "outcomes": c["outcomes"],
                "events": c["events"],
            }
            for month, c in sorted(months.items())
        ],
        "provinces": _labelled(tallies, "people.province", dict(Province.choices), _("未填写")),
        "university_types": _labelled(tallies, "people.unitype", dict(UniversityType.choices), _("未填写")),
        "kinds": kinds,
        "outcomes": [
            {"key": kind, "label": str(label), "value": tallies.get(("outcomes", kind), 0)}
            for kind, label in OutcomeKind.choices
        ],
    }


def console_figures(series: Series, *, now=None) -> dict:
    """public_figures() plus the breakdowns by action, event, month and district."""
    now = now or timezone.now()
    tallies = tallies_read(series.pk)
    events = _events(series.pk)
    data = public_figures(series, now=now, tallies=tallies, events=events)
    held_ids = {e["id"] for e in _held(events, now)}
    by_event = []
    for event in events:
        key = str(event["id"])
        by_event.append(
            {
                "id": event["id"],
                "title": event["title"],
                "kind": event["kind"],
                "kind_label": str(Event.Kind(event["kind"]).label),
                "action_id": event["action_id"],
                "starts_at": event["starts_at"],
                "held": event["id"] in held_ids,
                "cancelled": event["status"] == Event.Status.CANCELLED,
                # The event row's own counters, kept under its lock by every registration path.
                "confirmed": event["seats_confirmed"],
                "waitlisted": event["seats_waitlisted"],
                "attended": tallies.get(("attend.event", key), 0),
                "new_people": tallies.get(("people.event", key), 0),
            }
        )
    by_action = []
    for action in Action.objects.filter(series=series).order_by("number"):
        rows = [e for e in by_event if e["action_id"] == action.pk]
        by_action.append(
            {
                "id": action.pk,
                "number": action.number,
                "title": action.title,
                "events": len(rows),
                "held": sum(1 for e in rows if e["held"]),
                "confirmed": sum(e["confirmed"] for e in rows),
                "attended": sum(e["attended"] for e in rows),
                "new_people": sum(e["new_people"] for e in rows),
            }
        )
    districts = []
    for code in [*DISTRICTS, ""]:
        projects = tallies.get(("projects.district", code), 0)
        outcomes = tallies.get(("outcomes.district", code), 0)
        if projects or outcomes or code:
            districts.append({"key": code, "label": district_label(code), "projects": projects, "outcomes": outcomes})
    data.update(
        {
            "by_event": by_event,
            "by_action": by_action,
            "by_district": districts,
            "registrations": sum(e["confirmed"] for e in by_event),
            "attendances": sum(e["attended"] for e in by_event),
            "sources": [
                {"key": key, "label": key, "value": value}
                for (m, key), value in sorted(tallies.items())
                if m == "projects.source"
            ],
        }
    )
    return data
