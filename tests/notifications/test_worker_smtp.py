"""A real Celery worker (subprocess) against Redis delivers the e-mail to a real SMTP server
(aiosmtpd) started here; the server refuses the first attempt with a 451, so the worker's
retry is exercised too, and the message arrives exactly once."""

import email
import os
import subprocess
import sys
import time
import uuid
from email.header import decode_header, make_header

import pytest
from django.db import transaction

from config.celery import app as celery_app
from notifications.models import EmailDelivery, Notification
from notifications.services import notify

from ..factories import EventFactory, candidate
from ..liveserver import ROOT, free_port
from ..liveserver import test_database_url as database_url

pytestmark = pytest.mark.django_db(transaction=True)


class Handler:
    """Refuses the first DATA with 451 (try again later), accepts the rest."""

    def __init__(self):
        self.refused = 0
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        if self.refused == 0:
            self.refused += 1
            return "451 Requested action aborted: local error in processing"
        self.accepted.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    import aiosmtpd.controller as aiosmtpd  # a test dependency: missing is an error, never a skip

    handler = Handler()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def worker_queue(redis_url):
    """A queue of this test's own, so tasks left in Redis by other tests are not picked up."""
    queue = f"boju-test-{uuid.uuid4().hex[:8]}"
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = before


def start_worker(queue, redis_url, smtp_port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "BOJU_EMAIL_RETRY_SECONDS": "1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # tasks the worker queues itself come back to it
    }
    log = open(ROOT / f".celery-{queue}.log", "w+b")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def run_worker_until(process, log, done, timeout=90.0) -> str:
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done():
            if process.poll() is not None:
                break
            time.sleep(0.2)
        time.sleep(1.5)  # a duplicate would arrive now, if the worker sent one
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
        log.close()
        os.unlink(log.name)
    return output


def test_real_worker_writes_and_mails_a_registration_confirmation(postgres, smtp_server, worker_queue, redis_url):
    """The production path of the hot registration: the request only queues notify_task; the
    worker writes the notification, queues the e-mail, and sends it with the event's .ics."""
    import icalendar

    from events.services import registration_create

    controller, handler = smtp_server
    event = EventFactory(title="博士后创新创业大赛路演")
    person = candidate()
    registration = registration_create(event=event, user=person)
    assert not Notification.objects.filter(user=person).exists()  # nothing written in the request
    process, log = start_worker(worker_queue, redis_url, controller.port)
    output = run_worker_until(process, log, lambda: handler.accepted)
    assert len(handler.accepted) == 1, output
    message = email.message_from_bytes(handler.accepted[0].content)
    assert str(make_header(decode_header(message["Subject"]))) == "【博聚】报名成功：博士后创新创业大赛路演"
    assert [p.get_filename() for p in message.walk() if p.get_filename()] == [f"boju-event-{event.pk}.ics",
                                                                            "ticket.png"]
    (ics,) = [part for part in message.walk() if part.get_filename() == f"boju-event-{event.pk}.ics"]
    (entry,) = icalendar.Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert str(entry["uid"]) == f"event-{event.pk}@boju"
    note = Notification.objects.get(user=person)
    assert (note.kind, note.context["registration_id"]) == ("registration.confirmed", registration.pk)
    assert EmailDelivery.objects.get(notification=note).status == "sent"


def test_real_worker_delivers_to_smtp_server_once_after_a_retry(postgres, smtp_server, worker_queue, redis_url):
    controller, handler = smtp_server
    event = EventFactory(title="青岛蓝洽会博士后专区")
    person = candidate()
    with transaction.atomic():
        note = notify(user=person, kind="announcement",
                      context={"title": event.title, "body": "请携带身份证入场。", "author": "市人社局",
                               "event_id": event.pk, "url": event.get_absolute_url()})
    process, log = start_worker(worker_queue, redis_url, controller.port)
    output = run_worker_until(process, log, lambda: handler.accepted)
    assert len(handler.accepted) == 1, output
    envelope = handler.accepted[0]
    assert envelope.rcpt_tos == [person.email]
    message = email.message_from_bytes(envelope.content)
    assert str(make_header(decode_header(message["Subject"]))) == "【博聚】主办方公告：青岛蓝洽会博士后专区"
    assert message["Content-Language"] == "zh-hans"
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    assert "请携带身份证入场。" in text.get_payload(decode=True).decode("utf-8")
    assert handler.refused == 1
    delivery = EmailDelivery.objects.get(notification=note)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
