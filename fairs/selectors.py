"""Reads: the live map's state, the fair directory, a company's bookings and visitors.

Each read runs a fixed number of queries whatever the number of booths (tested at 1 and 300).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Company

from .models import ACTIVE_BOOKING, Booth, BoothBooking, BoothVisit, Fair, Position, ShortlistEntry

Status = BoothBooking.Status


def _state(booth: Booth, booking: BoothBooking | None) -> dict:
    if booth.is_closed:
        status = "closed"
    elif booking is None:
        status = "free"
    else:
        status = "booked" if booking.status == Status.APPROVED else "held"
    return {
        "id": booth.pk, "hall": booth.hall_id, "code": booth.code, "x": booth.x, "y": booth.y,
        "w": booth.width, "h": booth.height, "size": booth.size, "zone": booth.zone,
        "status": status, "version": booth.version,
        # Only a confirmed booking names the company on the public map; a request is just "held".
        "company": booking.company.name if booking and status == "booked" else "",
        "company_id": booking.company_id if booking and status == "booked" else None,
    }


def booth_state(booth: Booth) -> dict:
    """One booth as the map shows it (the live push after a change)."""
    booking = (BoothBooking.objects.filter(booth=booth, status__in=ACTIVE_BOOKING)
               .select_related("company").only("status", "company_id", "company__name").first())
    return _state(booth, booking)


def map_snapshot(fair: Fair, user=None) -> dict:
    """Every hall and booth of the fair with its state; three queries (four for a company member)."""
    halls = [{"id": h.pk, "name": h.name, "columns": h.columns, "rows": h.rows,
              "image": h.image.url if h.image else ""} for h in fair.halls.all()]
    bookings = {b.booth_id: b for b in BoothBooking.objects.filter(fair=fair, status__in=ACTIVE_BOOKING)
                .select_related("company").only("booth_id", "status", "company_id", "company__name")}
    booths = [_state(b, bookings.get(b.pk)) for b in Booth.objects.filter(hall__fair=fair).order_by("hall_id", "code")]
    mine: list[int] = []
    if user is not None and user.is_authenticated and user.is_company_member:
        companies = set(Company.objects.filter(memberships__user=user).values_list("pk", flat=True))
        # The member's own requests are "held" for everyone else; the member sees they are theirs.
        mine = sorted(b.booth_id for b in bookings.values() if b.company_id in companies)
    return {"type": "fair.snapshot", "fair": fair.pk, "halls": halls, "booths": booths, "mine": mine,
            "booking_open": fair.booking_is_open()}


def directory(fair: Fair, *, discipline: str = "", industry: str = "", platform_kind: str = "", keyword: str = ""
              ) -> list[Company]:
    """Companies with a confirmed booth at the fair, each with `.booth_codes`, `.booth_ids` and
    `.fair_positions` (its positions shown at this fair), filtered. Three queries."""
    booked = BoothBooking.objects.filter(fair=fair, status=Status.APPROVED)
    companies = Company.objects.filter(pk__in=booked.values("company_id"))
    positions = Position.objects.filter(fairs=fair).order_by("title", "id")
    if industry:
        companies = companies.filter(industry=industry)
    if platform_kind:
        companies = companies.filter(platform_kind=platform_kind)
    if discipline:
        positions = positions.filter(discipline=discipline)
        companies = companies.filter(positions__fairs=fair, positions__discipline=discipline)
    if keyword:
        keyword = keyword.strip()[:60]
        positions_match = Position.objects.filter(fairs=fair).filter(
            Q(title__icontains=keyword) | Q(requirements__icontains=keyword)).values("company_id")
        companies = companies.filter(
            Q(name__icontains=keyword) | Q(description__icontains=keyword) | Q(pk__in=positions_match))
    companies = companies.distinct().order_by("name", "id").prefetch_related(
        Prefetch("positions", queryset=positions, to_attr="fair_positions"),
        Prefetch("booth_bookings", queryset=booked.select_related("booth").order_by("booth__code"), to_attr="fair_bookings"),
    )
    result = list(companies)
    for company in result:
        company.booth_codes = [b.booth.code for b in company.fair_bookings]
        company.booth_ids = [b.booth_id for b in company.fair_bookings]
    return result


def shortlist_ids(user, fair: Fair) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(ShortlistEntry.objects.filter(user=user, fair=fair).values_list("company_id", flat=True))


def company_bookings(companies: QuerySet[Company]) -> QuerySet[BoothBooking]:
    return (BoothBooking.objects.filter(company__in=companies)
            .select_related("fair__event", "booth__hall", "company").order_by("-created_at", "-id"))


def company_visits(company: Company, fair: Fair) -> tuple[list[BoothVisit], int]:
    """(visits the company may see by name, number of anonymous visits) at one fair."""
    visits = BoothVisit.objects.filter(company=company, fair=fair)
    shown = list(visits.filter(shared=True, visitor__candidate_profile__consent_share=True)
                 .select_related("visitor__candidate_profile", "scanned_by", "booth"))
    anonymous = visits.count() - len(shown)
    return shown, anonymous
