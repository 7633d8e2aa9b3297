"""Writes on fairs: booking.py (booths), floor.py (layout), positions.py, visits.py (lead retrieval)."""

from ..errors import FairError
from .booking import booking_cancel, booking_decide, booking_move, booth_book
from .floor import booth_create, booth_delete, booth_update, fair_ensure, fair_settings_save, hall_save
from .positions import fairs_with_booth, position_delete, position_save, shortlist_toggle
from .visits import ticket_holder, visit_consent_withdraw, visit_note_set, visit_record

__all__ = [
    "FairError",
    "booking_cancel",
    "booking_decide",
    "booking_move",
    "booth_book",
    "booth_create",
    "booth_delete",
    "booth_update",
    "fair_ensure",
    "fair_settings_save",
    "fairs_with_booth",
    "hall_save",
    "position_delete",
    "position_save",
    "shortlist_toggle",
    "ticket_holder",
    "visit_consent_withdraw",
    "visit_note_set",
    "visit_record",
]
