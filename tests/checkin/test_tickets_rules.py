"""Ticket rules found missing by the mutation run (docs/mutation.md, the fourth run)."""

import pytest
import qrcode.image.svg

from checkin.tickets import ticket_code, ticket_for_registration, ticket_qr_svg
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_the_inline_svg_is_the_svg_element_alone_also_when_qrcode_writes_an_xml_declaration(monkeypatch):
    # The SVG goes inline into the ticket page, where an XML declaration is not allowed. The
    # pinned qrcode writes none; a version that does (older ones did) must not change the page.
    code = ticket_code(ticket_for_registration(RegistrationFactory()))
    plain = ticket_qr_svg(code)
    assert plain.startswith("<svg") and plain.count("<svg") == 1 and plain.endswith("</svg>")
    to_string = qrcode.image.svg.SvgPathFillImage.to_string

    def with_declaration(self, **kwargs):
        return "<?xml version='1.0' encoding='UTF-8'?>\n" + to_string(self, **kwargs)

    monkeypatch.setattr(qrcode.image.svg.SvgPathFillImage, "to_string", with_declaration)
    assert ticket_qr_svg(code) == plain


def test_the_inline_svg_draws_the_tickets_own_code():
    # The console's ticket page and the pairing page show this SVG to be scanned: two tickets
    # must not share one picture.
    first, second = (ticket_code(ticket_for_registration(RegistrationFactory())) for _ in range(2))
    assert ticket_qr_svg(first) != ticket_qr_svg(second)


def test_a_code_with_whitespace_around_it_verifies_up_to_the_length_limit():
    # Scanners may send the code with a line end or spaces; the length limit (a guard against
    # huge input, checked before any parsing) counts them, up to and including MAX_CODE_LENGTH.
    from checkin.errors import CheckinError
    from checkin.tickets import MAX_CODE_LENGTH, ticket_code_verify

    ticket = ticket_for_registration(RegistrationFactory())
    code = ticket_code(ticket)
    padded = code + "\n" + " " * (MAX_CODE_LENGTH - len(code) - 1)
    assert len(padded) == MAX_CODE_LENGTH
    assert ticket_code_verify(padded).ticket_id == ticket.pk
    with pytest.raises(CheckinError):
        ticket_code_verify(padded + " ")
