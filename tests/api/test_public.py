"""Public read: what the programme pages show, paginated by cursor, filtered like the web."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from events.services import registration_create

from ..factories import EventFactory, SeriesFactory, SessionFactory, candidate
from ..fairs.factories import approved_booking, booths, fair_with_booths, member, position

pytestmark = pytest.mark.django_db


def test_events_list_hides_drafts_and_counts_seats(client):
    shown = EventFactory(title="公开活动", capacity=2)
    EventFactory(title="草稿", status=Event.Status.DRAFT)
    registration_create(event=shown, user=candidate())
    body = client.get("/api/v1/events").json()
    assert [e["title"] for e in body["items"]] == ["公开活动"]
    assert body["items"][0]["confirmed"] == 1
    assert body["items"][0]["seats_left"] == 1
    assert body["next_cursor"] is None


def test_events_cursor_walks_every_row_once(client):
    start = timezone.now() + timedelta(days=3)
    ids = [EventFactory(starts_at=start + timedelta(hours=i % 3)).pk for i in range(7)]
    seen, cursor = [], None
    for _page in range(5):
        url = "/api/v1/events?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == 7


def test_events_filters_mirror_programme_home(client):
    EventFactory(title="海洋论坛", kind=Event.Kind.FORUM)
    EventFactory(title="招聘会", kind=Event.Kind.FAIR)
    body = client.get("/api/v1/events?kind=forum").json()
    assert [e["title"] for e in body["items"]] == ["海洋论坛"]
    assert [e["title"] for e in client.get("/api/v1/events?q=招聘").json()["items"]] == ["招聘会"]


def test_events_bad_month_is_a_json_error_with_code(client):
    response = client.get("/api/v1/events?month=2026-13")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert response.json()["errors"][0]["loc"] == ["query", "month"]


@pytest.mark.parametrize(
    "url,code,status",
    [
        ("/api/v1/events?kind=nope", "invalid", 422),
        ("/api/v1/events?cursor=%%%", "invalid_cursor", 400),
        ("/api/v1/events?cursor=WzFd", "invalid_cursor", 400),
        ("/api/v1/events?q=a%00b", "invalid_character", 400),  # refused before the API (config/middleware.py)
        ("/api/v1/events/99999999999999999999", "invalid", 422),
        ("/api/v1/events/12345", "not_found", 404),
        ("/api/v1/no-such-thing", "not_found", 404),
        ("/api/v1/events?limit=0", "invalid", 422),
    ],
)
def test_bad_input_is_json_with_code(client, url, code, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code


def test_sessions_of_a_draft_are_hidden(client):
    draft = EventFactory(status=Event.Status.DRAFT)
    SessionFactory(event=draft)
    assert client.get(f"/api/v1/events/{draft.pk}/sessions").status_code == 404


def test_sessions_list_in_time_order(client):
    event = EventFactory()
    late = SessionFactory(
        event=event,
        title="下午",
        starts_at=event.starts_at + timedelta(hours=2),
        ends_at=event.starts_at + timedelta(hours=3),
    )
    early = SessionFactory(event=event, title="上午")
    body = client.get(f"/api/v1/events/{event.pk}/sessions").json()
    assert [s["id"] for s in body["items"]] == [early.pk, late.pk]


def test_series_list_and_detail(client):
    series = SeriesFactory()
    assert client.get("/api/v1/series").json()["items"][0]["slug"] == series.slug
    assert client.get(f"/api/v1/series/{series.pk}").json()["title"] == series.title


def test_fair_companies_and_positions(client):
    fair = fair_with_booths(2)
    company, _admin = member(name="青岛海蓝智能")
    other, _ = member(name="未参会单位")
    approved_booking(fair, booths(fair)[0], company)
    job = position(company, fair, title="海洋AI博士后", discipline="0812")
    position(other, None, title="别处岗位")
    body = client.get(f"/api/v1/fairs/{fair.pk}/companies").json()
    assert [c["name"] for c in body["items"]] == ["青岛海蓝智能"]
    assert body["items"][0]["booths"] == ["A-1"]
    assert [p["id"] for p in body["items"][0]["positions"]] == [job.pk]
    assert client.get(f"/api/v1/fairs/{fair.pk}/companies?discipline=0707").json()["items"] == []
    assert [p["title"] for p in client.get(f"/api/v1/positions?fair={fair.pk}").json()["items"]] == ["海洋AI博士后"]
    assert client.get("/api/v1/fairs").json()["items"][0]["event_id"] == fair.pk


def test_companies_page_by_cursor(client):
    fair = fair_with_booths(3)
    for i, booth in enumerate(booths(fair)):
        approved_booking(fair, booth, member(name=f"单位{i}")[0])
    first = client.get(f"/api/v1/fairs/{fair.pk}/companies?limit=2").json()
    second = client.get(f"/api/v1/fairs/{fair.pk}/companies?limit=2&cursor={first['next_cursor']}").json()
    assert [c["name"] for c in first["items"] + second["items"]] == ["单位0", "单位1", "单位2"]
    assert second["next_cursor"] is None


def test_events_list_query_count_is_independent_of_page_size(client, django_assert_max_num_queries):
    for _ in range(30):
        EventFactory()
    with django_assert_max_num_queries(1):
        assert len(client.get("/api/v1/events?limit=1").json()["items"]) == 1
    with django_assert_max_num_queries(1):
        assert len(client.get("/api/v1/events?limit=30").json()["items"]) == 30


def test_docs_page_uses_vendored_assets_and_no_inline_script(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # only <script src=...>: the CSP allows no inline script


def test_schema_describes_the_scan_fast_lane(client):
    schema = client.get("/api/v1/openapi.json").json()
    scan = schema["paths"]["/api/checkin/scan"]["post"]
    assert scan["operationId"] == "checkin_scan"
    assert set(scan["responses"]) >= {"200", "401", "409"}
    assert "/api/v1/events/{event_id}/registrations" in schema["paths"]
