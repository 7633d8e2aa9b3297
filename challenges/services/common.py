"""Helpers the challenge services share: parsing amounts and dates, who to tell, the search text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.disciplines import DISCIPLINES
from accounts.models import CompanyMembership
from events.models import EventTeamMember
from projects.services import team_member_ids

from ..errors import ChallengeError
from ..models import Challenge, District
from ..search import search_text_build

MAX_WAN = Decimal("100000")
_DISCIPLINE_LABELS = dict(DISCIPLINES)


def wan(value, *, code: str) -> Decimal:
    """An amount in 万元 from a form: a finite number from 0 to 100000, two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ChallengeError(code) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_WAN:
        raise ChallengeError(code)
    return amount.quantize(Decimal("0.01"))


def search_text_for(challenge: Challenge) -> str:
    # Only public fields: a confidential problem must not be findable word by word.
    return search_text_build(
        challenge.title,
        challenge.summary,
        challenge.keywords.replace(",", " ").replace("，", " "),
        challenge.company.name,
        str(_DISCIPLINE_LABELS.get(challenge.discipline, "")),
        str(District(challenge.district).label) if challenge.district in District.values else "",
    )


def company_user_ids(company_id: int) -> list[int]:
    return list(CompanyMembership.objects.filter(company_id=company_id).values_list("user_id", flat=True))


def reviewer_ids(series_id: int) -> list[int]:
    """Head office (and superusers) plus the organizers editing an event of the series."""
    User = get_user_model()
    head = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True)
        | (
            Q(role=User.Role.ORGANIZER)
            & (Q(user_permissions__codename="manage_all_events") | Q(groups__permissions__codename="manage_all_events"))
        )
    )
    team = EventTeamMember.objects.filter(
        event__series_id=series_id, can_edit=True, user__role=User.Role.ORGANIZER
    ).values_list("user_id", flat=True)
    return sorted(set(head.values_list("pk", flat=True)) | set(team))


def team_ids(application) -> list[int]:
    return team_member_ids(application.team)


def context_of(challenge: Challenge, **extra) -> dict:
    return {
        "challenge": challenge.title,
        "challenge_id": challenge.pk,
        "company": challenge.company.name,
        "target": f"challenge:{challenge.pk}",
        "url": challenge.get_absolute_url(),
        **extra,
    }
