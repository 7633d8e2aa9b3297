"""Shared test data for checkin: an event open for check-in, tickets and a paired device."""

import uuid
from datetime import timedelta

from django.utils import timezone

from checkin.services import Scanner, device_create, device_pair
from checkin.tickets import ticket_code, ticket_for_registration
from tests.factories import EventFactory, RegistrationFactory


def open_event(**fields):
    """An event under way now, so its check-in window is open."""
    now = timezone.now()
    return EventFactory(
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
        registration_opens_at=now - timedelta(days=3),
        capacity=1000,
        **fields,
    )


def ticket_and_code(event, **fields):
    registration = RegistrationFactory(event=event, **fields)
    ticket = ticket_for_registration(registration)
    return ticket, ticket_code(ticket)


def paired_device(actor, events, name="入口1号机"):
    device, code = device_create(actor=actor, name=name, events=events)
    device, token = device_pair(code=code)
    return device, token


def device_scanner(device) -> Scanner:
    return Scanner(device_id=device.pk, event_ids=frozenset(device.events.values_list("pk", flat=True)))


def nonce() -> str:
    return uuid.uuid4().hex
