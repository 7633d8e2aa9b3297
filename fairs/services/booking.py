"""Booth bookings: a company asks, the fair confirms at once or an organizer decides.

Locking order, everywhere: the company row (its quota), then booth rows by ascending id. A
booth's row lock makes "is it free?" and the insert one step; the partial unique constraint
`booking_one_active_per_booth` backs it, so even a path that forgot the lock cannot double-book.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Company, User
from accounts.services import audit_log

from ..errors import FairError
from ..models import ACTIVE_BOOKING, Booth, BoothBooking, Fair
from ..permissions import fair_can_manage, is_member
from . import effects

Status = BoothBooking.Status


def _lock_booth(pk: int) -> Booth:
    # of=self: without it PostgreSQL also locks the joined hall row, serialising a whole hall.
    return Booth.objects.select_for_update(of=("self",)).select_related("hall").get(pk=pk)


def _lock_company(pk: int) -> Company:
    return Company.objects.select_for_update().get(pk=pk)


def _booth_taken(booth: Booth) -> bool:
    return BoothBooking.objects.filter(booth=booth, status__in=ACTIVE_BOOKING).exists()


def _active_count(fair: Fair, company: Company) -> int:
    return BoothBooking.objects.filter(fair=fair, company=company, status__in=ACTIVE_BOOKING).count()


def _bump(booth: Booth) -> None:
    booth.version += 1
    booth.save(update_fields=["version"])


def booth_book(*, booth: Booth, company: Company, actor: User, now=None) -> BoothBooking:
    """Ask for `booth` on behalf of `company`: approved at once, or requested when the fair
    wants approval.

    On commit: the map of the fair is updated live; organizers (approval) or the company
    (instant) are notified, by a Celery task (notify_later). Raises FairError: not_member /
    not_verified / closed / booth_closed / over_quota / taken.
    """
    if not is_member(actor, company):
        raise FairError("not_member")
    if not company.is_verified:
        raise FairError("not_verified")
    fair = Fair.objects.select_related("event").get(pk=booth.hall.fair_id)
    if not fair.booking_is_open(now):
        raise FairError("closed")
    try:
        with transaction.atomic():
            # The company row first: two of its people booking two booths at once count one quota.
            _lock_company(company.pk)
            booth = _lock_booth(booth.pk)
            if booth.is_closed:
                raise FairError("booth_closed")
            if _booth_taken(booth):
                raise FairError("taken")
            if _active_count(fair, company) >= fair.booths_per_company:
                raise FairError("over_quota", quota=fair.booths_per_company)
            instant = not fair.approval_required
            booking = BoothBooking.objects.create(
                fair=fair,
                booth=booth,
                company=company,
                requested_by=actor,
                status=Status.APPROVED if instant else Status.REQUESTED,
                decided_at=timezone.now() if instant else None,
            )
            _bump(booth)
            audit_log(
                actor=actor,
                action="booth.book" if instant else "booth.request",
                target=booking,
                data={"booth": booth.code, "company": company.pk},
            )
            effects.booth_changed(fair, booth, booking)
            effects.booking_notify(booking, "booked" if instant else "requested", later=True)
    except IntegrityError:
        # Only reachable without the lock (the constraint is the backstop): same answer.
        raise FairError("taken") from None
    return booking


def _lock_booking(booking: BoothBooking) -> tuple[BoothBooking, Booth]:
    """Lock the booking's company and booth, in the global order, and re-read the booking."""
    _lock_company(booking.company_id)
    booth = _lock_booth(booking.booth_id)
    booking = BoothBooking.objects.select_related("fair__event", "company", "booth").get(pk=booking.pk)
    return booking, booth


def _require_manager(actor: User, fair: Fair) -> None:
    if not fair_can_manage(actor, fair):
        raise FairError("forbidden")


def booking_decide(*, booking: BoothBooking, actor: User, approve: bool) -> BoothBooking:
    """An organizer approves or rejects a requested booking.

    On commit: the map updates live and the company is notified.
    Raises FairError: forbidden / not_requested.
    """
    _require_manager(actor, booking.fair)
    with transaction.atomic():
        booking, booth = _lock_booking(booking)
        if booking.status != Status.REQUESTED:
            raise FairError("not_requested")
        booking.status = Status.APPROVED if approve else Status.REJECTED
        booking.decided_by, booking.decided_at = actor, timezone.now()
        booking.save(update_fields=["status", "decided_by", "decided_at"])
        _bump(booth)
        audit_log(
            actor=actor,
            action="booth.approve" if approve else "booth.reject",
            target=booking,
            data={"booth": booth.code, "company": booking.company_id},
        )
        effects.booth_changed(booking.fair, booth)
        effects.booking_notify(booking, "approved" if approve else "rejected")
    return booking


def booking_cancel(*, booking: BoothBooking, actor: User) -> BoothBooking:
    """The company (one of its members) or an organizer of the fair gives the booth back.

    On commit: the map updates live; the company is notified when an organizer cancelled.
    Raises FairError: forbidden / not_active.
    """
    by_organizer = fair_can_manage(actor, booking.fair)
    if not by_organizer and not is_member(actor, booking.company):
        raise FairError("forbidden")
    with transaction.atomic():
        booking, booth = _lock_booking(booking)
        if booking.status not in ACTIVE_BOOKING:
            raise FairError("not_active")
        booking.status = Status.CANCELLED
        booking.decided_by, booking.decided_at = actor, timezone.now()
        booking.save(update_fields=["status", "decided_by", "decided_at"])
        _bump(booth)
        audit_log(
            actor=actor,
            action="booth.cancel",
            target=booking,
            data={"booth": booth.code, "company": booking.company_id, "by_organizer": by_organizer},
        )
        effects.booth_changed(booking.fair, booth)
        if by_organizer:
            effects.booking_notify(booking, "cancelled")
    return booking


def booking_move(*, booking: BoothBooking, to_booth: Booth, actor: User) -> BoothBooking:
    """An organizer moves a company's (requested or approved) booking to another free booth.

    On commit: both booths update live and the company is notified.
    Raises FairError: forbidden / not_active / same_booth / booth_closed / taken / invalid.
    """
    _require_manager(actor, booking.fair)
    if to_booth.pk == booking.booth_id:
        raise FairError("same_booth")
    if to_booth.hall.fair_id != booking.fair_id:
        raise FairError("invalid", detail="booth")
    try:
        with transaction.atomic():
            _lock_company(booking.company_id)
            first, second = sorted([booking.booth_id, to_booth.pk])
            locked = {pk: _lock_booth(pk) for pk in (first, second)}
            old, new = locked[booking.booth_id], locked[to_booth.pk]
            booking = BoothBooking.objects.select_related("fair__event", "company").get(pk=booking.pk)
            if booking.status not in ACTIVE_BOOKING:
                raise FairError("not_active")
            if new.is_closed:
                raise FairError("booth_closed")
            if _booth_taken(new):
                raise FairError("taken")
            booking.booth = new
            booking.save(update_fields=["booth"])
            _bump(old)
            _bump(new)
            audit_log(
                actor=actor,
                action="booth.move",
                target=booking,
                data={"from": old.code, "to": new.code, "company": booking.company_id},
            )
            # One version bump and one map rebuild for both booths.
            effects.map_changed(
                booking.fair_id, effects.booth_message(booking.fair, old), effects.booth_message(booking.fair, new)
            )
            effects.booking_notify(booking, "moved", previous=old.code)
    except IntegrityError:
        raise FairError("taken") from None
    return booking
