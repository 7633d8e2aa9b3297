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


@dataclass(frozen=True)
class ParsedCode:
    claim: TicketClaim
    body: bytes  # the signed text
    signature: bytes


def ticket_code_parse(code) -> ParsedCode | None:
    """The parts of a well-formed code (length, shape, canonical base64), or None. No key, no I/O."""
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        return None
    match = CODE_RE.match(code.strip())
    if match is None:
        return None
    try:
        signature = base64.urlsafe_b64decode(match[4] + "==")
    except ValueError:
        return None
    if _b64(signature) != match[4]:  # the last character's spare bits: one code, one spelling
        return None
    claim = TicketClaim(ticket_id=int(match[2]), event_id=int(match[3]), key_id=int(match[1]))
    return ParsedCode(claim=claim, body=code.strip().rsplit(".", 1)[0].encode(), signature=signature)


def ticket_signature_ok(parsed: ParsedCode, key: tuple[int, bytes] | None) -> bool:
    """Whether `key` — (event id, raw public key) of the code's key id, or None if unknown or
    retired — belongs to the event the code names and signed it."""
    if key is None or key[0] != parsed.claim.event_id:
        return False
    try:
        public_key_object(key[1]).verify(parsed.signature, parsed.body)
    except (InvalidSignature, ValueError):
        return False
    return True


def ticket_code_verify(code: str) -> TicketClaim:
    """The claim of a well-formed code signed by an active key of the event it names.

    Reads no ticket or registration (the public key comes from the cache). Raises
    CheckinError("invalid") on garbage, truncation, an unknown or retired key, a key of another
    event, or a bad signature. (The fast lane does the same with its own key lookup.)
    """
    parsed = ticket_code_parse(code)
    if parsed is None or not ticket_signature_ok(parsed, public_key_lookup(parsed.claim.key_id)):
        raise CheckinError("invalid")
    return parsed.claim


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
    return svg[svg.index("<svg") :] if "<svg" in svg else svg
