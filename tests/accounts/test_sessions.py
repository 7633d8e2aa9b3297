"""accounts.sessions: Django's database sessions with the read as plain SQL."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_reads_what_djangos_own_store_wrote_in_one_query(django_assert_num_queries):
    theirs = DjangoStore()
    theirs.update({"_auth_user_id": "42", "note": "青岛"})
    theirs.save()
    ours = SessionStore(theirs.session_key)
    with django_assert_num_queries(1):
        assert dict(ours.items()) == {"_auth_user_id": "42", "note": "青岛"}
    assert ours.session_key == theirs.session_key


def test_an_expired_or_unknown_key_reads_empty_and_starts_a_new_session():
    theirs = DjangoStore()
    theirs["note"] = "old"
    theirs.save()
    Session.objects.filter(session_key=theirs.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    for key in (theirs.session_key, "x" * 32):
        ours = SessionStore(key)
        assert dict(ours.items()) == {}
        assert ours.session_key is None  # Django's rule: a dead key is never reused
        ours["note"] = "new"
        ours.save()
        assert ours.session_key not in (None, key)
        assert DjangoStore(ours.session_key)["note"] == "new"


def test_what_it_saves_djangos_store_reads():
    ours = SessionStore()
    ours["n"] = 7
    ours.save()
    assert DjangoStore(ours.session_key)["n"] == 7
    ours.delete()
    assert not Session.objects.filter(session_key=ours.session_key).exists()
