"""Demo check-in data: tickets for every confirmed registration of the demo, a paired scanner
device for the first upcoming on-site fair, and door check-ins (two gates, one duplicate from
an offline phone) at the on-site events that already took place. Called by events' load_demo;
idempotent (tickets are get-or-create, the device and past check-ins are made once)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from events.models import Event, Registration

from .models import Checkin, ScannerDevice
from .services import Scanner, checkin_list_default, checkin_perform, device_create, device_pair
from .tickets import ticket_code, ticket_for_registration

DEVICE_NAME = "演示扫码机（东门）"


def load(*, head, series) -> None:
    events = Event.objects.filter(series=series)
    for registration in Registration.objects.filter(event__in=events, status="confirmed").select_related("event"):
        ticket_for_registration(registration)
    now = timezone.now()
    on_site = events.exclude(mode=Event.Mode.ONLINE).filter(status=Event.Status.PUBLISHED).order_by("starts_at")
    upcoming = on_site.filter(starts_at__gt=now).filter(kind=Event.Kind.FAIR).first()
    if upcoming is not None and not ScannerDevice.objects.filter(name=DEVICE_NAME, events=upcoming).exists():
        device, code = device_create(actor=head, name=DEVICE_NAME, events=[upcoming])
        device_pair(code=code)
    for event in on_site.filter(ends_at__lt=now):
        _past_door(event, head)


def _past_door(event: Event, head) -> None:
    """Check in most of a past event's confirmed people, as offline phones at two gates would."""
    checkin_list_default(event_id=event.pk)
    if Checkin.objects.filter(checkin_list__event=event).exists():
        return
    registrations = list(Registration.objects.filter(event=event, status="confirmed").order_by("pk"))
    scanner = Scanner(user=head)
    attended = registrations[: max(1, len(registrations) * 4 // 5)] if registrations else []
    for index, registration in enumerate(attended):
        code = ticket_code(ticket_for_registration(registration))
        when = event.starts_at - timedelta(minutes=20) + timedelta(minutes=3 * index)
        gate = "东门" if index % 3 else "西门"
        checkin_perform(
            code=code,
            gate=gate,
            nonce=f"demo{event.pk}x{registration.pk}",
            scanned_at=when,
            scanner=scanner,
            offline=True,
        )
        if index == 1:  # the same ticket shown again at the other gate: a flagged duplicate
            checkin_perform(
                code=code,
                gate="西门",
                nonce=f"demo{event.pk}x{registration.pk}dup",
                scanned_at=when + timedelta(minutes=25),
                scanner=scanner,
                offline=True,
            )
