"""What the fairs services do after commit: live map pushes and notifications (DESIGN §5.4).

Payloads are computed inside the transaction, under the booth lock, so their `version` orders
them exactly; they are only sent once the transaction commits.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.urls import reverse

from notifications import live

from ..models import Booth, BoothBooking, Fair
from ..selectors import booth_state, map_cache_warm, map_stamp_bump

logger = logging.getLogger(__name__)


def group_fair(fair_id: int) -> str:
    return f"fair.{int(fair_id)}"


def map_version_bump(fair_id: int) -> int | None:
    """Raise the fair's map version, retiring every cached map of it; the new version.

    Call on commit: the version is raised after the change is visible, so whoever reads the
    new version and builds the map sees the change. Bumping inside the booking's transaction
    instead would lock the fair row there and queue every booking of the fair behind it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Fair._meta.db_table} SET map_version = map_version + 1 "
            f"WHERE {Fair._meta.pk.column} = %s RETURNING map_version",
            [fair_id],
        )
        row = cursor.fetchone()
    map_stamp_bump(fair_id)  # after the new version is visible: readers re-read the fair row
    return row[0] if row else None


def map_changed(fair_id: int, *messages: tuple[str, dict]) -> None:
    """On commit: retire the cached map, push `messages` to the open maps, then build the new
    map once for every process (after the push, so the build does not delay it)."""

    def after_commit():
        version = None
        try:
            version = map_version_bump(fair_id)  # first: a page that re-syncs on the push gets the new map
        except Exception:  # the push must still go out; the cache expires on its own
            logger.exception("map version bump for fair %s failed", fair_id)
        for group, payload in messages:
            live.publish(group, payload)
        if version is not None:
            try:
                map_cache_warm(fair_id, version)
            except Exception:  # an optimisation: readers build it themselves
                logger.exception("map cache warm-up for fair %s failed", fair_id)

    transaction.on_commit(after_commit)


def booth_message(fair: Fair, booth: Booth, booking: BoothBooking | None = None) -> tuple[str, dict]:
    """The push of a booth's new state, computed now (under the booth lock, so its version
    orders it). `booking`: its active booking when the caller has it (saves the query)."""
    return group_fair(fair.pk), {"type": "fair.booth", "fair": fair.pk, "booth": booth_state(booth, booking)}


def booth_changed(fair: Fair, booth: Booth, booking: BoothBooking | None = None) -> None:
    """A booth's new state goes to every open map of the fair on commit."""
    map_changed(fair.pk, booth_message(fair, booth, booking))


def booking_notify(booking: BoothBooking, what: str, *, later: bool = False, **extra) -> None:
    """Tell the company's members about a decision, or the fair's organizers about a request.

    Called inside the service's transaction. Default: notifications.notify_many writes the
    notice now and sends it (push, e-mail) only after commit. `later`: the notice is written
    after commit by a Celery task (notify_later), for the hot path where companies race for
    booths and the booking request should only book. Either way a rolled-back booking tells
    nobody.
    """
    from django.contrib.auth import get_user_model

    try:
        from notifications.services import notify_later, notify_many
    except ImportError:  # an installation without the notifications app's services
        return
    User = get_user_model()
    event = booking.fair.event
    if what == "requested":
        users = User.objects.filter(event_teams__event=event, event_teams__can_edit=True, is_active=True)
        url = reverse("fairs:console_bookings", args=[event.pk])
    else:
        users = User.objects.filter(company_memberships__company_id=booking.company_id, is_active=True)
        url = reverse("fairs:company_bookings")
    context = {
        "event_id": event.pk,
        "event": event.title,
        "booth": booking.booth.code,
        "company": booking.company.name,
        "url": url,
        "target": f"booking:{booking.pk}",
        **extra,
    }
    try:
        if later:
            notify_later(
                user_ids=list(users.values_list("pk", flat=True).distinct()), kind=f"booth.{what}", context=context
            )
            return
        users = list(users.distinct())
        if users:
            notify_many(users=users, kind=f"booth.{what}", context=context)
    except LookupError:  # kind not registered (notifications older than fairs): the booking stands
        logger.warning("notification kind booth.%s is not registered", what)
