"""The public progress page as an anonymous visitor gets it: the whole page from the cache
(programme.selectors.cached.public_page_peek / public_page_cached), still current, per language,
with a working CSRF token of its own and the same headers; signed-in people never share it."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.counting import tallies_catch_up
from programme.counting.catch_up import RECENT_KEY
from programme.models import Cursor
from programme.views import public
from tests.factories import RegistrationFactory, candidate

from .conftest import renders_spy
from .factories import checkin_raw, past_event, project

pytestmark = pytest.mark.django_db

PEOPLE = re.compile(r'data-total="people">(\d+)<')
PROJECTS = re.compile(r'data-total="projects">(\d+)<')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def renders(monkeypatch):
    return renders_spy(monkeypatch, public)


def _url(series):
    return reverse("programme:progress", args=[series.slug])


def _without_token(html: str) -> str:
    return TOKEN.sub("TOKEN", html)


def test_anonymous_page_comes_from_the_cache_and_shows_a_check_in_or_project_at_once(series, renders):
    url = _url(series)
    first = Client().get(url).content.decode()
    assert PEOPLE.search(first)[1] == "2" and renders.count("programme/progress.html") == 1
    renders.clear()
    second = Client().get(url).content.decode()
    assert renders == [] and _without_token(second) == _without_token(first)

    checkin_raw(RegistrationFactory(event=past_event(series), user=candidate()))
    tallies_catch_up()  # raises the figures version, and marks the counters caught up
    assert PEOPLE.search(Client().get(url).content.decode())[1] == "3"

    project(series)
    tallies_catch_up()
    cache.delete(RECENT_KEY)  # no "caught up" mark: the view looks the series up and catches up
    page = Client().get(url).content.decode()
    assert PEOPLE.search(page)[1] == "3" and PROJECTS.search(page)[1] == "1"


def test_anonymous_page_catches_up_when_the_counters_have_not_lately(series):
    # A check-in from the door's fast lane reaches the counters by a nudge or Celery beat; when
    # neither ran lately the page view counts it itself, before any kept copy is trusted.
    url = _url(series)
    Client().get(url)
    checkin_raw(RegistrationFactory(event=past_event(series), user=candidate()))
    cache.delete(RECENT_KEY)
    Cursor.objects.update(ran_at=timezone.now() - timedelta(minutes=1))
    assert PEOPLE.search(Client().get(url).content.decode())[1] == "3"


def test_english_and_chinese_pages_never_mix(series):
    url = _url(series)
    for _ in range(2):  # the second round comes from the cache
        chinese = Client().get(url).content.decode()
        english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
        chooser = Client()
        chooser.cookies["django_language"] = "en"  # as the language form leaves it
        chosen = chooser.get(url).content.decode()
        assert '<html lang="zh-hans">' in chinese and "目标进展" in chinese and "Target progress" not in chinese
        for page in (english, chosen):
            assert '<html lang="en">' in page and "Target progress" in page and "目标进展" not in page
            assert 'value="zh-hans"' in page  # the switch offers Chinese


def test_signed_in_view_is_never_served_from_or_stored_into_the_anonymous_cache(series, client):
    url = _url(series)
    person = candidate(full_name="卫青")
    client.force_login(person)
    mine = client.get(url)  # first: nothing kept yet
    assert person.display_name in mine.content.decode() and "no-store" in mine["Cache-Control"]
    anonymous = Client().get(url)
    assert person.display_name not in anonymous.content.decode() and not anonymous.has_header("Cache-Control")
    logout = f'action="{reverse("account_logout")}"'
    assert logout in mine.content.decode() and logout not in anonymous.content.decode()
    mine = client.get(url)  # now an anonymous copy is kept: still their own page
    assert person.display_name in mine.content.decode() and "no-store" in mine["Cache-Control"]


def test_each_anonymous_page_carries_a_working_csrf_token_of_its_own(series):
    url = _url(series)
    Client().get(url)  # the copy is kept
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(url)
    token = TOKEN.search(response.content.decode())[1]
    assert "placeholder" not in token and response.cookies["csrftoken"].value  # the cookie is set
    answer = visitor.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and answer.cookies["django_language"].value == "en"
    other = TOKEN.search(Client().get(url).content.decode())[1]
    assert other != token


def test_anonymous_page_has_the_headers_of_a_rendered_one(series):
    url = _url(series)
    rendered = Client().get(url + "?from=qr")  # a query string: rendered per request
    for _ in range(2):  # kept, then from the cache
        cached = Client().get(url)
        assert cached["Content-Type"] == "text/html; charset=utf-8"
        assert cached["Content-Language"] == "zh-hans" and cached["Vary"] == "Cookie, Accept-Language"
        assert "script-src 'self'" in cached["Content-Security-Policy"] and not cached.has_header("Cache-Control")
        skip = {"Content-Length", "X-Request-ID"}
        assert {k: v for k, v in cached.items() if k not in skip} == {
            k: v for k, v in rendered.items() if k not in skip
        }
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert english["Content-Language"] == "en"


def test_a_query_string_or_a_message_is_not_lost_to_the_cached_copy(series, client):
    url = _url(series)
    Client().get(url)
    # The language form sends the visitor back to where they were, query string included.
    assert f'name="next" type="hidden" value="{url}?from=qr"' in Client().get(url + "?from=qr").content.decode()
    assert f'name="next" type="hidden" value="{url}"' in Client().get(url).content.decode()
    client.force_login(candidate())
    client.post(reverse("account_logout"))  # "signed out": a message for the next page
    assert 'class="messages"' in client.get(url).content.decode()
    assert 'class="messages"' not in client.get(url).content.decode()  # shown once, then the copy


def test_renamed_series_is_not_served_under_its_old_slug(series, django_capture_on_commit_callbacks):
    old = _url(series)
    assert "青岛博士后年" in Client().get(old).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        series.slug, series.title = f"{series.slug}-new", "新名字"
        series.save()
    assert Client().get(old).status_code == 404
    assert "新名字" in Client().get(_url(series)).content.decode()


def test_a_page_with_a_csp_nonce_is_not_kept(series, monkeypatch):
    # No template asks for one today (scripts are files); if base.html ever does, the nonce is
    # that response's own and its page must not be served to anyone else.
    real = public.render_to_string
    pages = []

    def render_with_nonce(name, *args, **kwargs):
        if name == "programme/progress.html":
            pages.append(str(kwargs["request"].csp_nonce))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(public, "render_to_string", render_with_nonce)
    for _ in range(2):
        Client().get(_url(series))
    assert len(pages) == 2 and pages[0] != pages[1]
