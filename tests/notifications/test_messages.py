"""Every message events sends: recipient, language, subject, body, attachments, on-commit only."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.db import transaction

from events.models import Registration
from events.services import (
    event_cancel,
    event_update,
    registration_cancel,
    registration_create,
    registration_promote,
)
from notifications.models import EmailDelivery, Notification, Preference

from ..factories import EventFactory, candidate, organizer
from .support import ics_of, qr_provider_for_tests

pytestmark = pytest.mark.django_db

QINGDAO = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 6, 12, 9, 30, tzinfo=QINGDAO)


def fair(**fields):
    defaults = {
        "title": "海洋科学博士后专场",
        "starts_at": START,
        "ends_at": START + timedelta(hours=3),
        "registration_opens_at": None,
        "venue": "青岛国际会展中心",
        "address": "崂山区苗岭路9号",
        "capacity": 1,
    }
    return EventFactory(**{**defaults, **fields})


def only_mail():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def test_confirmed_registration_mail_has_subject_body_ics_and_qr(django_capture_on_commit_callbacks):
    event = fair()
    person = candidate(full_name="林晓")
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, user=person)
    message = only_mail()
    assert message.to == [person.email]
    assert message.subject == "【博聚】报名成功：海洋科学博士后专场"
    assert message.extra_headers["Content-Language"] == "zh-hans"
    assert "您已成功报名「海洋科学博士后专场」，名额已确认。" in message.body
    assert "时间：2031-06-12 09:30–12:30 （北京时间）" in message.body
    assert "地点：青岛 青岛国际会展中心 崂山区苗岭路9号" in message.body
    assert f"http://127.0.0.1:8000/events/{event.pk}/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "<p>您已成功报名「海洋科学博士后专场」，名额已确认。</p>" in html
    assert "&lt;p&gt;" not in html
    # The .ics from events, the ticket QR from checkin's provider (registered in its ready()).
    names = [name for name, _content, _mime in message.attachments]
    assert names == [f"boju-event-{event.pk}.ics", "ticket.png"]
    entry = ics_of(message, f"boju-event-{event.pk}.ics")
    assert str(entry["uid"]) == f"event-{event.pk}@boju"
    assert entry.decoded("dtstart") == START and str(entry["status"]) == "CONFIRMED"
    # The in-app copy, same words, and the e-mail marked sent exactly once.
    note = Notification.objects.get(user=person)
    assert (note.kind, note.title, note.url) == (
        "registration.confirmed",
        "报名成功：海洋科学博士后专场",
        f"/events/{event.pk}/",
    )
    assert note.context["registration_id"] == registration.pk
    assert EmailDelivery.objects.get(notification=note).status == "sent"


def test_confirmed_qr_attachment_decodes_back_to_the_ticket(django_capture_on_commit_callbacks):
    """The QR in the e-mail, read by an independent decoder, is the registration's signed ticket."""
    import zxingcpp  # a test dependency: missing is an error, never a skip
    from PIL import Image

    from checkin.models import Ticket
    from checkin.tickets import ticket_code_verify

    event = fair()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, user=candidate())
    ((_name, png, mime),) = [a for a in only_mail().attachments if a[0].endswith(".png")]
    assert mime == "image/png"
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    claim = ticket_code_verify(decoded.text)
    ticket = Ticket.objects.get(registration=registration)
    assert (claim.ticket_id, claim.event_id) == (ticket.pk, event.pk)


def test_attachment_providers_of_other_kinds_are_asked_by_kind(django_capture_on_commit_callbacks):
    """The registry itself: a provider registered for a kind adds its file to that kind only."""
    event = fair(capacity=0)
    with (
        qr_provider_for_tests(kinds=("registration.waitlisted",)) as expected,
        django_capture_on_commit_callbacks(execute=True),
    ):
        registration = registration_create(event=event, user=candidate())
    message = only_mail()
    assert [a[0] for a in message.attachments] == [f"ticket-{registration.pk}.png"]
    import zxingcpp  # a test dependency: missing is an error, never a skip
    from PIL import Image

    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(message.attachments[0][1])))
    assert decoded.text == expected(registration.pk)


