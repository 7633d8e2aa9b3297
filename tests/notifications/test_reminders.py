"""Reminders 24 h and 2 h before events and sessions: each sent once, across runs and racing runs."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from notifications import reminders
from notifications.models import Notification, ReminderSent
from notifications.reminders import reminders_run
from notifications.tasks import reminders_send

from ..factories import EventFactory, RegistrationFactory, SessionFactory

QINGDAO = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 9, 10, 9, 0, tzinfo=QINGDAO)


def event_with_people(**fields):
    event = EventFactory(
        **{
            "title": "院士面对面",
            "starts_at": START,
            "ends_at": START + timedelta(hours=3),
            "registration_opens_at": None,
            **fields,
        }
    )
    seats = [RegistrationFactory(event=event).user for _ in range(2)]
    RegistrationFactory(event=event, status="waitlisted")
    RegistrationFactory(event=event, status="cancelled")
    return event, seats


@pytest.mark.django_db
def test_24h_then_2h_reminders_each_sent_once_over_two_runs(django_capture_on_commit_callbacks):
    event, seats = event_with_people()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run(now=START - timedelta(hours=23)) == 2
        assert reminders_run(now=START - timedelta(hours=23)) == 0
        assert reminders_run(now=START - timedelta(hours=3)) == 0  # still the 24 h window: already sent
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in seats)
    assert {m.subject for m in mail.outbox} == {"【博聚】明天此时开始：院士面对面"}
    assert "您报名的「院士面对面」将在 24 小时后开始。" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run(now=START - timedelta(minutes=100)) == 2
        assert reminders_run(now=START - timedelta(minutes=90)) == 0
    assert {m.subject for m in mail.outbox} == {"【博聚】2 小时后开始：院士面对面"}
    assert len(mail.outbox) == 2
    assert sorted(ReminderSent.objects.values_list("key", "offset")) == sorted(
        [(f"event:{event.pk}", "24h")] * 2 + [(f"event:{event.pk}", "2h")] * 2
    )
    assert reminders_run(now=START + timedelta(minutes=1)) == 0  # started: no more reminders


@pytest.mark.django_db
def test_late_registration_gets_only_the_nearest_reminder(django_capture_on_commit_callbacks):
    event, _seats = event_with_people()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run(now=START - timedelta(minutes=90)) == 2
    assert set(ReminderSent.objects.values_list("offset", flat=True)) == {"2h"}


@pytest.mark.django_db
def test_no_reminders_far_ahead_or_for_cancelled_or_draft_events():
    event_with_people()
    event_with_people(title="已取消", status="cancelled")
    event_with_people(title="草稿", status="draft")
    assert reminders_run(now=START - timedelta(days=3)) == 0
    assert reminders_run(now=START - timedelta(hours=20)) == 2  # only the published one


@pytest.mark.django_db
def test_sessions_on_later_days_get_their_own_reminder(django_capture_on_commit_callbacks):
    event, seats = event_with_people(ends_at=START + timedelta(days=1, hours=8))
    SessionFactory(event=event, title="第一天开幕", starts_at=START, ends_at=START + timedelta(hours=1))
    day_two = SessionFactory(
        event=event, title="第二天圆桌", starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders_run(now=START + timedelta(days=1) - timedelta(hours=1))
    notes = Notification.objects.filter(kind="reminder.session")
    assert sorted(n.user_id for n in notes) == sorted(u.pk for u in seats)
    assert {n.title for n in notes} == {"2 小时后开始：第二天圆桌"}
    assert set(ReminderSent.objects.values_list("key", flat=True)) == {f"session:{day_two.pk}"}


@pytest.mark.django_db
def test_beat_task_runs_the_reminders(django_capture_on_commit_callbacks):
    from django.utils import timezone

    soon = timezone.now() + timedelta(hours=1)
    event = EventFactory(starts_at=soon, ends_at=soon + timedelta(hours=1), registration_opens_at=None)
    RegistrationFactory(event=event)
    assert reminders_send.delay().get() == 1
    assert reminders_send.delay().get() == 0


RUNS = 8


def _race(now, threads=RUNS):
    barrier = threading.Barrier(threads)
    errors = []

    def run():
        try:
            barrier.wait(timeout=60)
            reminders_run(now=now)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a racing run hung"
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_racing_runs_send_each_reminder_once(postgres):
    event, seats = event_with_people()
    _race(START - timedelta(hours=5))
    notes = Notification.objects.filter(kind="reminder.event")
    assert sorted(n.user_id for n in notes) == sorted(u.pk for u in seats)
    assert ReminderSent.objects.count() == 2


def _send_unclaimed(all_read=None):
    """_send as if it trusted the "what was sent" read in reminders_run: it notifies and then
    records the reminders (conflicts ignored), instead of claiming each one first. With
    `all_read`, every run has read what was sent before any of them sends: the window the claim
    closes is then open for all of them on every run, however unevenly the threads started (a
    50 ms pause here depended on the machine's load)."""
    from notifications.services import notify_many

    def send(item, offset, user_ids):
        if all_read is not None:
            all_read.wait()
        notify_many(user_ids=user_ids, kind=item.kind, context={**item.context, "offset": offset})
        ReminderSent.objects.bulk_create(
            [ReminderSent(user_id=uid, key=item.key, offset=offset) for uid in user_ids], ignore_conflicts=True
        )
        return len(user_ids)

    return send


@pytest.mark.django_db(transaction=True)
def test_runs_one_after_another_without_the_claim_still_send_once(postgres, monkeypatch):
    """The control below is only about the race: one run after another, the unclaimed send
    still sends each reminder once (the second run reads what the first recorded)."""
    _event, seats = event_with_people()
    monkeypatch.setattr(reminders, "_send", _send_unclaimed())
    assert reminders_run(now=START - timedelta(hours=5)) == len(seats)
    assert reminders_run(now=START - timedelta(hours=5)) == 0
    assert Notification.objects.filter(kind="reminder.event").count() == len(seats)


@pytest.mark.django_db(transaction=True)
def test_racing_runs_without_the_claim_send_twice(postgres, monkeypatch):
    """Negative control: the same race with the ReminderSent claim skipped sends duplicates."""
    _event, seats = event_with_people()
    monkeypatch.setattr(reminders, "_send", _send_unclaimed(threading.Barrier(RUNS, timeout=60)))
    _race(START - timedelta(hours=5))
    # Every run read "nothing sent yet", so every run reminded everyone: each person RUNS times.
    notes = Notification.objects.filter(kind="reminder.event")
    assert sorted(notes.values_list("user_id", flat=True)) == sorted(u.pk for u in seats for _ in range(RUNS))
    assert ReminderSent.objects.count() == len(seats)


def test_beat_schedule_names_registered_tasks(settings):
    from config.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    # Other apps add their own periodic tasks (programme's counters); these must be there.
    assert names >= {
        "notifications.tasks.reminders_send",
        "notifications.tasks.emails_resend_pending",
        "notifications.tasks.outbox_redrive",
        "matchmaking.tasks.meetings_lapse_task",
    }
    assert names <= set(app.tasks)
    assert settings.CELERY_BEAT_SCHEDULE["notifications-reminders"]["schedule"] == 300.0


def test_offset_boundaries():
    """Exactly 2 h before is the 2 h reminder, exactly 24 h the 24 h one; at the start, none."""
    assert reminders.offset_due(START, START - timedelta(hours=24, seconds=1)) is None
    assert reminders.offset_due(START, START - timedelta(hours=24)) == "24h"
    assert reminders.offset_due(START, START - timedelta(hours=2, seconds=1)) == "24h"
    assert reminders.offset_due(START, START - timedelta(hours=2)) == "2h"
    assert reminders.offset_due(START, START - timedelta(seconds=1)) == "2h"
    assert reminders.offset_due(START, START) is None
    assert reminders.offset_due(START, START + timedelta(seconds=1)) is None


def test_a_source_registered_twice_is_asked_once(monkeypatch):
    """Apps register their source when Django starts (mutmut cannot reach that moment, so the
    function is tested here on its own)."""
    monkeypatch.setattr(reminders, "_sources", [])
    calls = []

    def source(starts_from, starts_until):
        calls.append((starts_from, starts_until))
        return []

    reminders.reminder_source_register(source)
    reminders.reminder_source_register(source)
    assert reminders._sources == [source]
    reminders_run(now=START)
    assert calls == [(START, START + reminders.HORIZON)]


@pytest.mark.django_db
def test_a_reminder_another_run_claimed_first_does_not_stop_the_others(django_capture_on_commit_callbacks):
    """Between reading what was sent and claiming, an overlapping run claimed one person's
    reminder: that one is skipped, everyone after them in the list still gets theirs."""
    event, seats = event_with_people()
    first, second = seats
    ReminderSent.objects.create(user=first, key=f"event:{event.pk}", offset="24h")
    item = reminders.Upcoming(
        key=f"event:{event.pk}",
        kind="reminder.event",
        starts_at=START,
        user_ids=[first.pk, second.pk],
        context={"title": event.title},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders._send(item, "24h", [first.pk, second.pk]) == 1
    assert list(Notification.objects.values_list("user_id", flat=True)) == [second.pk]


@pytest.mark.django_db
def test_an_item_with_nobody_to_remind_does_not_stop_the_next(monkeypatch, django_capture_on_commit_callbacks):
    event, seats = event_with_people()
    empty = reminders.Upcoming(key="event:0", kind="reminder.event", starts_at=START, user_ids=[])
    due = reminders.Upcoming(
        key=f"event:{event.pk}",
        kind="reminder.event",
        starts_at=START,
        user_ids=[u.pk for u in seats],
        context={"title": event.title},
    )
    monkeypatch.setattr(reminders, "_sources", [lambda starts_from, starts_until: [empty, due]])
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run(now=START - timedelta(hours=1)) == 2
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(u.pk for u in seats)


@pytest.mark.django_db
def test_a_run_after_everything_was_sent_writes_nothing(django_capture_on_commit_callbacks):
    """What was sent is read first (one query per item), so a run every five minutes does not
    try, and fail, to claim every reminder again; the unique claim is only for racing runs."""
    from django.test.utils import CaptureQueriesContext

    event_with_people()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run(now=START - timedelta(hours=20)) == 2
    with CaptureQueriesContext(connection) as queries:
        assert reminders_run(now=START - timedelta(hours=19)) == 0
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


@pytest.mark.django_db
def test_a_person_with_two_events_the_same_day_gets_a_reminder_for_each(django_capture_on_commit_callbacks):
    """What was sent is looked up per thing (key), not per person and offset only."""
    _morning, seats = event_with_people()
    afternoon = EventFactory(
        title="企业开放日",
        starts_at=START + timedelta(hours=2),
        ends_at=START + timedelta(hours=4),
        registration_opens_at=None,
    )
    RegistrationFactory(event=afternoon, user=seats[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_run(now=START - timedelta(hours=20)) == 3
    titles = sorted(Notification.objects.filter(user=seats[0]).values_list("context__title", flat=True))
    assert titles == ["企业开放日", "院士面对面"]
