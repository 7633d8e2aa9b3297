"""What competitions holds about a person, for the export and the erasure of accounts."""

from __future__ import annotations

from .models import Entry, Honour, Judge


def personal_data_export(user) -> dict:
    data = {
        "competition_entries": [
            {"competition": e.competition.event.title, "title": e.title, "track": e.track, "award": e.award,
             "submitted_at": e.submitted_at.isoformat()}
            for e in Entry.objects.filter(lead=user).select_related("competition__event")],
        "competition_honours": [
            {"entry": h.entry.title, "award": h.award, "support_plan": h.support_plan, "position": h.position}
            for h in Honour.objects.filter(user=user).select_related("entry")],
        "competition_judging": [
            {"competition": j.competition.event.title, "organisation": j.organisation}
            for j in Judge.objects.filter(user=user).select_related("competition__event")],
    }
    return {key: value for key, value in data.items() if value}


def personal_data_erase(user) -> None:
    # Entries, honours and judge rows cascade with the user; the team (projects) is kept by PROTECT
    # on Entry.team only while the entry exists, and the entry goes with its lead.
    return None
