"""Reads: the live map's state, the fair directory, a company's bookings and visitors.

Each read runs a fixed number of queries whatever the number of booths (tested at 1 and 300).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.html import _json_script_escapes

from accounts.models import Company

from .models import ACTIVE_BOOKING, Booth, BoothBooking, BoothVisit, Fair, Hall, Position, ShortlistEntry

Status = BoothBooking.Status
logger = logging.getLogger(__name__)


# What the map shows of a booth; read with .values() for the whole map (no model instances).
_BOOTH_FIELDS = ("id", "hall_id", "code", "x", "y", "width", "height", "size", "zone", "is_closed", "version")


def _state(booth: dict, booking: tuple[str, int, str] | None) -> dict:
    """`booth`: its _BOOTH_FIELDS; `booking`: (status, company id, company name) of its active booking."""
    if booth["is_closed"]:
        status = "closed"
    elif booking is None:
        status = "free"
    else:
        status = "booked" if booking[0] == Status.APPROVED else "held"
    # Only a confirmed booking names the company on the public map; a request is just "held".
    named = status == "booked"
    return {
        "id": booth["id"],
        "hall": booth["hall_id"],
        "code": booth["code"],
        "x": booth["x"],
        "y": booth["y"],
        "w": booth["width"],
        "h": booth["height"],
        "size": booth["size"],
        "zone": booth["zone"],
        "status": status,
        "version": booth["version"],
        "company": booking[2] if named else "",
        "company_id": booking[1] if named else None,
    }


def booth_state(booth: Booth, booking: BoothBooking | None = None) -> dict:
    """One booth as the map shows it (the live push after a change). `booking`: the booth's
    active booking with its company, when the caller has it; otherwise one query finds it."""
    if booking is None:
        active = (
            BoothBooking.objects.filter(booth=booth, status__in=ACTIVE_BOOKING)
            .values_list("status", "company_id", "company__name")
            .first()
        )
    else:
        active = (booking.status, booking.company_id, booking.company.name)
    return _state({field: getattr(booth, field) for field in _BOOTH_FIELDS}, active)


MAP_CACHE_SECONDS = 60  # also bounds how long a write that bypassed the services can go unseen
LOCAL_MAPS = 32  # fairs whose map one process keeps (a few are live at once; ~50 KB each at 300 booths)


@dataclass(frozen=True)
class PublicMap:
    """The person-free map of a fair as of `version` (Fair.map_version): JSON text escaped like
    json_script, so the same text serves map.json and the page's <script> block."""

    fair_id: int
    version: int
    text: str
    halls: int
    digest: str  # of `text`; the ETag is built from it
    built_at: float  # time.time() of the build, wherever it happened

    def fresh_for(self, version: int) -> bool:
        return self.version == version and time.time() - self.built_at < MAP_CACHE_SECONDS


# Per process: under 50 readers a second the map is read far more often than it changes, and a
# hit here costs neither a query (the version came with the fair row) nor a Redis round trip.
_local: dict[int, PublicMap] = {}
# Readers that miss together wait for one build instead of each running it (striped by fair).
_build_locks = [threading.Lock() for _ in range(16)]


def _shared_key(fair_id: int, version: int) -> str:
    return f"fairs:map:{fair_id}:{version}"


def public_map(fair: Fair) -> PublicMap:
    """The map of `fair` as of its map_version: from this process, else from the shared cache
    (Redis in production, filled by the writer), else built with three queries."""
    entry = _local.get(fair.pk)
    if entry is not None and entry.fresh_for(fair.map_version):
        return entry
    with _build_locks[fair.pk % len(_build_locks)]:
        entry = _local.get(fair.pk)
        if entry is None or not entry.fresh_for(fair.map_version):
            entry = _shared_get(fair.pk, fair.map_version)
            if entry is None:
                entry = _map_build(fair.pk, fair.map_version)
                _shared_set(entry)
            _remember(entry)
    return entry


# --- the fair row of the public map pages, per process --------------------------------------
# The map page and map.json first need the fair (with its event: status, booking window). Read
# from PostgreSQL on every request, that was the last query of a map read. Each process keeps
# the row, tagged with the fair's stamp: a random token in the shared cache (Redis), replaced
# on commit by whatever changes what the pages show (the map's version bump, a save of the fair
# or its event: fairs.apps connects the signals). A reader fetches the stamp (one Redis GET,
# read before the database so a change committed meanwhile is caught on the next request) and
# uses its copy while the stamp is the same; MAP_CACHE_SECONDS bounds how long a write that
# bypassed all of these (a queryset update) can go unseen, as for the map itself.
STAMP_SECONDS = 24 * 3600
_fairs: dict[int, tuple[str, float, Fair]] = {}  # fair id -> (stamp, loaded at, fair with its event)


def _stamp_key(fair_id: int) -> str:
    return f"fairs:stamp:{fair_id}"


