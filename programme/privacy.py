"""The programme's part of a person's data: their outcomes (export), and on erasure their
place in the counters (programme.services.outcomes.person_uncount)."""

from __future__ import annotations

from .models import Outcome


def personal_data_export(user) -> dict:
    outcomes = [
        {
            "kind": o.kind,
            "company": o.company.name if o.company else None,
            "happened_on": o.happened_on.isoformat(),
            "status": o.status,
            "note": o.note,
            "reported_at": o.reported_at.isoformat(),
        }
        for o in Outcome.objects.filter(candidate=user).select_related("company")
    ]
    return {"outcomes": outcomes} if outcomes else {}  # no empty sections


def personal_data_erase(user) -> None:
    from .services.outcomes import person_uncount

    person_uncount(user)
