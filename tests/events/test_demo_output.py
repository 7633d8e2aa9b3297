"""What `manage.py load_demo` prints, on an empty database (tests/events/test_demo.py shares one
loaded demo between its tests)."""

import pytest

from .test_demo import load

pytestmark = pytest.mark.django_db


def test_output_lists_the_logins_and_the_url():
    out = load("--password", "pw-for-this-test")
    for text in (
        "http://127.0.0.1:8000/",
        "pw-for-this-test",
        "organizer@boju.local",
        "partner@boju.local",
        "candidate1@boju.local",
        "company1@boju.local",
    ):
        assert text in out
    assert "relative to" in load()


def test_the_banner_names_the_site_url(settings):
    settings.BOJU_SITE_URL = "http://127.0.0.1:8101"
    assert "Boju demo: http://127.0.0.1:8101/" in load()
