"""Two organizers confirm the same outcome at the same moment: it is counted once (the row lock).
The negative control takes the locks out and the same race counts it twice."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.db.models import QuerySet

from programme.counting import tallies_read
from programme.errors import ProgrammeError
from programme.models import Cursor, Outcome
from programme.services import outcome_report, outcome_review
from tests.factories import SeriesFactory, candidate, organizer

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, *, locked: bool):
    series = SeriesFactory()
    person = candidate()
    outcome = outcome_report(actor=person, series=series, kind="station_entry", happened_on=date.today())
    reviewers = [organizer(manages_all=True), organizer(manages_all=True)]
    Cursor.objects.get_or_create(name="outcome")  # as after the first review ever
    barrier = threading.Barrier(2)
    original_save = Outcome.save

    def save_after_both_read(self, *args, **kwargs):
        # Both reviewers line up here, after reading the status and before writing it. With the
        # lock the second one is still waiting for the row, so the first goes on after a moment.
        try:
            barrier.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Outcome, "save", save_after_both_read)
    if not locked:
        monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *a, **k: self)
    answers = []

    def review(user):
        try:
            outcome_review(outcome=outcome, actor=user, approve=True)
            answers.append("confirmed")
        except ProgrammeError as error:
            answers.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(user,)) for user in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(answers), tallies_read(series.pk).get(("outcomes", "station_entry"), 0)


def test_outcome_confirmed_twice_at_once_counts_once(postgres, monkeypatch):
    answers, counted = _race(monkeypatch, locked=True)
    assert answers == ["confirmed", "not_waiting"]
    assert counted == 1


def test_without_the_lock_the_same_race_counts_twice(postgres, monkeypatch):
    answers, counted = _race(monkeypatch, locked=False)
    assert answers == ["confirmed", "confirmed"]
    assert counted == 2
