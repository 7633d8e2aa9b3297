"""What competitions holds about a person, for the export and the erasure of accounts."""

from __future__ import annotations

from .models import Entry, Honour, Judge


def personal_data_export(user) -> dict:
    data = {
        "competition_entries": [
            {
                "competition": e.competition.event.title,
                "title": e.title,
                "track": e.track,
                "award": e.award,
                "submitted_at": e.submitted_at.isoformat(),
            }
            for e in Entry.objects.filter(lead=user).select_related("competition__event")
        ],
        "competition_honours": [
            {"entry": h.entry.title, "award": h.award, "support_plan": h.support_plan, "position": h.position}
            for h in Honour.objects.filter(user=user).select_related("entry")
        ],
        "competition_judging": [
            {"competition": j.competition.event.title, "organisation": j.organisation}
            for j in Judge.objects.filter(user=user).select_related("competition__event")
        ],
    }
    return {key: value for key, value in data.items() if value}


def personal_data_erase(user) -> None:
    """Entries and honours go with the person (CASCADE). A judge's scores stay, so the rounds'
    results do not change; the judge row keeps no name or address of the person."""
    for judge in Judge.objects.filter(user=user):
        judge.name, judge.email, judge.organisation = f"已注销评委 {judge.pk}", f"erased-{judge.pk}@invalid", ""
        judge.token, judge.user = None, None
        judge.save(update_fields=["name", "email", "organisation", "token", "user"])
