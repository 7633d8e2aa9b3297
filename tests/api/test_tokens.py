"""Personal access tokens: hashed, scoped to one event, read-only or read-write, revocable."""

import hashlib

import pytest

from api.models import ApiToken
from api.services import ApiTokenError, api_token_create, api_token_revoke
from events.models import EventTeamMember, Registration
from events.services import registration_create

from ..factories import EventFactory, candidate, organizer, team_member
from .factories import bearer, token_for

pytestmark = pytest.mark.django_db


def test_token_stored_only_as_hash():
    token, raw, _event = token_for()
    assert raw.startswith("boju_")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.token_hash, token.prefix}
    assert token.prefix == raw[:9]


def test_token_create_refused_outside_the_team():
    with pytest.raises(ApiTokenError) as error:
        api_token_create(actor=organizer(), event=EventFactory(), name="x", access="read")
    assert error.value.code == "forbidden"


def test_registrations_readable_with_token(client):
    token, raw, event = token_for()
    registration = registration_create(event=event, user=candidate(full_name="王海"))
    body = client.get(f"/api/v1/events/{event.pk}/registrations", **bearer(raw)).json()
    assert [r["id"] for r in body["items"]] == [registration.pk]
    assert body["items"][0]["person"]["full_name"] == "王海"
    assert body["items"][0]["status"] == "confirmed"


def test_token_of_one_event_cannot_read_another(client):
    _token, raw, _event = token_for()
    other = EventFactory()
    registration_create(event=other, user=candidate())
    for url in (
        f"/api/v1/events/{other.pk}/registrations",
        f"/api/v1/events/{other.pk}/checkins",
        f"/api/v1/fairs/{other.pk}/bookings",
        f"/api/v1/events/{other.pk}/registrations/1",
    ):
        response = client.get(url, **bearer(raw))
        assert response.status_code == 404, url
        assert response.json() == {"code": "not_found", "message": "未找到。"}


def test_registration_of_another_event_by_id_is_404(client):
    _token, raw, event = token_for()
    foreign = registration_create(event=EventFactory(), user=candidate())
    response = client.get(f"/api/v1/events/{event.pk}/registrations/{foreign.pk}", **bearer(raw))
    assert response.status_code == 404


def test_token_loses_reach_when_owner_leaves_the_team(client):
    token, raw, event = token_for()
    EventTeamMember.objects.filter(event=event, user=token.user).delete()
    response = client.get(f"/api/v1/events/{event.pk}/registrations", **bearer(raw))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_read_only_token_cannot_write(client):
    _token, raw, event = token_for(access=ApiToken.Access.READ)
    registration = registration_create(event=event, user=candidate())
    response = client.post(f"/api/v1/events/{event.pk}/registrations/{registration.pk}/cancel", **bearer(raw))
    assert response.status_code == 403
    assert response.json()["code"] == "read_only"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_read_write_token_cancels_through_the_service(client):
    token, raw, event = token_for(access=ApiToken.Access.WRITE, event=EventFactory(capacity=1))
    first = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    response = client.post(f"/api/v1/events/{event.pk}/registrations/{first.pk}/cancel", **bearer(raw))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED  # the service promoted the waiting list
    again = client.post(f"/api/v1/events/{event.pk}/registrations/{first.pk}/cancel", **bearer(raw))
    assert again.status_code == 400
    assert again.json()["code"] == "not_active"


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer nope", "Basic abc", "Bearer boju_" + "x" * 300])
def test_missing_or_bad_token_is_401(client, header):
    event = EventFactory()
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(f"/api/v1/events/{event.pk}/registrations", **extra)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_revoked_token_is_401(client):
    token, raw, event = token_for()
    api_token_revoke(actor=token.user, token=token)
    assert client.get("/api/v1/token", **bearer(raw)).status_code == 401


def test_token_info(client):
    token, raw, event = token_for(access=ApiToken.Access.WRITE)
    assert client.get("/api/v1/token", **bearer(raw)).json() == {
        "name": "同步",
        "prefix": token.prefix,
        "event_id": event.pk,
        "access": "write",
        "user": token.user.email,
    }


def test_rate_limit_per_token(client, settings):
    settings.API_RATE_LIMITS = {"token": (3, 60), "anonymous": (100, 60)}
    _token, raw, _event = token_for()
    _other, raw_other, _ = token_for()
    codes = [client.get("/api/v1/token", **bearer(raw)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/token", **bearer(raw))
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert client.get("/api/v1/token", **bearer(raw_other)).status_code == 200  # its own budget


def test_rate_limit_degrades_when_cache_is_down(client, settings):
    settings.API_RATE_LIMITS = {"token": (1, 60), "anonymous": (1, 60)}
    # A Redis nobody listens on: every cache call fails to connect.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert [client.get("/api/v1/series").status_code for _ in range(3)] == [200, 200, 200]
    _token, raw, _event = token_for()
    assert [client.get("/api/v1/token", **bearer(raw)).status_code for _ in range(3)] == [200, 200, 200]


def test_console_page_creates_shows_once_and_revokes(client):
    event = EventFactory()
    boss = organizer()
    team_member(event, boss)
    client.force_login(boss)
    response = client.post(f"/console/events/{event.pk}/api-tokens/", {"name": "数据同步", "access": "write"})
    assert response.status_code == 200
    token = ApiToken.objects.get(event=event)
    raw = response.content.decode().split('<code class="token-secret">')[1].split("</code>")[0]
    assert ApiToken.objects.get(token_hash=hashlib.sha256(raw.encode()).hexdigest()) == token
    assert raw not in client.get(f"/console/events/{event.pk}/api-tokens/").content.decode()
    client.post(f"/console/events/{event.pk}/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_console_page_is_404_outside_the_team(client):
    event = EventFactory()
    token, _raw, _ = token_for(event)
    client.force_login(organizer())
    assert client.get(f"/console/events/{event.pk}/api-tokens/").status_code == 404
    assert client.post(f"/console/events/{event.pk}/api-tokens/{token.pk}/revoke/").status_code == 404
