"""What notifications holds about a person, for the export and the erasure of accounts (DESIGN §8).

Registered with accounts in NotificationsConfig.ready(). The export shows messages as they were
stored (title and body in the language they were written in), each with the state of its e-mail;
the person's e-mail choices; and the reminders already sent to them. The `context` a message was
rendered from is left out: it holds the ids and names the title and body already show.
"""

from __future__ import annotations

from .models import EmailDelivery, Notification, Preference, ReminderSent


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def personal_data_export(user) -> dict:
    notifications = Notification.objects.filter(user=user).select_related("email").order_by("created_at", "id")
    data = {
        "notifications": [_notification(n) for n in notifications],
        "notification_preferences": [
            {"kind": p.kind, "by_email": p.email, "updated_at": _when(p.updated_at)}
            for p in Preference.objects.filter(user=user).order_by("kind")
        ],
        "reminders_sent": [
            {"about": r.key, "offset": r.offset, "sent_at": _when(r.sent_at)}
            for r in ReminderSent.objects.filter(user=user).order_by("sent_at", "id")
        ],
    }
    # Only what exists, as fairs does: someone never told anything sees no empty sections.
    return {key: value for key, value in data.items() if value}


def _notification(n: Notification) -> dict:
    try:
        email = n.email
    except EmailDelivery.DoesNotExist:
        email = None
    return {
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "created_at": _when(n.created_at),
        "read_at": _when(n.read_at),
        # Flat, not nested: the "my data" page shows each list as one table.
        "email_status": email.status if email else None,
        "email_attempts": email.attempts if email else None,
        "email_sent_at": _when(email.sent_at) if email else None,
        "email_error": (email.last_error or None) if email else None,
    }


def personal_data_erase(user) -> None:
    """Delete the person's messages (their e-mail records go with them), choices and reminder claims.

    Runs inside account_delete's transaction. The rows also cascade with the user, which catches
    a message another app's eraser writes after this one; deleting them here keeps the erasure
    true if a foreign key ever changes. Announcements the person wrote stay (their author becomes
    empty): they went to other people.
    """
    Notification.objects.filter(user=user).delete()
    Preference.objects.filter(user=user).delete()
    ReminderSent.objects.filter(user=user).delete()
