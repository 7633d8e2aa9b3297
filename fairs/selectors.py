"""Reads: the live map's state, the fair directory, a company's bookings and visitors.

Each read runs a fixed number of queries whatever the number of booths (tested at 1 and 300).
"""

from __future__ import annotations

import json

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import _json_script_escapes

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


MAP_CACHE_SECONDS = 60  # also bounds how long a write that bypassed the services can go unseen


def _map_generation_key(fair_id: int) -> str:
    return f"fairs:map-gen:{fair_id}"


def map_cache_bump(fair_id: int, *, warm: bool = False) -> None:
    """Retire the cached map of a fair (called on commit of every booth or hall change).

    The cache key carries a generation number: a reader that computed an older map and stores
    it after this bump stores it under the old generation, where nobody looks any more.
    `warm`: store the new map at once, so the readers of a busy map do not all miss together
    and each rebuild it (the writer pays one rebuild instead).
    """
    key = _map_generation_key(fair_id)
    try:
        generation = cache.incr(key)
    except ValueError:  # no generation yet (or evicted): any fresh number retires the old maps
        generation = 1
        cache.set(key, generation, None)
    if warm:
        fair = Fair.objects.filter(pk=fair_id).first()
        if fair is not None:
            cache.set(f"fairs:map:{fair_id}:{generation}", _map_text(fair), MAP_CACHE_SECONDS)


def _public_map(fair: Fair) -> dict:
    halls = [{"id": h.pk, "name": h.name, "columns": h.columns, "rows": h.rows,
              "image": h.image.url if h.image else ""} for h in fair.halls.all()]
    bookings = {b.booth_id: b for b in BoothBooking.objects.filter(fair=fair, status__in=ACTIVE_BOOKING)
                .select_related("company").only("booth_id", "status", "company_id", "company__name")}
    booths = [_state(b, bookings.get(b.pk)) for b in Booth.objects.filter(hall__fair=fair).order_by("hall_id", "code")]
    return {"type": "fair.snapshot", "fair": fair.pk, "halls": halls, "booths": booths}


def public_map_json(fair: Fair) -> tuple[str, int]:
    """(the person-free map as JSON text, safe inside <script>; number of halls), cached.

    Three queries on a miss, none on a hit: under 50 readers and a booking every few seconds
    nearly every read is a hit.
    """
    generation = cache.get(_map_generation_key(fair.pk)) or 0
    key = f"fairs:map:{fair.pk}:{generation}"
    cached = cache.get(key)
    if cached is None:
        cached = _map_text(fair)
        cache.set(key, cached, MAP_CACHE_SECONDS)
    return cached


def _map_text(fair: Fair) -> tuple[str, int]:
    data = _public_map(fair)
    # Escaped like json_script, so the same text serves the JSON endpoint and the page.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_json_script_escapes)
    return text, len(data["halls"])


def my_booth_ids(fair: Fair, user) -> list[int]:
    """Booths the member's companies hold (requested or approved) at this fair; one query."""
    if user is None or not user.is_authenticated or not user.is_company_member:
        return []
    return sorted(BoothBooking.objects.filter(fair=fair, status__in=ACTIVE_BOOKING,
                                              company__memberships__user=user).values_list("booth_id", flat=True))


def map_snapshot_json(fair: Fair, user=None, public: tuple[str, int] | None = None) -> str:
    """The map snapshot a page loads on every (re)connect: the cached public map (`public`, when
    the caller has it already) plus the viewer's own booths and whether booking is open."""
    text, _halls = public or public_map_json(fair)
    extra = json.dumps({"mine": my_booth_ids(fair, user), "booking_open": fair.booking_is_open()})
    return text[:-1] + "," + extra[1:]


def map_snapshot(fair: Fair, user=None) -> dict:
    return json.loads(map_snapshot_json(fair, user))


def directory(fair: Fair, *, discipline: str = "", industry: str = "", platform_kind: str = "", keyword: str = ""
              ) -> list[Company]:
    """Companies with a confirmed booth at the fair, each with `.booth_codes`, `.booth_ids` and
    `.fair_positions` (its positions shown at this fair), filtered. Three queries."""
    booked = BoothBooking.objects.filter(fair=fair, status=Status.APPROVED)
    companies = Company.objects.filter(pk__in=booked.values("company_id"))
    # A position whose deadline has passed is no longer offered at the fair.
    positions = (Position.objects.filter(fairs=fair).exclude(deadline__lt=timezone.localdate())
                 .order_by("title", "id"))
    if industry:
        companies = companies.filter(industry=industry)
    if platform_kind:
        companies = companies.filter(platform_kind=platform_kind)
    if discipline:
        positions = positions.filter(discipline=discipline)
        companies = companies.filter(pk__in=positions.values("company_id"))
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
