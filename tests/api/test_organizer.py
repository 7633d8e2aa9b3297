"""Organizer endpoints: check-ins, booth bookings, and the registrations list's query count."""

import pytest

from api.models import ApiToken
from checkin.services import Scanner, checkin_perform
from events.services import registration_create
from fairs.models import BoothBooking

from ..checkin.helpers import nonce, open_event, ticket_and_code
from ..factories import EventFactory, candidate
from ..fairs.factories import booths, fair_with_booths, member
from .factories import bearer, token_for

pytestmark = pytest.mark.django_db


def test_checkins_listed_for_the_tokens_event(client):
    event = open_event()
    token, raw, _ = token_for(event)
    ticket, code = ticket_and_code(event)
    checkin_perform(code=code, gate="东门", nonce=nonce(), scanned_at=None, scanner=Scanner(user=token.user))
    body = client.get(f"/api/v1/events/{event.pk}/checkins", **bearer(raw)).json()
    assert [(c["ticket_id"], c["gate"]) for c in body["items"]] == [(ticket.pk, "东门")]
    assert client.get(f"/api/v1/events/{event.pk}/checkins?gate=西门", **bearer(raw)).json()["items"] == []


def test_bookings_listed_and_decided_with_write_token(client):
    fair = fair_with_booths(2, approval_required=True)
    company, _admin = member(name="海蓝智能")
    booking = BoothBooking.objects.create(
        fair=fair, booth=booths(fair)[0], company=company, status=BoothBooking.Status.REQUESTED
    )
    _t, read_raw, _ = token_for(fair.event, user=fair.boss)
    _t, write_raw, _ = token_for(fair.event, user=fair.boss, access=ApiToken.Access.WRITE)
    body = client.get(f"/api/v1/fairs/{fair.pk}/bookings?status=requested", **bearer(read_raw)).json()
    assert [(b["id"], b["booth"], b["company"]) for b in body["items"]] == [(booking.pk, "A-1", "海蓝智能")]
    assert (
        client.post(f"/api/v1/fairs/{fair.pk}/bookings/{booking.pk}/approve", **bearer(read_raw)).json()["code"]
        == "read_only"
    )
    response = client.post(f"/api/v1/fairs/{fair.pk}/bookings/{booking.pk}/approve", **bearer(write_raw))
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    again = client.post(f"/api/v1/fairs/{fair.pk}/bookings/{booking.pk}/reject", **bearer(write_raw))
    assert (again.status_code, again.json()["code"]) == (400, "not_requested")


def test_registrations_query_count_is_independent_of_page_size(client, django_assert_num_queries):
    event = EventFactory(capacity=5)
    _token, raw, _ = token_for(event)
    for _ in range(8):  # 5 confirmed, 3 waiting: both pages have someone waiting
        registration_create(event=event, user=candidate())
    client.get("/api/v1/token", **bearer(raw))  # last_used_at written once, not counted below
    url = f"/api/v1/events/{event.pk}/registrations"
    # token, team membership, the page, the waiting places of its waiting rows
    with django_assert_num_queries(4):
        assert len(client.get(url + "?limit=1&status=waitlisted", **bearer(raw)).json()["items"]) == 1
    with django_assert_num_queries(4):
        assert len(client.get(url + "?limit=8", **bearer(raw)).json()["items"]) == 8


def test_waitlist_positions_in_registrations(client):
    event = EventFactory(capacity=1)
    _token, raw, _ = token_for(event)
    registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    later = registration_create(event=event, user=candidate())
    body = client.get(f"/api/v1/events/{event.pk}/registrations?status=waitlisted", **bearer(raw)).json()
    assert [(r["id"], r["waitlist_position"]) for r in body["items"]] == [(waiting.pk, 1), (later.pk, 2)]
    second = client.get(f"/api/v1/events/{event.pk}/registrations?limit=2", **bearer(raw)).json()
    third = client.get(
        f"/api/v1/events/{event.pk}/registrations?limit=2&cursor={second['next_cursor']}", **bearer(raw)
    ).json()
    assert [r["waitlist_position"] for r in second["items"] + third["items"]] == [None, 1, 2]
