"""Lead retrieval: company staff scan a candidate's ticket at their booth.

The ticket code is verified by checkin (the same signed code as at the door); fairs only
records that this person came to this company's booth, with their consent to share.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CandidateProfile, Company, User
from accounts.services import audit_log

from ..errors import FairError
from ..models import BoothBooking, BoothVisit, Fair
from ..permissions import is_member


def ticket_holder(*, code: str, fair: Fair) -> tuple[User, int]:
    """(the person, the ticket id) of a ticket code for this fair, verified by checkin.

    Raises FairError: bad_ticket (forged, malformed, cancelled) / wrong_fair.
    """
    try:
        from checkin.errors import CheckinError
        from checkin.models import Ticket
        from checkin.tickets import ticket_code_verify
    except ImportError:  # an installation whose checkin has no tickets yet: say so, never a 500
        raise FairError("scan_unavailable") from None

    try:
        claim = ticket_code_verify((code or "").strip())
    except CheckinError:
        raise FairError("bad_ticket") from None
    if int(claim.event_id) != fair.pk:
        raise FairError("wrong_fair")
    ticket = Ticket.objects.select_related("registration__user").filter(pk=claim.ticket_id).first()
    if ticket is None or getattr(ticket.registration, "status", "") != "confirmed":
        raise FairError("bad_ticket")
    return ticket.registration.user, ticket.pk


def visit_record(
    *, fair: Fair, company: Company, actor: User, visitor: User, ticket_id: int | None = None, now=None
) -> tuple[BoothVisit, bool]:
    """Record (or count again) `visitor` at `company`'s booth. Returns (visit, first time).

    The visit is shared with the company when the visitor's profile consents to sharing at the
    moment of the first scan; a later withdrawal sticks. Raises FairError: not_member / no_booth.
    """
    if not is_member(actor, company):
        raise FairError("not_member")
    booking = (
        BoothBooking.objects.filter(fair=fair, company=company, status=BoothBooking.Status.APPROVED)
        .order_by("pk")
        .first()
    )
    if booking is None:
        raise FairError("no_booth")
    now = now or timezone.now()
    consent = CandidateProfile.objects.filter(user=visitor, consent_share=True).exists()
    try:
        with transaction.atomic():
            visit = BoothVisit.objects.select_for_update().filter(fair=fair, company=company, visitor=visitor).first()
            created = visit is None
            if created:
                visit = BoothVisit.objects.create(
                    fair=fair,
                    company=company,
                    visitor=visitor,
                    booth_id=booking.booth_id,
                    ticket_id=ticket_id,
                    shared=consent,
                    scanned_by=actor,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            else:
                visit.last_seen_at, visit.scans = now, visit.scans + 1
                visit.save(update_fields=["last_seen_at", "scans"])
            audit_log(
                actor=actor,
                action="visit.scan",
                target=visit,
                data={"company": company.pk, "shared": visit.shared, "first": created},
            )
    except IntegrityError:
        # Two phones scanned the same person at the same instant: the other one recorded it.
        visit = BoothVisit.objects.get(fair=fair, company=company, visitor=visitor)
        created = False
    return visit, created


def visit_note_set(*, visit: BoothVisit, actor: User, note: str, rating: int | None) -> BoothVisit:
    """Staff keep a note and a 1–5 rating on a visitor who shares their profile."""
    if not is_member(actor, visit.company):
        raise FairError("not_member")
    if not visit.shared:
        raise FairError("not_shared")
    if rating is not None and not 1 <= rating <= 5:
        raise FairError("invalid", detail="rating")
    with transaction.atomic():
        visit = BoothVisit.objects.select_for_update().get(pk=visit.pk)
        visit.note, visit.rating = (note or "")[:2000], rating
        visit.save(update_fields=["note", "rating"])
        audit_log(actor=actor, action="visit.note", target=visit, data={"rating": rating})
    return visit


def visit_consent_withdraw(*, visit: BoothVisit, user: User) -> BoothVisit:
    """The visitor takes back what a company saw: it keeps only an anonymous count.

    The company's note and rating about the person go too: they are data about them.
    """
    if visit.visitor_id != user.pk:
        raise FairError("forbidden")
    with transaction.atomic():
        visit = BoothVisit.objects.select_for_update().get(pk=visit.pk)
        visit.shared, visit.note, visit.rating = False, "", None
        visit.save(update_fields=["shared", "note", "rating"])
        audit_log(actor=user, action="visit.withdraw", target=visit, data={"company": visit.company_id})
    return visit
