"""Test data for the programme: past events, check-ins written the three ways, projects, outcomes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from accounts.validators import credit_code_check_char
from checkin.models import Checkin
from checkin.services import checkin_list_default
from checkin.tickets import ticket_for_registration
from events.models import Event, Registration
from fairs.models import BoothVisit, Fair
from projects.models import Project
from tests.factories import CompanyFactory, EventFactory, RegistrationFactory, SeriesFactory  # noqa: F401

_serial = itertools.count(1)


def past_event(series, *, kind=Event.Kind.FAIR, days_ago: int = 10, **fields) -> Event:
    start = fields.pop("starts_at", None) or timezone.now() - timedelta(days=days_ago)
    fields.setdefault("ends_at", start + timedelta(hours=4))
    return EventFactory(
        series=series,
        kind=kind,
        starts_at=start,
        registration_opens_at=start - timedelta(days=20),
        capacity=10_000,
        **fields,
    )


def checkin_orm(registration: Registration, *, at=None, session_list=None) -> Checkin:
    """A check-in as the Django scan service writes it (without its side effects)."""
    ticket = ticket_for_registration(registration)
    checkin_list = session_list or checkin_list_default(event_id=registration.event_id)
    return Checkin.objects.create(
        ticket=ticket, checkin_list=checkin_list, scanned_at=at or registration.event.starts_at + timedelta(minutes=5)
    )


def checkin_raw(registration: Registration, *, at=None, checkin_id: int | None = None) -> int:
    """A check-in as the door's fast lane writes it: one INSERT, no Django model, no signal."""
    ticket = ticket_for_registration(registration)
    list_id = checkin_list_default(event_id=registration.event_id).pk
    at = at or registration.event.starts_at + timedelta(minutes=5)
    table = Checkin._meta.db_table
    columns = "ticket_id, checkin_list_id, scanned_at, gate, offline, created_at"
    values = [ticket.pk, list_id, at, "东门", False, timezone.now()]
    if checkin_id is not None:
        columns = "id, " + columns
        values = [checkin_id, *values]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(values))})", values)
        if checkin_id is not None:
            return checkin_id
        cursor.execute(f"SELECT max(id) FROM {table}")
        return cursor.fetchone()[0]


def district_code(district: str) -> str:
    """A valid credit code registered in `district` (e.g. 370212 崂山区)."""
    first17 = f"91{district}{next(_serial) + 500000:09d}"
    return first17 + credit_code_check_char(first17)


def project(series, *, company=None, signed_on: date | None = None, source="manual") -> Project:
    return Project.objects.create(
        series=series,
        title=f"项目{next(_serial)}",
        source=source,
        company=company,
        signed_on=signed_on or timezone.localdate(),
    )


def booth_visit(company, visitor, *, shared=True) -> BoothVisit:
    event = past_event(SeriesFactory())
    fair = Fair.objects.create(event=event)
    return BoothVisit.objects.create(fair=fair, company=company, visitor=visitor, shared=shared)
