"""What challenges holds about a person, for the export and the erasure of accounts.

Everything a person wrote is an application they lead (its texts and PDF); they also follow
challenges and accept confidentiality statements. Members of someone else's team see the
application in their export too (it was written for them), marked as not theirs.
"""

from __future__ import annotations

from django.db import transaction

from projects.models import TeamMember

from .models import Application, ConfidentialityAcceptance, Follow


def personal_data_export(user) -> dict:
    teams = TeamMember.objects.filter(user=user, status=TeamMember.Status.ACCEPTED).values("team_id")
    applications = (
        Application.objects.filter(team_id__in=teams)
        .select_related("challenge__company", "team")
        .order_by("created_at")
    )
    data = {
        "challenge_applications": [
            {
                "challenge": a.challenge.title,
                "company": a.challenge.company.name,
                "team": a.team.name,
                "lead": a.team.lead_id == user.pk,
                "status": a.status,
                "proposal": a.proposal,
                "approach": a.approach,
                "timeline": a.timeline,
                "price_wan": str(a.price_wan),
                "share_cv": a.share_cv,
                "proposal_pdf": bool(a.proposal_pdf),
                "created_at": a.created_at.isoformat(),
            }
            for a in applications
        ],
        "challenge_follows": [
            {"challenge": f.challenge.title, "since": f.created_at.isoformat()}
            for f in Follow.objects.filter(user=user).select_related("challenge")
        ],
        "challenge_confidentiality": [
            {"challenge": c.challenge.title, "accepted_at": c.accepted_at.isoformat(), "statement": c.statement}
            for c in ConfidentialityAcceptance.objects.filter(user=user).select_related("challenge")
        ],
    }
    return {key: value for key, value in data.items() if value}


def personal_data_erase(user) -> None:
    # The rows of applications the person leads go with their teams (Team.lead cascades); their PDFs
    # are files, removed here after commit. A selected application's project stays (it counts) and
    # loses the team through SET_NULL. Follows and acceptances cascade with the user.
    applications = Application.objects.filter(team__lead=user).exclude(proposal_pdf="")
    names = list(applications.values_list("proposal_pdf", flat=True))
    Application.objects.filter(team__lead=user).delete()
    if names:
        storage = Application._meta.get_field("proposal_pdf").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
