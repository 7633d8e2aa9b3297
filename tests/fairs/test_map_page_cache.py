"""The signed-out map page kept per process (fairs.selectors.map_page_cached, config/pages.py):
rendered once for everyone, each response with its own CSRF token, never older than the map."""

import re

import pytest
from django.test import Client

from config.pages import CSRF_PLACEHOLDER
from fairs.models import Booth, Fair

from .factories import booths, fair_with_booths, member

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def rendered(response) -> bool:
    return "fairs/map.html" in [t.name for t in response.templates]


def snapshot(response) -> dict:
    import json

    text = re.search(
        r'<script id="fair-snapshot" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(text.group(1))


def warm(url: str) -> None:
    Client().get(url)  # the process loads the fair row; from the next read on it is a held copy


def test_signed_out_visitors_share_one_rendering_each_with_a_working_token_of_their_own():
    fair = fair_with_booths(3)
    url = f"/fairs/{fair.pk}/map/"
    warm(url)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one, two = first.get(url), second.get(url)
    assert (one.status_code, two.status_code) == (200, 200)
    assert rendered(one) and not rendered(two)  # the second visitor got the kept page
    tokens = [TOKEN.findall(r.content.decode()) for r in (one, two)]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
    assert CSRF_PLACEHOLDER not in two.content.decode()
    assert re.sub(TOKEN, "", one.content.decode()) == re.sub(TOKEN, "", two.content.decode())
    # The token in the kept page is this visitor's own: the language form it sits in is accepted.
    answer = second.post("/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": tokens[1][0]})
    assert answer.status_code == 302


def test_the_kept_page_follows_every_change_of_the_map_the_event_and_the_clock(
    django_capture_on_commit_callbacks, monkeypatch
):
    from fairs.services import booth_book

    fair = fair_with_booths(3)
    url = f"/fairs/{fair.pk}/map/"
    warm(url)
    Client().get(url)
    free = booths(fair)[0]
    assert {b["id"]: b["status"] for b in snapshot(Client().get(url))["booths"]}[free.pk] == "free"

    company, user = member()
    with django_capture_on_commit_callbacks(execute=True):
        booth_book(booth=free, company=company, actor=user)
    for _ in range(2):  # the first read loads the new row, the second keeps the page
        after = Client().get(url)
        assert {b["id"]: b["status"] for b in snapshot(after)["booths"]}[free.pk] != "free"
    assert not rendered(Client().get(url))  # kept

    event = fair.event
    event.title = "改名后的招聘会"
    with django_capture_on_commit_callbacks(execute=True):
        event.save()
    Client().get(url)  # the new row is loaded, then held
    assert "改名后的招聘会" in Client().get(url).content.decode()

    assert snapshot(Client().get(url))["booking_open"] is True
    monkeypatch.setattr(Fair, "booking_is_open", lambda self, now=None: False)  # the window closed
    assert snapshot(Client().get(url))["booking_open"] is False


def test_each_language_has_its_own_page():
    fair = fair_with_booths(2)
    url = f"/fairs/{fair.pk}/map/"
    warm(url)
    chinese = Client().get(url).content.decode()
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "展位图" in chinese and "Booth map" in english and "展位图</h1>" not in english


def test_signed_in_people_and_query_strings_get_a_page_rendered_for_them(client):
    fair = fair_with_booths(2)
    Booth.objects.filter(pk=booths(fair)[1].pk).update(code="B-9")
    url = f"/fairs/{fair.pk}/map/"
    warm(url)
    Client().get(url)  # kept for the signed-out
    highlighted = Client().get(f"{url}?highlight={booths(fair)[0].pk}")
    assert rendered(highlighted) and f'data-highlight="{booths(fair)[0].pk}"' in highlighted.content.decode()
    company, user = member()
    client.force_login(user)
    mine = [client.get(url), client.get(url)]
    assert all(rendered(r) for r in mine)
    assert 'data-can-book="1"' in mine[1].content.decode()  # the company's own page
    assert CSRF_PLACEHOLDER not in mine[1].content.decode()
