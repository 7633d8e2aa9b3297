"""Many clicks on "select" at the same instant, on PostgreSQL (DESIGN §5.7).

The challenge's row lock makes "how many are selected?" and the selection one step; the check
constraint on the winners counter is the backstop. Each is shown to hold alone, and the negative
control (no lock, no constraint) does select too many.
"""

import threading
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from challenges.errors import ChallengeError
from challenges.models import Application, Challenge
from challenges.services import application_select
from challenges.services import selecting as selecting_module

from ..events.test_concurrency import run_together
from .factories import application, company_with_member, published_challenge

RACERS = 12
WINNERS = 2


@contextmanager
def without_constraint():
    constraint = next(c for c in Challenge._meta.constraints if c.name == "challenge_winners_cap")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Challenge, constraint)
    try:
        yield
    finally:
        Challenge.objects.update(winners_count=0)  # the race's excess would stop the constraint coming back
        with connection.schema_editor() as editor:
            editor.add_constraint(Challenge, constraint)


def unlock(monkeypatch):
    """The service as if it forgot the lock, with every racer counting the winners before any of
    them selects: the window the lock closes is then open for all of them on every run, however
    unevenly the threads got their connections (a 50 ms pause here depended on the machine's
    load). Only for the unlocked service: behind the real lock one racer at a time counts."""
    monkeypatch.setattr(
        selecting_module, "_lock_challenge", lambda pk: Challenge.objects.select_related("company").get(pk=pk)
    )
    count = selecting_module._winners_taken
    all_counted = threading.Barrier(RACERS, timeout=60)
    waited = threading.local()

    def count_then_wait(challenge):
        taken = count(challenge)
        # Only the first count (the check): the second, after the selection, runs while this racer
        # holds the challenge row (its winners_count UPDATE), which the others queue on.
        if not getattr(waited, "done", False):
            waited.done = True
            all_counted.wait()
        return taken

    monkeypatch.setattr(selecting_module, "_winners_taken", count_then_wait)
    # Closing locks the other applications; unlocked racers would deadlock there and PostgreSQL
    # would abort all but one, hiding the flaw this control is meant to show.
    monkeypatch.setattr(selecting_module, "_close", lambda challenge, actor: 0)


def race():
    company, boss = company_with_member()
    challenge = published_challenge(company, winners_max=WINNERS)
    shortlisted = [application(challenge, status=Application.Status.SHORTLISTED) for _ in range(RACERS)]
    today = timezone.localdate()
    errors = run_together(
        [
            lambda a=a: application_select(application=a, actor=boss, signed_on=today, amount_wan="50")
            for a in shortlisted
        ]
    )
    return challenge, errors


def selected(challenge) -> int:
    return Application.objects.filter(challenge=challenge, status=Application.Status.SELECTED).count()


def test_select_race_never_exceeds_winners(postgres):
    challenge, errors = race()
    assert selected(challenge) == WINNERS
    challenge.refresh_from_db()
    assert (challenge.winners_count, challenge.status) == (WINNERS, Challenge.Status.CLOSED)
    assert len(errors) == RACERS - WINNERS
    assert {type(e) for e in errors} == {ChallengeError}
    # The first losers find the challenge full; the later ones find it closed or their application decided.
    assert {e.code for e in errors} <= {"winners_full", "not_published", "not_shortlisted"}


def test_select_race_lock_alone_holds_without_constraint(postgres):
    with without_constraint():
        challenge, errors = race()
        assert selected(challenge) == WINNERS
    # The losers are refused by the service, not aborted by the database: with the lock broken by
    # hand, racers deadlock in _close and PostgreSQL aborts all but two, which counts 2 winners
    # too; only the errors tell that run from this one.
    assert len(errors) == RACERS - WINNERS
    assert {type(e) for e in errors} == {ChallengeError}, errors[:3]


def test_select_race_constraint_alone_holds_without_lock(postgres, monkeypatch):
    unlock(monkeypatch)
    challenge, errors = race()
    assert selected(challenge) == WINNERS
    assert len(errors) == RACERS - WINNERS
    assert {type(e) for e in errors} == {ChallengeError} and {e.code for e in errors} == {"winners_full"}


def test_select_race_without_lock_and_constraint_selects_too_many(postgres, monkeypatch):
    """The negative control: the same race with neither protection goes wrong."""
    unlock(monkeypatch)
    with without_constraint():
        challenge, errors = race()
        # Everyone counted 0 of 2 winners, so everyone was selected: 12 winners of at most 2.
        assert (selected(challenge), errors) == (RACERS, [])
        challenge.refresh_from_db()
        assert challenge.winners_count == RACERS
