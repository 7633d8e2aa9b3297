"""A real Celery worker (subprocess) against Redis delivers the e-mail to a real SMTP server
(aiosmtpd) started here; the server refuses the first attempt with a 451, so the worker's
retry is exercised too, and the message arrives exactly once."""

import email
from email.header import decode_header, make_header

import pytest
from django.db import transaction

from notifications.models import EmailDelivery, Notification
from notifications.services import notify

from ..factories import EventFactory, candidate
from .worker_support import Handler, run_worker_until, smtp_controller, start_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_server():
    handler = Handler(refuse_first=True)
    controller = smtp_controller(handler)
    yield controller, handler
    controller.stop()


def test_real_worker_writes_and_mails_a_registration_confirmation(postgres, smtp_server, worker_queue, redis_url):
    """The production path of the hot registration: the request only writes an outbox row and
    queues outbox_deliver_task; the worker writes the notification, queues the e-mail, and sends
    it with the event's .ics."""
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
    assert [p.get_filename() for p in message.walk() if p.get_filename()] == [
        f"boju-event-{event.pk}.ics",
        "ticket.png",
    ]
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
        note = notify(
            user=person,
            kind="announcement",
            context={
                "title": event.title,
                "body": "请携带身份证入场。",
                "author": "市人社局",
                "event_id": event.pk,
                "url": event.get_absolute_url(),
            },
        )
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
