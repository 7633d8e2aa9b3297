"""The ticket's QR image attached to the confirmation e-mail (see CheckinConfig.ready)."""

from __future__ import annotations

from events.models import Registration

from .tickets import ticket_code, ticket_for_registration, ticket_qr_png


def ticket_attachment(*, user_id: int, context: dict) -> list[tuple[str, bytes, str]]:
    """[("ticket.png", png, "image/png")] for the user's own confirmed registration, else []."""
    try:
        registration_id = int(context.get("registration_id"))
    except (TypeError, ValueError):
        return []
    registration = Registration.objects.filter(pk=registration_id, user_id=user_id, status="confirmed").first()
    if registration is None:
        return []
    return [("ticket.png", ticket_qr_png(ticket_code(ticket_for_registration(registration))), "image/png")]