def _stamp(fair_id: int) -> str | None:
    """The fair's current stamp (created if the shared cache has none); None if unreachable."""
    key = _stamp_key(fair_id)
    try:
        stamp = cache.get(key)
        if stamp is None:
            cache.add(key, secrets.token_hex(8), STAMP_SECONDS)  # add: two first readers agree
            stamp = cache.get(key)
    except Exception:  # the shared cache is an optimisation: read the database instead
        logger.warning("map stamp read for fair %s failed", fair_id, exc_info=True)
        return None
    return stamp


def map_stamp_bump(fair_id: int) -> None:
    """What the map pages show of this fair changed: this process forgets its copy now (a
    rollback only costs a re-read), every process re-reads the row once the change commits."""
    _fairs.pop(fair_id, None)

    def bump():
        _fairs.pop(fair_id, None)
        try:
            cache.set(_stamp_key(fair_id), secrets.token_hex(8), STAMP_SECONDS)
        except Exception:  # readers then fall back to the database or the time bound
            logger.warning("map stamp bump for fair %s failed", fair_id, exc_info=True)

    transaction.on_commit(bump)


def fair_for_map(fair_id: int) -> Fair | None:
    """The fair with its event for the public map pages: this process's copy while the fair's
    stamp is unchanged (no query), else one query. A copy per call: views may set attributes."""
    stamp = _stamp(fair_id)
    held = _fairs.get(fair_id)
    if stamp is not None and held is not None and held[0] == stamp and time.time() - held[1] < MAP_CACHE_SECONDS:
        fair = copy.copy(held[2])
        fair.event = copy.copy(held[2].event)
        fair.held_as = (stamp, held[1])  # which copy of the row this is (map_page_cached keys on it)
        return fair
    loaded_at = time.time()
    try:
        # get(), not filter().first(): no ORDER BY to compile and run on the map's hottest query.
        fair = Fair.objects.select_related("event").get(pk=fair_id)
    except Fair.DoesNotExist:
        return None
    if stamp is not None:
        if fair_id not in _fairs and len(_fairs) >= LOCAL_MAPS:
            _fairs.pop(min(list(_fairs.items()), key=lambda item: item[1][1])[0], None)
        _fairs[fair_id] = (stamp, loaded_at, copy.copy(fair))
    return fair


def fair_cache_clear() -> None:
    _fairs.clear()
    _pages.clear()


# --- the signed-out map page, per process -----------------------------------------------------
# Its template is most of a map page's CPU (1.75 ms in-process against 0.65 ms for map.json),
# and for signed-out visitors it is the same page but for the CSRF token (config/pages.py). Kept
# under what it shows: the copy of the fair row it was rendered from (its stamp and load time:
# any change of the fair, its event or its map makes a new copy), the map's version and build
# time (a map rebuilt after MAP_CACHE_SECONDS, for a write that bypassed the services, is a new
# page too), the language and whether booking is open (a matter of the clock, not of a write).
PAGES_MAX = 4 * LOCAL_MAPS
_pages: dict[tuple, str] = {}


def map_page_cached(fair: Fair, public: PublicMap, render) -> str:
    """The signed-out map page of `fair`: this process's copy, or `render()` -> (HTML, whether
    it may be kept). Rendered each time when the fair row was not a held copy (the shared cache
    unreachable, or just loaded)."""
    held_as = getattr(fair, "held_as", None)
    if held_as is None:
        return render()[0]
    key = (fair.pk, held_as, public.version, public.built_at, translation.get_language(), fair.booking_is_open())
    page = _pages.get(key)
    if page is None:
        page, keep = render()
        if keep:
            if len(_pages) >= PAGES_MAX:
                _pages.clear()  # old versions are never asked for again; start over
            _pages[key] = page
    return page


def map_cache_warm(fair_id: int, version: int) -> None:
    """Build the map of a fair that has just changed and share it (called by the writer on
    commit, after the push), so the readers of every process fetch it instead of rebuilding it."""
    entry = _map_build(fair_id, version)
    _shared_set(entry)
    _remember(entry)


def map_cache_clear() -> None:
    """Forget this process's maps, fair rows and pages (the shared cache is cleared with Django's cache)."""
    _local.clear()
    _fairs.clear()
    _pages.clear()


def _remember(entry: PublicMap) -> None:
    current = _local.get(entry.fair_id)
    if current is not None and current.version > entry.version:
        return  # a reader holding an older fair row must not push out the newer map
    if entry.fair_id not in _local and len(_local) >= LOCAL_MAPS:
        oldest = min(list(_local.values()), key=lambda e: e.built_at)  # a copy: other threads write too
        _local.pop(oldest.fair_id, None)
    _local[entry.fair_id] = entry


def _shared_get(fair_id: int, version: int) -> PublicMap | None:
    try:
        entry = cache.get(_shared_key(fair_id, version))
    except Exception:  # the shared cache is an optimisation: build instead
        logger.warning("map cache read for fair %s failed", fair_id, exc_info=True)
        return None
    return entry if isinstance(entry, PublicMap) and entry.fresh_for(version) else None


def _shared_set(entry: PublicMap) -> None:
    try:
        cache.set(_shared_key(entry.fair_id, entry.version), entry, MAP_CACHE_SECONDS)
    except Exception:
        logger.warning("map cache write for fair %s failed", entry.fair_id, exc_info=True)


