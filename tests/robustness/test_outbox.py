"""The transactional outbox (notifications/outbox.py): what must reach someone is written with
its cause, survives a lost hand-over to Celery, and is delivered exactly once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import CompanyInvitation
from config.celery import app as celery_app
from notifications import outbox
from notifications.models import EmailDelivery, Notification, OutboxMessage
from notifications.services import notify_later
from notifications.tasks import deliver

from ..factories import candidate, company_member
from ..liveserver import free_port
from .support import celery_use_broker


def _announce_later(user):
    notify_later(user_ids=[user.pk], kind="announcement", context={"title": "入场须知", "body": "请携带身份证。"})


@pytest.mark.django_db(transaction=True)
def test_a_notice_is_written_with_its_cause_and_delivered_once():
    person = candidate()
    with transaction.atomic():
        _announce_later(person)
        row = OutboxMessage.objects.get()  # in the same transaction as the change that causes it
        assert (row.kind, row.status, row.payload["user_ids"]) == ("notice", "pending", [person.pk])
    row.refresh_from_db()  # on commit it was handed over (inline here) and delivered
    assert (row.status, row.attempts, row.payload) == ("done", 1, {})
    assert outbox.outbox_deliver(row.pk) == "skipped"  # a duplicate task does nothing
    assert Notification.objects.filter(user=person, kind="announcement").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_hand_over_is_redriven(monkeypatch):
    # Catches: notify_later queued the notice straight to Celery after commit; with the broker
    # down (or Redis restarted before a worker took it) the notice was gone for good.
    person = candidate()
    celery_app.conf.task_always_eager = False
    broker = celery_app.conf.broker_url
    celery_use_broker(celery_app, f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    try:
        with transaction.atomic():
            _announce_later(person)
    finally:
        celery_use_broker(celery_app, broker)
        celery_app.conf.task_always_eager = True
    row = OutboxMessage.objects.get()
    assert row.status == "pending" and not Notification.objects.exists()
    assert outbox.outbox_redrive() == 0  # not before REDRIVE_AFTER: the first hand-over may be on its way
    assert outbox.outbox_redrive(now=timezone.now() + outbox.REDRIVE_AFTER + timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == "done"
    assert Notification.objects.filter(user=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_message_write_one_notice(postgres, monkeypatch):
    """Eight workers get the same outbox message at once (a re-drive racing the first task)."""
    person = candidate()
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(outbox, "outbox_dispatch", lambda ids: None)  # the test hands it over itself
    with transaction.atomic():
        _announce_later(person)
    message_id, payload = OutboxMessage.objects.values_list("pk", "payload").get()
    celery_app.conf.task_always_eager = True

    def race(lock: bool) -> list[str]:
        OutboxMessage.objects.filter(pk=message_id).update(status="pending", payload=payload)
        Notification.objects.all().delete()
        handler = outbox.HANDLERS["notice"]

        # Unlocked, all eight read the message as pending before any marks it done (a barrier: a
        # 0.3 s pause depended on the machine's load). Locked, only one gets the row, so a barrier
        # would wait for seven that never come: the holder keeps it a while instead, so the
        # others find it held (skip_locked), not already done.
        all_read = threading.Barrier(8, timeout=30)

        def slow(payload):
            handler(payload)
            if lock:
                time.sleep(0.3)
            else:
                all_read.wait()

        monkeypatch.setitem(outbox.HANDLERS, "notice", slow)
        if not lock:  # negative control: the same code without the row lock
            monkeypatch.setattr(
                outbox.OutboxMessage.objects,
                "select_for_update",
                lambda **kw: OutboxMessage.objects.all(),
                raising=False,
            )
        barrier = threading.Barrier(8)
        results = []

        def run():
            try:
                barrier.wait()
                results.append(outbox.outbox_deliver(message_id))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        monkeypatch.undo()
        return results

    unlocked = race(lock=False)
    # All eight read it as pending, so all eight delivered it: eight notices of one message.
    assert unlocked == ["done"] * 8 and Notification.objects.filter(user=person).count() == 8
    locked = race(lock=True)
    assert OutboxMessage.objects.get().last_error == ""
    assert sorted(locked) == ["done"] + ["skipped"] * 7
    assert Notification.objects.filter(user=person).count() == 1


class RefusingBackend:
    """An SMTP server that is down: every send fails as a connection refusal would."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db(transaction=True)
def test_company_invitation_survives_a_mail_failure_and_is_sent_once(client, settings):
    # Catches: the invitation mail was sent inside the request (on commit); a mail failure gave
    # a 500 after the invitation was saved, and the mail was never retried.
    admin = company_member()
    company = admin.companies.get()
    client.force_login(admin)
    settings.EMAIL_BACKEND = "tests.robustness.test_outbox.RefusingBackend"
    response = client.post(reverse("accounts:company_invite", args=[company.pk]), {"email": "colleague@example.cn"})
    assert response.status_code == 302
    assert CompanyInvitation.objects.filter(company=company, email="colleague@example.cn").exists()
    row = OutboxMessage.objects.get(kind="mail")
    assert (row.status, row.email, row.attempts) == ("pending", "colleague@example.cn", 1)
    assert row.last_error == "ConnectionRefusedError: mail server down"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = row.available_at + outbox.REDRIVE_AFTER + timedelta(seconds=1)
    assert outbox.outbox_redrive(now=later) == 1
    assert outbox.outbox_redrive(now=later) == 0
    assert [m.to for m in mail.outbox] == [["colleague@example.cn"]]
    row.refresh_from_db()
    assert (row.status, row.payload, row.email) == ("done", {}, "")  # no address kept once sent


class BlockingBackend:
    """An SMTP conversation that is under way until the test lets it finish."""

    started = threading.Event()
    release = threading.Event()
    backend_pid = None

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        BlockingBackend.backend_pid = connection.connection.info.backend_pid
        BlockingBackend.started.set()
        BlockingBackend.release.wait(10)
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_no_stuck_sending_row(postgres, settings):
    # Catches: deliver() committed `sending` before talking to SMTP; a worker killed mid-send
    # left the row `sending` for an hour and then marked it failed: the e-mail was never sent.
    import psycopg

    person = candidate()
    with transaction.atomic():
        note = Notification.objects.create(user=person, kind="announcement", title="t", body="b")
        delivery = EmailDelivery.objects.create(notification=note)
    settings.EMAIL_BACKEND = "tests.robustness.test_outbox.BlockingBackend"
    BlockingBackend.started.clear()
    BlockingBackend.release.clear()
    errors = []

    def worker():
        try:
            deliver(delivery.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert BlockingBackend.started.wait(10)
    delivery.refresh_from_db()
    assert delivery.status == "pending"  # nothing "sending" is ever committed
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [BlockingBackend.backend_pid])  # the worker dies
    BlockingBackend.release.set()
    thread.join(20)
    assert errors  # its transaction could not commit
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver(delivery.pk) == "sent"  # at once, not an hour later
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1
