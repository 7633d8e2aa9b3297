"""Count what was recorded since the last run: check-ins and projects, read by id.

Check-ins arrive by three ways (the Django scan service, offline sync, the door's raw-SQL fast
lane); reading the table itself, rather than listening to one of them, cannot miss any. A run
is a few indexed queries when nothing is new, so it can run after every burst of scans (see
nudge.py), every few seconds from Celery beat, and on a page view when it is stale.

Runs are serialised by locking the source's Cursor row: the counters of a source are only ever
changed by one run at a time, and the Reach / Attendance / CountedProject rows (each with a
unique constraint) make reading a row twice harmless.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import CandidateProfile
from checkin.models import Checkin
from projects.models import Project

from ..districts import district_of
from ..models import Attendance, CountedProject, Cursor, Outcome, Reach, Tally
from .tallies import month_of, tallies_add

BATCH = 2000
HOLE_TTL_S = 300  # a transaction holding an id longer than this is not a door scan
HOLE_GAP_MAX = 1000  # a larger jump of ids is the sequence's, not rows in flight
# After a run, page views skip their own check for this long (freshness.catch_up_if_stale).
STALE_AFTER = timedelta(seconds=5)
RECENT_KEY = "programme:caught-up"


def _locked_cursor(name: str) -> Cursor:
    Cursor.objects.get_or_create(name=name)
    return Cursor.objects.select_for_update().get(name=name)


def _read(cursor: Cursor, queryset, fields: tuple[str, ...]) -> list[tuple]:
    wanted = Q(id__gt=cursor.last_id)
    holes = [int(h) for h in cursor.holes]
    if holes:
        wanted |= Q(id__in=holes)
    return list(queryset.filter(wanted).order_by("id").values_list(*fields)[:BATCH])


def _advance(cursor: Cursor, ids: list[int]) -> None:
    """Move past `ids` (sorted), remembering ids skipped between them as holes to re-read."""
    now = time.time()
    seen = set(ids)
    holes = {h: t for h, t in cursor.holes.items() if int(h) not in seen and now - t < HOLE_TTL_S}
    previous = cursor.last_id
    for row_id in ids:
        if row_id <= cursor.last_id:
            continue
        if 1 < row_id - previous <= HOLE_GAP_MAX:
            holes.update({str(missing): now for missing in range(previous + 1, row_id)})
        previous = row_id
    cursor.last_id = max(cursor.last_id, previous)
    cursor.holes = holes


def _checkins_once() -> tuple[set[int], bool]:
    """One batch of new check-ins. Returns (series touched, whether more may be waiting)."""
    with transaction.atomic():
        cursor = _locked_cursor("checkin")
        rows = _read(
            cursor,
            Checkin.objects,
            ("id", "scanned_at", "ticket__event_id", "ticket__event__series_id", "ticket__registration__user_id"),
        )
        cursor.ran_at = timezone.now()
        if not rows:
            holes_before = dict(cursor.holes)
            _advance(cursor, [])
            cursor.save(update_fields=["ran_at", "holes"] if cursor.holes != holes_before else ["ran_at"])
            return set(), False
        deltas: Counter = Counter()
        first: dict[tuple[int, int], tuple] = {}  # (series, user) -> (scanned_at, checkin id, event)
        pairs: dict[tuple[int, int], int] = {}  # (event, user) -> series
        for checkin_id, at, event_id, series_id, user_id in rows:
            candidate = (at, checkin_id, event_id)
            key = (series_id, user_id)
            if key not in first or candidate < first[key]:
                first[key] = candidate
            pairs[(event_id, user_id)] = series_id
        users = {user for _series, user in first}
        _count_people(first, users, deltas)
        _count_attendance(pairs, users, deltas)
        tallies_add(deltas)
        _advance(cursor, [row[0] for row in rows])
        cursor.save(update_fields=["last_id", "holes", "ran_at"])
    return {series for (series, _m, _k), value in deltas.items() if value}, len(rows) == BATCH


def _count_people(first: dict, users: set[int], deltas: Counter) -> None:
    existing = {
        (r.series_id, r.user_id): r
        for r in Reach.objects.filter(user_id__in=users, series_id__in={s for s, _u in first})
    }
    new_users = users - {user for _s, user in existing}
    origin = {
        user: (province, kind)
        for user, province, kind in CandidateProfile.objects.filter(user_id__in=new_users).values_list(
            "user_id", "province", "university_type"
        )
    }
    created, moved = [], []
    for (series, user), (at, checkin_id, event_id) in first.items():
        reach = existing.get((series, user))
        if reach is None:
            province, kind = origin.get(user, ("", ""))
            reach = Reach(
                series_id=series,
                user_id=user,
                first_at=at,
                first_checkin_id=checkin_id,
                first_event_id=event_id,
                month=month_of(at),
                province=province,
                university_type=kind,
            )
            created.append(reach)
            for metric, key in (
                ("people", ""),
                ("people.month", reach.month),
                ("people.province", province),
                ("people.unitype", kind),
                ("people.event", event_id),
            ):
                deltas[(series, metric, str(key))] += 1
        elif (at, checkin_id) < (reach.first_at, reach.first_checkin_id):
            # An offline phone uploaded an earlier scan: the person was reached earlier, elsewhere.
            deltas[(series, "people.month", reach.month)] -= 1
            deltas[(series, "people.event", str(reach.first_event_id))] -= 1
            reach.first_at, reach.first_checkin_id, reach.first_event_id = at, checkin_id, event_id
            reach.month = month_of(at)
            deltas[(series, "people.month", reach.month)] += 1
            deltas[(series, "people.event", str(event_id))] += 1
            moved.append(reach)
    Reach.objects.bulk_create(created)
    if moved:
        Reach.objects.bulk_update(moved, ["first_at", "first_checkin_id", "first_event", "month"])


def _count_attendance(pairs: dict, users: set[int], deltas: Counter) -> None:
    existing = set(
        Attendance.objects.filter(user_id__in=users, event_id__in={e for e, _u in pairs}).values_list(
            "event_id", "user_id"
        )
    )
    created = [
        Attendance(event_id=event, user_id=user, series_id=series)
        for (event, user), series in pairs.items()
        if (event, user) not in existing
    ]
    for row in created:
        deltas[(row.series_id, "attend.event", str(row.event_id))] += 1
    Attendance.objects.bulk_create(created)


def project_keys(*, signed_on, source: str, credit_code: str | None) -> list[tuple[str, str]]:
    return [
        ("projects", ""),
        ("projects.month", month_of(signed_on)),
        ("projects.source", source),
        ("projects.district", district_of(credit_code)),
    ]


def _projects_once() -> tuple[set[int], bool]:
    with transaction.atomic():
        cursor = _locked_cursor("project")
        rows = _read(cursor, Project.objects, ("id", "series_id", "signed_on", "source", "company__credit_code"))
        cursor.ran_at = timezone.now()
        counted = set(
            CountedProject.objects.filter(project_id__in=[r[0] for r in rows]).values_list("project_id", flat=True)
        )
        deltas: Counter = Counter()
        created = []
        for project_id, series_id, signed_on, source, credit_code in rows:
            if project_id in counted:
                continue
            keys = project_keys(signed_on=signed_on, source=source, credit_code=credit_code)
            created.append(
                CountedProject(project_id=project_id, series_id=series_id, month=keys[1][1], district=keys[3][1])
            )
            for metric, key in keys:
                deltas[(series_id, metric, key)] += 1
        CountedProject.objects.bulk_create(created)
        tallies_add(deltas)
        _advance(cursor, [row[0] for row in rows])
        cursor.save(update_fields=["last_id", "holes", "ran_at"])
    return {p.series_id for p in created}, len(rows) == BATCH


def tallies_catch_up(sources: tuple[str, ...] = ("checkin", "project")) -> set[int]:
    """Count every check-in and project not counted yet (or only those of `sources`). Returns
    the ids of the series whose figures changed. Safe to run at any time, from any process, as
    often as wanted."""
    from ..selectors.cached import figures_changed

    touched: set[int] = set()
    steps = {"checkin": _checkins_once, "project": _projects_once}
    for step in (steps[source] for source in sources):
        more = True
        while more:
            series, more = step()
            touched |= series
    for series_id in touched:
        figures_changed(series_id)
    caught_up_recently()
    return touched


def caught_up_recently() -> None:
    """Remembered for STALE_AFTER, so page views in between ask neither the database nor run."""
    cache.set(RECENT_KEY, 1, timeout=int(STALE_AFTER.total_seconds()))


def outcome_keys(outcome: Outcome, credit_code: str | None) -> list[tuple[str, str]]:
    return [
        ("outcomes", outcome.kind),
        ("outcomes.month", month_of(outcome.happened_on)),
        ("outcomes.district", district_of(credit_code)),
    ]


def tallies_rebuild() -> None:
    """Throw every counter away and count everything again (a nightly reconcile, and the way
    back after rows were deleted behind the counters' back, e.g. an event deleted in admin)."""
    with transaction.atomic():
        for name in ("checkin", "project", "outcome"):
            _locked_cursor(name)
        Tally.objects.all().delete()
        Reach.objects.all().delete()
        Attendance.objects.all().delete()
        CountedProject.objects.all().delete()
        Cursor.objects.filter(name__in=["checkin", "project"]).update(last_id=0, holes={})
        deltas: Counter = Counter()
        for outcome in Outcome.objects.filter(status=Outcome.Status.CONFIRMED).select_related("company"):
            for metric, key in outcome_keys(outcome, outcome.company.credit_code if outcome.company else None):
                deltas[(outcome.series_id, metric, key)] += 1
        tallies_add(deltas)
        tallies_catch_up()
    from events.models import Series

    from ..selectors.cached import figures_changed

    for series_id in Series.objects.values_list("pk", flat=True):
        figures_changed(series_id)
