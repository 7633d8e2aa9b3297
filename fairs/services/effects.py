"""What the fairs services do after commit: live map pushes and notifications (DESIGN §5.4).

Payloads are computed inside the transaction, under the booth lock, so their `version` orders
them exactly; they are only sent once the transaction commits.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse

from notifications import live

from ..models import Booth, BoothBooking, Fair
from ..selectors import booth_state, map_cache_bump

logger = logging.getLogger(__name__)


def group_fair(fair_id: int) -> str:
    return f"fair.{int(fair_id)}"


def booth_changed(fair: Fair, booth: Booth) -> None:
    payload = {"type": "fair.booth", "fair": fair.pk, "booth": booth_state(booth)}
    group = group_fair(fair.pk)
    fair_id = fair.pk

    def after_commit():
        # First: a page that re-syncs on the push must not get the old map.
        try:
            map_cache_bump(fair_id, warm=True)
        except Exception:  # the cache is an optimisation; the push must still go out
            logger.exception("map cache refresh for fair %s failed", fair_id)
        live.publish(group, payload)

    transaction.on_commit(after_commit)


def booking_notify(booking: BoothBooking, what: str, **extra) -> None:
    """Tell the company's members about a decision, or the fair's organizers about a request.

    Called inside the service's transaction: notifications.notify writes the notice now and
    sends it (push, e-mail) only after commit, so a rolled-back booking tells nobody.
    """
    from django.contrib.auth import get_user_model

    try:
        from notifications.services import notify_many
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
    users = list(users.distinct())
    if not users:
        return
    context = {"event_id": event.pk, "event": event.title, "booth": booking.booth.code,
               "company": booking.company.name, "url": url, "target": f"booking:{booking.pk}", **extra}
    try:
        notify_many(users=users, kind=f"booth.{what}", context=context)
    except LookupError:  # kind not registered (notifications older than fairs): the booking stands
        logger.warning("notification kind booth.%s is not registered", what)
