"""Tickets and their signed codes (the contract other apps use: fairs verifies badge codes).

A code is `1.<key id>.<ticket id>.<event id>.<signature>`: the version, the ids as decimal and
an Ed25519 signature (base64url, no padding) over the text before the last dot. About 100
ASCII characters, URL-safe, no personal data, so it fits a small QR code and a scanner that
holds only the event's public key can check it offline.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from cryptography.exceptions import InvalidSignature
from django.db import IntegrityError, transaction

from .errors import CheckinError
from .keys import private_key, public_key_lookup, public_key_object, signing_key_current
from .models import Ticket

VERSION = "1"
CODE_RE = re.compile(r"^1\.(\d{1,12})\.(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{86})$")
MAX_CODE_LENGTH = 160


@dataclass(frozen=True)
class TicketClaim:
    ticket_id: int
    event_id: int
    key_id: int


def ticket_for_registration(registration) -> Ticket:
    """The ticket of a confirmed registration (get-or-create; one per registration).

    Raises CheckinError("not_confirmed") for a waitlisted or cancelled registration.
    """
    if registration.status != "confirmed":
        raise CheckinError("not_confirmed")
    ticket = Ticket.objects.filter(registration=registration).first()
    if ticket is not None:
        return ticket
    try:
        with transaction.atomic():
            return Ticket.objects.create(registration=registration, event_id=registration.event_id)
    except IntegrityError:  # issued meanwhile by a concurrent request: the constraint kept it single
        return Ticket.objects.get(registration=registration)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ticket_code(ticket: Ticket) -> str:
    """The signed text in the ticket's QR code (deterministic for a given key)."""
    key = signing_key_current(ticket.event_id)
    body = f"{VERSION}.{key.pk}.{ticket.pk}.{ticket.event_id}"
    return f"{body}.{_b64(private_key(key).sign(body.encode()))}"


def ticket_code_verify(code: str) -> TicketClaim:
    """The claim of a well-formed code signed by an active key of the event it names.

    Reads no ticket or registration (the public key comes from the cache). Raises
    CheckinError("invalid") on garbage, truncation, an unknown or retired key, a key of another
    event, or a bad signature.
    """
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        raise CheckinError("invalid")
    match = CODE_RE.match(code.strip())
    if match is None:
        raise CheckinError("invalid")
    key_id, ticket_id, event_id = int(match[1]), int(match[2]), int(match[3])
    entry = public_key_lookup(key_id)
    if entry is None or entry[0] != event_id:
        raise CheckinError("invalid")
    try:
        signature = base64.urlsafe_b64decode(match[4] + "==")
        if _b64(signature) != match[4]:  # the last character's spare bits: one code, one spelling
            raise ValueError("non-canonical signature")
        public_key_object(entry[1]).verify(signature, code.strip().rsplit(".", 1)[0].encode())
    except (InvalidSignature, ValueError):
        raise CheckinError("invalid") from None
    return TicketClaim(ticket_id=ticket_id, event_id=event_id, key_id=key_id)


def _qr(code: str, box_size: int, border: int = 4) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(code)
    qr.make(fit=True)
    return qr


def ticket_qr_png(code: str, *, box_size: int = 8) -> bytes:
    image = _qr(code, box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def ticket_qr_svg(code: str) -> str:
    """An inline <svg> (scales with CSS; one path, no fixed size)."""
    image = _qr(code, box_size=10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg"):] if "<svg" in svg else svg
