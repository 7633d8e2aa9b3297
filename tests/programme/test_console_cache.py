"""The console dashboard's figures are rendered once per copy of the figures
(programme.selectors.cached.console_body_cached): never stale after a change, never shared
between a head-office viewer and a partner, nor between languages or time zones."""

import re
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.counting import tallies_catch_up
from programme.views import console
from tests.factories import RegistrationFactory, SeriesFactory, candidate, organizer

from .conftest import renders_spy
from .factories import checkin_raw, past_event, project

pytestmark = pytest.mark.django_db

PEOPLE = re.compile(r'data-total="people">(\d+)<')
PROJECTS = re.compile(r'data-total="projects">(\d+)<')


@pytest.fixture
def renders(monkeypatch):
    return renders_spy(monkeypatch, console)


def _client(user, **headers) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def _figures(page: str) -> str:
    return page[page.index('<div class="pg-totals"') : page.index('id="pg-figures"')]


def _url(series) -> str:
    return reverse("programme:console_dashboard", args=[series.pk])


def test_figures_are_rendered_once_then_again_after_a_check_in_or_a_project(series, renders):
    head = _client(organizer(manages_all=True))
    first = head.get(_url(series)).content.decode()
    assert PEOPLE.search(first)[1] == "2" and renders == ["programme/console/_figures.html"]
    renders.clear()
    second = head.get(_url(series)).content.decode()
    assert _figures(second) == _figures(first) and renders == []

    checkin_raw(RegistrationFactory(event=past_event(series), user=candidate()))
    tallies_catch_up()  # raises the figures version: a new copy of the figures, a new rendering
    page = head.get(_url(series)).content.decode()
    assert PEOPLE.search(page)[1] == "3" and renders == ["programme/console/_figures.html"]

    project(series)
    tallies_catch_up()
    page = head.get(_url(series)).content.decode()
    assert PEOPLE.search(page)[1] == "3" and PROJECTS.search(page)[1] == "1"


def test_a_partner_never_gets_the_head_offices_links_nor_the_reverse(series):
    people_list = reverse("programme:console_list", args=[series.pk, "people"])
    head, partner = _client(organizer(manages_all=True)), _client(organizer())
    for _ in range(2):  # the second round comes from the cache
        assert people_list in head.get(_url(series)).content.decode()
        partner_page = partner.get(_url(series)).content.decode()
        assert PEOPLE.search(partner_page)[1] == "2" and people_list not in partner_page


def test_languages_and_time_zones_are_kept_apart(series):
    user = organizer(manages_all=True)
    for _ in range(2):  # the second round comes from the cache
        chinese = _client(user).get(_url(series)).content.decode()
        english = _client(user, HTTP_ACCEPT_LANGUAGE="en").get(_url(series)).content.decode()
        assert "按活动" in chinese and "By event" not in chinese
        assert "By event" in english and "按活动" not in english


def test_event_dates_follow_the_active_time_zone_not_the_first_viewers():
    # 17:00 UTC is 01:00 the next day in Shanghai: the dashboard prints the event's date.
    starts = (timezone.now() - timedelta(days=10)).astimezone(UTC).replace(hour=17, minute=0)
    series = SeriesFactory()
    past_event(series, starts_at=starts, ends_at=starts + timedelta(hours=4))
    tallies_catch_up()
    user = organizer(manages_all=True)
    day_shanghai = timezone.localtime(starts).strftime("%Y-%m-%d")
    day_utc = starts.strftime("%Y-%m-%d")
    assert day_shanghai != day_utc
    shanghai = _client(user).get(_url(series)).content.decode()
    with timezone.override("UTC"):
        utc = _client(user).get(_url(series)).content.decode()
    cell = re.compile(r'<td class="nowrap">([0-9-]+)</td>')  # the "by event" table's date column
    assert cell.findall(shanghai) == [day_shanghai] and cell.findall(utc) == [day_utc]
