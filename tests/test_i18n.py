"""zh-hans first, English second: the switch, the catalogue, the time zone."""

from datetime import UTC, datetime, timedelta

import pytest

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def test_default_is_chinese_and_switch_to_english_sticks(client):
    event = EventFactory(title="博士后专场招聘会")
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/events/{event.pk}/"})
    assert response.status_code == 302 and response.url == f"/events/{event.pk}/"
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert "Seats left" in page and "(Beijing time)" in page  # no full-width brackets in English
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "剩余名额" in client.get(f"/events/{event.pk}/").content.decode()


def test_times_are_shown_in_asia_shanghai(client):
    start = datetime(2026, 12, 20, 1, 30, tzinfo=UTC)  # 09:30 in Qingdao
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=3), registration_opens_at=None)
    assert event.starts_at.tzinfo is not None
    assert "2026-12-20 09:30" in client.get(f"/events/{event.pk}/").content.decode()
