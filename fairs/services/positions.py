"""Companies post positions and show them at the fairs where they hold a booth; candidates
keep a shortlist of companies for the day."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Company, User
from accounts.services import audit_log

from ..errors import FairError
from ..models import BoothBooking, Fair, Position, ShortlistEntry
from ..permissions import is_member

POSITION_FIELDS = (
    "title",
    "discipline",
    "headcount",
    "salary_min",
    "salary_max",
    "location",
    "requirements",
    "deadline",
)


def fairs_with_booth(company: Company):
    """The fairs where `company` holds an approved booth (where its positions may be shown)."""
    return Fair.objects.filter(bookings__company=company, bookings__status=BoothBooking.Status.APPROVED).distinct()


def position_save(
    *, company: Company, actor: User, data: dict[str, Any], fairs=(), position: Position | None = None
) -> Position:
    """Create or change a position and the fairs it is shown at.

    Raises FairError: not_member / not_verified / no_booth (a fair without the company's booth) / invalid.
    """
    if not is_member(actor, company):
        raise FairError("not_member")
    if not company.is_verified:
        raise FairError("not_verified")
    allowed = set(fairs_with_booth(company).values_list("pk", flat=True))
    fair_ids = {fair.pk for fair in fairs}
    if fair_ids - allowed:
        raise FairError("no_booth")
    with transaction.atomic():
        if position is None:
            position = Position(company=company)
        elif position.company_id != company.pk:
            raise FairError("not_member")
        for field in POSITION_FIELDS:
            if field in data:
                setattr(position, field, data[field])
        try:
            position.full_clean(exclude=["fairs"])
        except ValidationError as error:
            raise FairError("invalid", detail="; ".join(error.messages)) from None
        created = position.pk is None
        position.save()
        position.fairs.set(sorted(fair_ids))
        audit_log(
            actor=actor,
            action="position.create" if created else "position.update",
            target=position,
            data={"fairs": sorted(fair_ids)},
        )
    return position


def position_delete(*, position: Position, actor: User) -> None:
    if not is_member(actor, position.company):
        raise FairError("not_member")
    with transaction.atomic():
        audit_log(actor=actor, action="position.delete", target=position)
        position.delete()


def shortlist_toggle(*, user: User, fair: Fair, company: Company) -> bool:
    """Add the company to the person's shortlist for the fair, or take it off. True: now listed."""
    if not user.is_authenticated:
        raise FairError("forbidden")
    if not BoothBooking.objects.filter(fair=fair, company=company, status=BoothBooking.Status.APPROVED).exists():
        raise FairError("no_booth")
    with transaction.atomic():
        deleted, _ = ShortlistEntry.objects.filter(user=user, fair=fair, company=company).delete()
        if deleted:
            return False
        ShortlistEntry.objects.get_or_create(user=user, fair=fair, company=company)
    return True