def _public_map(fair_id: int) -> dict:
    halls = [
        {"id": h.pk, "name": h.name, "columns": h.columns, "rows": h.rows, "image": h.image.url if h.image else ""}
        for h in Hall.objects.filter(fair_id=fair_id)
    ]
    bookings = {
        booth_id: rest
        for booth_id, *rest in BoothBooking.objects.filter(fair_id=fair_id, status__in=ACTIVE_BOOKING).values_list(
            "booth_id", "status", "company_id", "company__name"
        )
    }
    booths = [
        _state(b, bookings.get(b["id"]))
        for b in Booth.objects.filter(hall__fair_id=fair_id).order_by("hall_id", "code").values(*_BOOTH_FIELDS)
    ]
    return {"type": "fair.snapshot", "fair": fair_id, "halls": halls, "booths": booths}


def _script_safe(text: str) -> str:
    """What json_script escapes (<, >, &), so the text can sit inside <script>. str.replace:
    str.translate with Django's table takes 1.5 ms on a 300-booth map, this 0.03 ms."""
    for char, escaped in _json_script_escapes.items():
        text = text.replace(chr(char), escaped)
    return text


def _map_build(fair_id: int, version: int) -> PublicMap:
    """Read after `version` was current, so it holds every change whose bump came before."""
    built_at = time.time()
    data = _public_map(fair_id)
    text = _script_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    digest = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    return PublicMap(fair_id, version, text, len(data["halls"]), digest, built_at)


def my_booth_ids(fair: Fair, user) -> list[int]:
    """Booths the member's companies hold (requested or approved) at this fair; one query."""
    if user is None or not user.is_authenticated or not user.is_company_member:
        return []
    return sorted(
        BoothBooking.objects.filter(fair=fair, status__in=ACTIVE_BOOKING, company__memberships__user=user).values_list(
            "booth_id", flat=True
        )
    )


def map_snapshot_json(fair: Fair, user=None, public: PublicMap | None = None) -> tuple[str, str]:
    """(the snapshot a page loads on every (re)connect, its ETag): the cached public map
    (`public`, when the caller has it already) plus the viewer's own booths and whether booking
    is open. The ETag covers both parts, so a 304 is only ever sent for identical bytes."""
    public = public or public_map(fair)
    extra = json.dumps({"mine": my_booth_ids(fair, user), "booking_open": fair.booking_is_open()})
    etag = f'"{public.digest}-{hashlib.blake2b(extra.encode(), digest_size=4).hexdigest()}"'
    return public.text[:-1] + "," + extra[1:], etag


def map_snapshot(fair: Fair, user=None) -> dict:
    return json.loads(map_snapshot_json(fair, user)[0])


def directory(
    fair: Fair, *, discipline: str = "", industry: str = "", platform_kind: str = "", keyword: str = ""
) -> list[Company]:
    """Companies with a confirmed booth at the fair, each with `.booth_codes`, `.booth_ids` and
    `.fair_positions` (its positions shown at this fair), filtered. Three queries."""
    booked = BoothBooking.objects.filter(fair=fair, status=Status.APPROVED)
    companies = Company.objects.filter(pk__in=booked.values("company_id"))
    # A position whose deadline has passed is no longer offered at the fair.
    positions = Position.objects.filter(fairs=fair).exclude(deadline__lt=timezone.localdate()).order_by("title", "id")
    if industry:
        companies = companies.filter(industry=industry)
    if platform_kind:
        companies = companies.filter(platform_kind=platform_kind)
    if discipline:
        positions = positions.filter(discipline=discipline)
        companies = companies.filter(pk__in=positions.values("company_id"))
    if keyword:
        keyword = keyword.strip()[:60]
        positions_match = (
            Position.objects.filter(fairs=fair)
            .filter(Q(title__icontains=keyword) | Q(requirements__icontains=keyword))
            .values("company_id")
        )
        companies = companies.filter(
            Q(name__icontains=keyword) | Q(description__icontains=keyword) | Q(pk__in=positions_match)
        )
    companies = (
        companies.distinct()
        .order_by("name", "id")
        .prefetch_related(
            Prefetch("positions", queryset=positions, to_attr="fair_positions"),
            Prefetch(
                "booth_bookings",
                queryset=booked.select_related("booth").order_by("booth__code"),
                to_attr="fair_bookings",
            ),
        )
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
    return (
        BoothBooking.objects.filter(company__in=companies)
        .select_related("fair__event", "booth__hall", "company")
        .order_by("-created_at", "-id")
    )


def company_visits(company: Company, fair: Fair) -> tuple[list[BoothVisit], int]:
    """(visits the company may see by name, number of anonymous visits) at one fair."""
    visits = BoothVisit.objects.filter(company=company, fair=fair)
    shown = list(
        visits.filter(shared=True, visitor__candidate_profile__consent_share=True).select_related(
            "visitor__candidate_profile", "scanned_by", "booth"
        )
    )
    anonymous = visits.count() - len(shown)
    return shown, anonymous
