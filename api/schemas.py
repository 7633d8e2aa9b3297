"""What the API sends, as schemas (they are the OpenAPI document's components).

Plain pydantic models, not ninja.Schema: the views hand over dicts, and ninja.Schema would wrap
every dict and nested dict in its ORM-attribute getter before validating, which cost more than
the database on a page of 50 events. pydantic-core validates plain dicts directly.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Path
from pydantic import BaseModel as Schema
from pydantic import StringConstraints

# Ids are PostgreSQL bigints: anything larger is refused as invalid input, never sent to the database.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
# Free-text filters: short, and never a NUL byte (PostgreSQL cannot store or compare one).
Text = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")]


class SeriesOut(Schema):
    id: int
    slug: str
    title: str
    year: int
    description: str
    target_postdocs: int | None


class EventOut(Schema):
    id: int
    series_id: int
    series: str
    action: str | None
    kind: str
    title: str
    summary: str
    description: str
    mode: str
    city: str
    venue: str
    address: str
    online_url: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    status: str
    capacity: int
    confirmed: int
    waitlisted: int
    seats_left: int
    waitlist_enabled: bool
    eligibility: list[str]
    has_fair: bool
    url: str


class SpeakerRef(Schema):
    id: int
    name: str
    title: str
    organisation: str


class RoomOut(Schema):
    id: int
    venue: str
    name: str
    capacity: int | None


class SessionOut(Schema):
    id: int
    event_id: int
    title: str
    speakers: list[SpeakerRef]
    speakers_text: str
    room: RoomOut | None
    room_text: str
    starts_at: datetime
    ends_at: datetime
    description: str


class SpeakerOut(SpeakerRef):
    bio_zh: str
    bio_en: str
    photo_url: str | None
    sessions: list[SessionOut]


class FairOut(Schema):
    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    status: str
    approval_required: bool
    booking_open: bool


class PositionOut(Schema):
    id: int
    company_id: int
    company: str
    title: str
    discipline: str
    headcount: int
    salary_min: int | None
    salary_max: int | None
    location: str
    requirements: str
    deadline: date | None


class CompanyOut(Schema):
    id: int
    name: str
    industry: str
    platform_kind: str
    description: str
    website: str
    logo_url: str | None
    booths: list[str]
    positions: list[PositionOut]


class TokenOut(Schema):
    name: str
    prefix: str
    event_id: int
    access: str
    user: str


class PersonOut(Schema):
    id: int
    email: str
    name: str
    full_name: str
    phone: str
    kind: str
    degree: str
    institution: str
    discipline: str


class RegistrationOut(Schema):
    id: int
    event_id: int
    status: str
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    waitlist_position: int | None
    person: PersonOut
    answers: dict[str, Any]


class CheckinOut(Schema):
    id: int
    ticket_id: int
    registration_id: int
    list_id: int
    list_name: str
    session_id: int | None
    scanned_at: datetime
    gate: str
    offline: bool


class BookingOut(Schema):
    id: int
    fair_id: int
    booth_id: int
    booth: str
    hall: str
    company_id: int
    company: str
    status: str
    created_at: datetime
    decided_at: datetime | None


class QuestionOut(Schema):
    id: int
    kind: str
    label: str
    help_text: str
    required: bool
    choices: list[str]
    consent_text: str
    audience: str
    position: int
    hidden: bool
