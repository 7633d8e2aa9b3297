"""Demo data for notifications, called by `manage.py load_demo` after the programme is loaded.

The registrations the loader makes produce their messages (confirmations, waiting-list
places, promotions) through the real services, after the loader's transaction commits; this
adds an organizer's announcement to the first upcoming event that has people with a seat,
so the inbox, the banner on the event page and the console's reach figures have something
to show. Idempotent (the loader only calls it when it loads the programme).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .announcements import announcement_send, segments_for
from .kinds import kinds_all
from .models import Announcement, EmailDelivery, Preference

BODY = "欢迎参加！请提前 15 分钟到场，凭电子票二维码签到；会场提供免费停车，地铁 2 号线可达。"
DEMO_DOMAIN = "@boju.local"


def _quiet_demo_mail() -> None:
    """The demo's own messages go to the inboxes but not to the console's mail output.

    They are written after the loader commits, so their e-mail choice is read then: the demo
    people are opted out of e-mail until the very last commit callback (ours, registered after
    all of theirs) restores their preferences, so e-mail works normally when someone tries the demo.
    """
    users = list(get_user_model().objects.filter(email__endswith=DEMO_DOMAIN).values_list("pk", flat=True))
    # Messages other apps' demos wrote inside the loader's transaction wait for its commit to send.
    EmailDelivery.objects.filter(status=EmailDelivery.Status.PENDING, notification__user_id__in=users).update(
        status=EmailDelivery.Status.SKIPPED, last_error="demo data"
    )
    keys = [k.key for k in kinds_all()]
    had = set(Preference.objects.filter(user_id__in=users).values_list("user_id", "kind"))
    added = [Preference(user_id=u, kind=k, email=False) for u in users for k in keys if (u, k) not in had]
    Preference.objects.bulk_create(added, batch_size=500, ignore_conflicts=True)

    def restore():
        rows = Preference.objects.filter(user_id__in=users, email=False).values_list("pk", "user_id", "kind")
        Preference.objects.filter(pk__in=[pk for pk, u, k in rows if (u, k) not in had]).delete()

    transaction.on_commit(restore)


def load(*, actor, event_ids: list[int]) -> Announcement | None:
    # --reset reloads the events under new ids; the old demo announcement would point nowhere.
    Announcement.objects.filter(author=actor, body=BODY).delete()
    registered = next((s for s in segments_for("event") if s.key == "registered"), None)
    sent = None
    for event_id in event_ids if registered else []:
        if registered.resolve(event_id):
            sent = announcement_send(actor=actor, kind="event", target_id=event_id, segment="registered", body=BODY)
            break
    _quiet_demo_mail()  # last: its commit callback must run after the announcement's delivery
    return sent
