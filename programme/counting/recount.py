"""Every counter of a series computed from scratch from the source tables.

It shares no state with the incremental counters (it never reads Reach, Attendance or Tally),
so `tallies_read(s) == recount(s)` is a real check; the tests run it after random sequences of
registrations, cancellations, check-ins, projects and outcomes, and the reconcile task logs a
difference if one ever appears.
"""

from __future__ import annotations

from collections import Counter

from accounts.models import CandidateProfile
from checkin.models import Checkin
from projects.models import Project

from ..districts import district_of
from ..models import Outcome
from .tallies import month_of


def recount(series_id: int) -> dict[tuple[str, str], int]:
    figures: Counter = Counter()
    first: dict[int, tuple] = {}
    attended: set[tuple[int, int]] = set()
    for checkin_id, at, event_id, user_id in (
        Checkin.objects.filter(ticket__event__series_id=series_id)
        .values_list("id", "scanned_at", "ticket__event_id", "ticket__registration__user_id")
        .iterator(chunk_size=5000)
    ):
        candidate = (at, checkin_id, event_id)
        if user_id not in first or candidate < first[user_id]:
            first[user_id] = candidate
        attended.add((event_id, user_id))
    origin = {
        u: (p, k)
        for u, p, k in CandidateProfile.objects.filter(user_id__in=list(first)).values_list(
            "user_id", "province", "university_type"
        )
    }
    for user_id, (at, _checkin_id, event_id) in first.items():
        province, kind = origin.get(user_id, ("", ""))
        for key in (
            ("people", ""),
            ("people.month", month_of(at)),
            ("people.province", province),
            ("people.unitype", kind),
            ("people.event", str(event_id)),
        ):
            figures[key] += 1
    for event_id, _user_id in attended:
        figures[("attend.event", str(event_id))] += 1
    for signed_on, source, code in Project.objects.filter(series_id=series_id).values_list(
        "signed_on", "source", "company__credit_code"
    ):
        for key in (
            ("projects", ""),
            ("projects.month", month_of(signed_on)),
            ("projects.source", source),
            ("projects.district", district_of(code)),
        ):
            figures[key] += 1
    for kind, happened_on, code in Outcome.objects.filter(
        series_id=series_id, status=Outcome.Status.CONFIRMED
    ).values_list("kind", "happened_on", "company__credit_code"):
        for key in (
            ("outcomes", kind),
            ("outcomes.month", month_of(happened_on)),
            ("outcomes.district", district_of(code)),
        ):
            figures[key] += 1
    return {key: value for key, value in figures.items() if value}
