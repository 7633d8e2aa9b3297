"""The memoised challenge cards (challenges/cards.py): a card is rendered once per content,
language and time zone, and never shown stale after an edit, a status change, the deadline
passing or a language switch; a signed-in person's own bits never reach another viewer."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Company
from challenges import cards
from challenges.models import Challenge

from .factories import application, postdoc, published_challenge

pytestmark = pytest.mark.django_db


def card_of(html: str, challenge) -> str:
    start = html.index(f'data-challenge="{challenge.pk}"')
    return html[start : html.index("</a>", start)]


def test_a_card_is_rendered_once_then_served_from_the_memo(client):
    challenge = published_challenge(title="海洋牧场网箱监测")
    first = client.get("/challenges/").content.decode()
    misses = cards._card_html.cache_info().misses
    again = client.get("/challenges/").content.decode()
    assert cards._card_html.cache_info().misses == misses
    assert card_of(again, challenge) == card_of(first, challenge)
    assert "海洋牧场网箱监测" in card_of(again, challenge)


def test_an_edit_shows_at_once_even_without_touching_updated_at(client):
    challenge = published_challenge(title="旧标题难题", summary="旧摘要")
    assert "旧标题难题" in card_of(client.get("/challenges/").content.decode(), challenge)
    # As the admin or a data fix would: plain UPDATEs, updated_at unchanged; one field at a time.
    Challenge.objects.filter(pk=challenge.pk).update(title="新标题难题")
    card = card_of(client.get("/challenges/").content.decode(), challenge)
    assert "新标题难题" in card and "旧标题难题" not in card
    Challenge.objects.filter(pk=challenge.pk).update(summary="新摘要")
    card = card_of(client.get("/challenges/").content.decode(), challenge)
    assert "新摘要" in card and "旧摘要" not in card
    Challenge.objects.filter(pk=challenge.pk).update(budget_max_wan=900)
    assert "–900 万元" in card_of(client.get("/challenges/").content.decode(), challenge)
    Company.objects.filter(pk=challenge.company_id).update(name="改名后的公司")
    assert "改名后的公司" in card_of(client.get("/challenges/").content.decode(), challenge)


def test_a_status_change_shows_at_once(client):
    challenge = published_challenge()
    assert "截止</span>" in card_of(client.get("/challenges/?deadline=all").content.decode(), challenge)
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.CLOSED)
    card = card_of(client.get("/challenges/?deadline=all").content.decode(), challenge)
    assert "已截止" in card and "badge-wait" not in card


def test_the_deadline_passing_flips_the_card_with_nothing_else_changed(client, monkeypatch):
    challenge = published_challenge(deadline=timezone.now() + timedelta(hours=1))
    card = card_of(client.get("/challenges/?deadline=all").content.decode(), challenge)
    assert "badge-wait" in card and "已截止" not in card
    # Two hours later: same row, same everything, only the clock moved.
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    card = card_of(client.get("/challenges/?deadline=all").content.decode(), challenge)
    assert "已截止" in card and "badge-wait" not in card


def test_a_language_switch_is_another_card(client):
    challenge = published_challenge(budget_min_wan="50", budget_max_wan="120")
    zh = card_of(client.get("/challenges/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), challenge)
    en = card_of(client.get("/challenges/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), challenge)
    assert "50–120 万元" in zh and "截止</span>" in zh
    assert "50–120 × 10,000 CNY" in en and "Closes " in en and "万元" not in en
    zh_again = card_of(client.get("/challenges/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), challenge)
    assert zh_again == zh


def test_the_deadline_date_follows_the_time_zone(client, settings):
    # 17:00 UTC is 01:00 the next day in Shanghai (the site's zone).
    deadline = datetime(2030, 3, 9, 17, 0, tzinfo=UTC)
    challenge = published_challenge(deadline=deadline)
    assert "03-10" in card_of(client.get("/challenges/").content.decode(), challenge)
    settings.TIME_ZONE = "UTC"
    assert "03-09" in card_of(client.get("/challenges/").content.decode(), challenge)


def test_one_viewer_s_own_bits_never_reach_another(client):
    challenge = published_challenge(title="海洋防腐涂层寿命", discipline="0805")
    lead = postdoc(discipline="0805", research_field="海洋防腐涂层")
    mine = application(challenge, lead=lead)
    client.force_login(lead)
    listing = client.get("/challenges/").content.decode()
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    # The lead's own view: recommendations, their application, their name.
    assert 'id="rec"' in listing and lead.display_name in listing
    assert f"/challenges/applications/{mine.pk}/" in page and lead.display_name in page
    client.logout()
    other = postdoc(discipline="0101", research_field="文学")
    for viewer in (None, other):
        if viewer is not None:
            client.force_login(viewer)
        listing = client.get("/challenges/").content.decode()
        page = client.get(f"/challenges/{challenge.pk}/").content.decode()
        assert 'id="rec"' not in listing and lead.display_name not in listing
        assert f"/challenges/applications/{mine.pk}/" not in page and lead.display_name not in page
        assert card_of(listing, challenge)  # the same card, shared