def test_english_speaker_gets_english_frame(django_capture_on_commit_callbacks):
    event = fair()
    person = candidate()
    person.language = "en"
    person.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=person)
    message = only_mail()
    assert message.subject.startswith("[Boju] ")
    assert message.extra_headers["Content-Language"] == "en"
    assert "Beijing time" not in message.subject
    assert "In person" in message.body  # the mode label comes from the English catalogue


def test_waitlisted_mail_states_the_place(django_capture_on_commit_callbacks):
    event = fair(capacity=1)
    registration_create(event=event, user=candidate())
    mail.outbox.clear()
    second, third = candidate(), candidate()
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=second)
        registration_create(event=event, user=third)
    assert [m.to for m in mail.outbox] == [[second.email], [third.email]]
    assert mail.outbox[1].subject == "【博聚】已进入候补：海洋科学博士后专场"
    assert "您已进入候补名单，当前第 2 位。" in mail.outbox[1].body
    assert mail.outbox[1].attachments == []


def test_cancel_tells_owner_and_promoted_person(django_capture_on_commit_callbacks):
    event = fair(capacity=1)
    first, waiting = candidate(), candidate()
    registration = registration_create(event=event, user=first)
    registration_create(event=event, user=waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration, actor=first)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {first.email, waiting.email}
    assert by_person[first.email].subject == "【博聚】报名已取消：海洋科学博士后专场"
    assert "您已取消「海洋科学博士后专场」的报名。" in by_person[first.email].body
    promoted = by_person[waiting.email]
    assert promoted.subject == "【博聚】候补成功：海洋科学博士后专场"
    assert [a[0] for a in promoted.attachments] == [f"boju-event-{event.pk}.ics", "ticket.png"]
    assert Registration.objects.get(event=event, user=waiting).status == "confirmed"


def test_organizer_cancel_and_manual_promote_are_told(django_capture_on_commit_callbacks):
    event = fair(capacity=1)
    boss = organizer(manages_all=True)
    holder, waiting = candidate(), candidate()
    seat = registration_create(event=event, user=holder)
    waits = registration_create(event=event, user=waiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_promote(registration=waits, actor=boss)
    assert [(m.to, m.subject) for m in mail.outbox] == [([waiting.email], "【博聚】候补成功：海洋科学博士后专场")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=seat, actor=boss)
    assert "主办方已取消您在「海洋科学博士后专场」的报名。" in only_mail().body


def test_rolled_back_registration_sends_nothing(django_capture_on_commit_callbacks):
    event = fair()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            registration_create(event=event, user=candidate())
            raise RuntimeError("the request failed after registering")
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == 0 and Registration.objects.count() == 0


def test_event_change_tells_everyone_registered_what_changed(django_capture_on_commit_callbacks):
    event = fair(capacity=1, mode="hybrid", online_url="https://meeting.example.cn/old")
    boss = organizer(manages_all=True)
    seat, waiting, gone = candidate(), candidate(), candidate()
    registration_create(event=event, user=seat)
    registration_create(event=event, user=waiting)
    registration_cancel(registration=registration_create(event=event, user=gone), actor=gone)
    mail.outbox.clear()
    new_start = START + timedelta(days=1, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        event_update(
            event=event,
            actor=boss,
            data={
                "starts_at": new_start,
                "ends_at": new_start + timedelta(hours=3),
                "online_url": "https://meeting.example.cn/new",
            },
        )
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {seat.email, waiting.email}
    for message in by_person.values():
        assert message.subject == "【博聚】活动变更：海洋科学博士后专场"
        assert "· 开始时间：2031-06-12 09:30 → 2031-06-13 10:30" in message.body
        assert "· 结束时间：2031-06-12 12:30 → 2031-06-13 13:30" in message.body
    assert "· 线上链接：https://meeting.example.cn/old → https://meeting.example.cn/new" in by_person[seat.email].body
    html = by_person[seat.email].alternatives[0][0]
    assert '<a href="https://meeting.example.cn/new" rel="nofollow">https://meeting.example.cn/new</a>' in html
    assert "meeting.example.cn" not in by_person[waiting.email].body
    assert by_person[waiting.email].attachments == []  # nothing in their calendar to update
    entry = ics_of(by_person[seat.email], f"boju-event-{event.pk}.ics")
    assert (str(entry["uid"]), entry["sequence"]) == (f"event-{event.pk}@boju", 1)
    assert entry.decoded("dtstart") == new_start


def test_capacity_only_change_tells_nobody_and_keeps_sequence(django_capture_on_commit_callbacks):
    event = fair(capacity=1)
    registration_create(event=event, user=candidate())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, actor=organizer(manages_all=True), data={"capacity": 5})
    event.refresh_from_db()
    assert mail.outbox == [] and event.calendar_sequence == 0


def test_event_cancellation_sends_cancelled_ics(django_capture_on_commit_callbacks):
    event = fair(capacity=2)
    people = [candidate(), candidate()]
    waiting = candidate()
    for person in [*people, waiting]:
        registration_create(event=event, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=organizer(manages_all=True))
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {p.email for p in [*people, waiting]}
    message = by_person[people[0].email]
    assert message.subject == "【博聚】活动取消：海洋科学博士后专场"
    assert "原定于 2031-06-12 09:30–12:30（北京时间）举行的「海洋科学博士后专场」已取消" in message.body
    assert "附件中的日历文件会将日历中的该日程标记为已取消。" in message.body
    entry = ics_of(message, f"boju-event-{event.pk}.ics")
    assert (str(entry["status"]), entry["sequence"]) == ("CANCELLED", 1)
    assert by_person[waiting.email].attachments == []
    assert "附件" not in by_person[waiting.email].body


def test_email_preference_off_keeps_inbox_and_skips_mail(django_capture_on_commit_callbacks):
    event = fair(capacity=0)
    person = candidate()
    Preference.objects.create(user=person, kind="registration.waitlisted", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=person)
    assert mail.outbox == []
    note = Notification.objects.get(user=person)
    assert note.title == "已进入候补：海洋科学博士后专场"
    assert not EmailDelivery.objects.filter(notification=note).exists()


def test_ics_attachment_parses_with_second_parser(django_capture_on_commit_callbacks):
    import vobject  # a test dependency: missing is an error, never a skip

    event = fair()
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=candidate())
    ((_n, content, mime),) = [a for a in only_mail().attachments if a[0].endswith(".ics")]
    assert mime.startswith("text/calendar")
    parsed = vobject.readOne(content.decode() if isinstance(content, bytes) else content)
    assert parsed.vevent.uid.value == f"event-{event.pk}@boju"
    assert parsed.vevent.dtstart.value == START
    assert icalendar.Calendar.from_ical(content).walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"


