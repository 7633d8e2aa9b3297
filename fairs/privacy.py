"""What fairs holds about a person, for the export and the erasure of accounts (DESIGN §8)."""

from __future__ import annotations

from .models import BoothVisit, ShortlistEntry


def personal_data_export(user) -> dict:
    visits = BoothVisit.objects.filter(visitor=user).select_related("company", "fair__event", "booth")
    data = {
        "booth_visits": [
            # Everything the company holds about the visit, its note and rating included (issue 17).
            {
                "event": v.fair.event.title,
                "company": v.company.name,
                "booth": v.booth.code if v.booth else "",
                "first_seen_at": v.first_seen_at.isoformat(),
                "last_seen_at": v.last_seen_at.isoformat(),
                "scans": v.scans,
                "shared": v.shared,
                "rating": v.rating,
                "note": v.note,
            }
            for v in visits
        ],
        # Visits this person scanned at their company's booth (who was scanned belongs to others).
        "booth_scans_made": [
            {"event": v.fair.event.title, "company": v.company.name, "first_seen_at": v.first_seen_at.isoformat()}
            for v in BoothVisit.objects.filter(scanned_by=user)
            .select_related("company", "fair__event")
            .order_by("first_seen_at", "pk")
        ],
        "shortlist": [
            {"event": s.fair.event.title, "company": s.company.name}
            for s in ShortlistEntry.objects.filter(user=user).select_related("company", "fair__event")
        ],
    }
    # Only what exists: someone who never went to a fair sees no empty fair sections.
    return {key: value for key, value in data.items() if value}


def personal_data_erase(user) -> None:
    # Visits and shortlist entries cascade with the user; nothing to release before that.
    return None
