"""What matchmaking holds about a person, for the export and the erasure of accounts."""

from __future__ import annotations

from .models import Feedback, Interest, Meeting


def personal_data_export(user) -> dict:
    data = {
        "meeting_interests": [
            {"event": i.event.title, "company": i.company.name, "side": i.side, "priority": i.priority, "note": i.note}
            for i in Interest.objects.filter(candidate=user).select_related("event", "company")
        ],
        "meetings": [
            {
                "event": m.event.title,
                "company": m.company.name,
                "starts_at": m.slot.starts_at.isoformat(),
                "table": str(m.table),
                "status": m.status,
                "attendance": m.attendance,
            }
            for m in Meeting.objects.filter(candidate=user).select_related("event", "company", "slot", "table")
        ],
        "meeting_feedback": [
            {"meeting": f.meeting_id, "rating": f.rating, "outcome": f.outcome, "comment": f.comment}
            for f in Feedback.objects.filter(author=user)
        ],
    }
    return {key: value for key, value in data.items() if value}


def personal_data_erase(user) -> None:
    # Interests and meetings cascade with the user; feedback they wrote keeps its outcome for
    # the programme's reports but loses its author (SET_NULL) and its free text.
    Feedback.objects.filter(author=user).update(comment="")
    return None
