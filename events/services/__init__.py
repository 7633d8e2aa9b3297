"""Writes on the programme. See registration.py for seats and programme.py for the console."""

from .errors import EventError, RegistrationError
from .programme import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
    series_actions_audit,
    series_save,
    session_delete,
    session_save,
    team_member_set,
)
from .registration import (
    registration_cancel,
    registration_create,
    registration_promote,
    registrations_release_for_user,
)

__all__ = [
    "EventError",
    "RegistrationError",
    "event_cancel",
    "event_create",
    "event_publish",
    "event_update",
    "registration_cancel",
    "registration_create",
    "registration_promote",
    "registrations_release_for_user",
    "series_actions_audit",
    "series_save",
    "session_delete",
    "session_save",
    "team_member_set",
]
