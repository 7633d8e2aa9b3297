"""Set-ups shared by the programme's page-cache tests."""

import pytest

from programme.counting import tallies_catch_up
from programme.services import targets_default
from tests.factories import RegistrationFactory, SeriesFactory, candidate

from .factories import checkin_raw, past_event


@pytest.fixture
def series():
    """A series with its default targets and two people checked in at a past event, counted."""
    series = SeriesFactory(title="青岛博士后年")
    targets_default(series=series, actor=None)
    event = past_event(series)
    for _ in range(2):
        checkin_raw(RegistrationFactory(event=event, user=candidate()))
    tallies_catch_up()
    return series


def renders_spy(monkeypatch, views_module) -> list[str]:
    """The names of the templates `views_module` renders with render_to_string (none when a
    page comes from the cache)."""
    names = []
    real = views_module.render_to_string
    monkeypatch.setattr(
        views_module, "render_to_string", lambda name, *a, **k: names.append(name) or real(name, *a, **k)
    )
    return names
