"""What projects holds about a person, for the export and the erasure of accounts."""

from __future__ import annotations

from .models import Project, TeamMember


def personal_data_export(user) -> dict:
    memberships = TeamMember.objects.filter(user=user).select_related("team")
    data = {
        "teams": [
            {
                "team": m.team.name,
                "lead": m.is_lead,
                "status": m.status,
                "joined_at": m.responded_at.isoformat() if m.responded_at else None,
            }
            for m in memberships
        ],
        "projects": [
            {"title": p.title, "status": p.status, "signed_on": p.signed_on.isoformat()}
            for p in Project.objects.filter(team__members__user=user).distinct()
        ],
    }
    return {key: value for key, value in data.items() if value}


def personal_data_erase(user) -> None:
    # Invitations sent to the person's address, not yet answered, would keep the e-mail after the
    # account is gone. Accepted memberships and led teams cascade with the user; a project keeps
    # its row (it counts for the programme) and loses the team through SET_NULL.
    TeamMember.objects.filter(user__isnull=True, email__iexact=user.email).delete()
