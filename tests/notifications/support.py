"""Helpers for the notification tests."""

import contextlib
import io

import icalendar

from notifications import attachments


def ics_of(message, filename):
    """The single VEVENT of the .ics attached to `message` as `filename`."""
    (content,) = [content for name, content, _mime in message.attachments if name == filename]
    calendar = icalendar.Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return event


@contextlib.contextmanager
def qr_provider_for_tests(kinds=("registration.confirmed", "registration.promoted")):
    """A provider registered the way checkin registers its own, for `kinds`, removed after.

    Yields expected(registration_id) -> the text the QR code must decode to.
    """
    import qrcode

    def expected(registration_id):
        return f"BOJU-TEST-TICKET:{registration_id}"

    def provider(*, user_id, context):
        image = qrcode.make(expected(context["registration_id"]), box_size=6, border=4)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return [(f"ticket-{context['registration_id']}.png", out.getvalue(), "image/png")]

    for kind in kinds:
        attachments.attachment_provider_register(kind, provider)
    try:
        yield expected
    finally:
        for kind in kinds:
            attachments._providers[kind].remove(provider)