def test_new_company_tells_every_organizer(django_capture_on_commit_callbacks):
    from accounts.services import company_create

    from ..factories import UserFactory, credit_code

    # Head office is told (two of them, one reading English); a partner organizer scoped to some
    # events is not: verifying companies is not theirs (issue 13).
    head, partner, scoped = organizer(manages_all=True), organizer(manages_all=True), organizer()
    partner.language = "en"
    partner.save(update_fields=["language"])
    candidate()
    applicant = UserFactory(role="company")
    code = credit_code()
    with django_capture_on_commit_callbacks(execute=True):
        company = company_create(
            admin=applicant, data={"name": "青岛深海装备有限公司", "credit_code": code, "industry": "marine"}
        )
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {head.email, partner.email} and scoped.email not in by_person
    assert by_person[head.email].subject == "【博聚】新单位待审核：青岛深海装备有限公司"
    assert f"「青岛深海装备有限公司」（统一社会信用代码 {code}）已提交单位认证" in by_person[head.email].body
    assert "http://127.0.0.1:8000/console/companies/" in by_person[head.email].body
    assert by_person[partner.email].subject.startswith("[Boju] ")
    assert Notification.objects.get(user=head).target == f"company:{company.pk}"


def test_announcement_html_is_escaped(django_capture_on_commit_callbacks):
    from notifications.services import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=candidate(),
            kind="announcement",
            context={
                "title": "A&B",
                "body": "<script>alert(1)</script> 见 https://boju.example.cn/x",
                "author": "主办方",
            },
        )
    message = only_mail()
    assert message.subject == "【博聚】主办方公告：A&B"
    assert "<script>alert(1)</script>" in message.body  # plain text stays as written
    html = message.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://boju.example.cn/x" rel="nofollow">' in html
