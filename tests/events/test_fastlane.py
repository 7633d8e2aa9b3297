"""The registration fast lane (events/fastlane.py) answers the form's POST as Django does.

Each request is sent as a browser sends it (session and CSRF cookies, the form's token) to the
lane as an ASGI app with Django behind it, and counted when the lane hands it on. The lane must
answer the plain case itself exactly as Django would (same redirect, message, headers, rows and
pushes), hand everything else on, and keep the seat rule under a race, proven by a negative
control that takes its lock away.
"""

import asyncio
import re

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.base import SessionBase
from django.core.asgi import get_asgi_application
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from prometheus_client import REGISTRY

from accounts.models import AuditEntry
from events import fastlane_sql
from events.fastlane import RegistrationFastLane
from events.models import Event, Registration
from events.services.registration import seats_recount
from notifications import live
from notifications.models import OutboxMessage

from ..asgi_support import asgi_call, loop  # noqa: F401  (fixture)
from ..factories import EventFactory, UserFactory, candidate, organizer
from .questions_factories import event_with_questions

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "k" * 32  # the CSRF cookie; Django takes the unmasked secret as the form's token too
FORM = "application/x-www-form-urlencoded"


class Answer:
    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes):
        self.status = status
        self.headers = {}
        self.cookies = {}
        for name, value in headers:
            name, value = name.decode().lower(), value.decode("latin-1")
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
            else:
                self.headers[name] = value
        self.body = body

    def messages(self) -> list[tuple[int, str]]:
        """The messages the answer's cookie carries, decoded by Django's cookie storage."""
        request = HttpRequest()
        request.COOKIES = {"messages": self.cookies["messages"]}
        return [(m.level, m.message) for m in CookieStorage(request)]


class Behind:
    """Django's ASGI app, counting the requests the lane hands on."""

    def __init__(self):
        self.app = get_asgi_application()
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await self.app(scope, receive, send)


class Browser:
    """One visitor: their cookies, and the POST the registration form sends."""

    def __init__(self, loop, app, user=None):
        self.loop, self.app = loop, app
        self.cookies = {"csrftoken": SECRET}
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookies["sessionid"] = client.cookies["sessionid"].value

    def register(self, event_id: int, *, body: bytes | None = None, content_type: str = FORM, headers=()):
        return asyncio.run_coroutine_threadsafe(
            self.send(f"/events/{event_id}/register/", body, content_type, headers), self.loop
        ).result(60)

    async def send(self, path, body, content_type, extra) -> Answer:
        body = f"csrfmiddlewaretoken={SECRET}".encode() if body is None else body
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        defaults = [
            (b"host", b"testserver"),
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", cookie.encode()),
            (b"accept-language", b"zh-hans"),
        ]
        extra_names = {name for name, _value in extra}
        headers = [*((name, value) for name, value in defaults if name not in extra_names), *extra]
        return Answer(*await asgi_call(self.app, "POST", path, headers, body))


@pytest.fixture
def behind():
    return Behind()


@pytest.fixture
def lane(loop, postgres, behind):
    lane = RegistrationFastLane(behind)
    yield lane
    asyncio.run_coroutine_threadsafe(lane.close(), loop).result(30)


@pytest.fixture(autouse=True)
def pushes(monkeypatch):
    """The live pushes sent, whichever way in sent them: [(group, payload)]. Recorded instead
    of sent, so nothing of a test still runs on the loop after it."""
    sent = []
    monkeypatch.setattr(live, "publish", lambda group, payload: sent.append((group, payload)))
    monkeypatch.setattr(live, "publish_latest", lambda group, payload, order: sent.append((group, payload)))
    return sent


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    """The outbox ids handed to the worker by either way in (recorded, not delivered: the
    delivery of outbox rows has its own tests in tests/notifications and tests/robustness)."""
    import events.fastlane
    import notifications.services

    ids = []
    monkeypatch.setattr(events.fastlane, "notice_enqueue", ids.append)
    monkeypatch.setattr(notifications.services, "notice_enqueue", ids.append)
    return ids


def visitor(loop, app, user=None) -> Browser:
    return Browser(loop, app, user)


def answered(by: str) -> float:
    """The lane's /metrics counter (boju_registration_fast_lane_total) for `by`."""
    return REGISTRY.get_sample_value("boju_registration_fast_lane_total", {"answer": by}) or 0.0


def test_the_lane_answers_a_registration_exactly_as_django_does(loop, lane, behind, pushes, enqueued):
    event = EventFactory(capacity=5)
    ContentType.objects.get_for_model(Registration)
    by_lane, by_django = candidate(), candidate()
    before = answered("lane"), answered("django")
    lane_answer = visitor(loop, lane, by_lane).register(event.pk)
    assert behind.calls == 0  # the lane answered it
    assert (answered("lane"), answered("django")) == (before[0] + 1, before[1])
    django_answer = visitor(loop, behind, by_django).register(event.pk)  # straight to Django
    assert lane_answer.status == django_answer.status == 302
    varying = {"x-request-id"}
    assert {k: v for k, v in lane_answer.headers.items() if k not in varying} == {
        k: v for k, v in django_answer.headers.items() if k not in varying
    }
    assert lane_answer.headers["location"] == event.get_absolute_url()
    assert len(lane_answer.headers["x-request-id"]) == 32
    assert set(lane_answer.cookies) == set(django_answer.cookies) == {"messages"}
    assert lane_answer.messages() == django_answer.messages() == [(25, "报名成功，您的名额已确认。")]

    mine, theirs = (Registration.objects.get(event=event, user=user) for user in (by_lane, by_django))
    assert (mine.status, theirs.status) == ("confirmed", "confirmed")
    assert mine.confirmed_at == mine.created_at and mine.cancelled_at is None
    assert mine.created_at < theirs.created_at
    audits = [AuditEntry.objects.get(target_id=str(r.pk), action="registration.confirmed") for r in (mine, theirs)]
    for entry, registration, user in zip(audits, (mine, theirs), (by_lane, by_django), strict=True):
        assert (entry.actor_id, entry.actor_ref, entry.target_repr) == (
            user.pk,
            user.pk,
            f"registration#{registration.pk}",
        )
        assert entry.data == {"event": event.pk}
        assert entry.target_type == ContentType.objects.get_for_model(Registration)
    notices = [OutboxMessage.objects.get(pk=pk) for pk in enqueued]
    assert [n.payload.pop("user_ids") for n in notices] == [[by_lane.pk], [by_django.pk]]
    assert [n.payload["context"].pop("registration_id") for n in notices] == [mine.pk, theirs.pk]
    assert notices[0].payload == notices[1].payload and notices[0].status == "pending"

    event.refresh_from_db()
    assert (event.seats_confirmed, event.seats_waitlisted, event.registration_version) == (2, 0, 2)
    seats = [p for g, p in pushes if g == f"event.{event.pk}.public"]
    assert [(s["version"], s["confirmed"], s["seats_left"]) for s in seats] == [(1, 1, 4), (2, 2, 3)]
    assert (
        f"user.{by_lane.pk}",
        {"type": "registration.changed", "event": event.pk, "registration": mine.pk, "status": "confirmed"},
    ) in pushes


def test_the_lane_puts_a_full_events_registrations_on_the_waiting_list_in_order(loop, lane, behind):
    event = EventFactory(capacity=1)
    people = [candidate() for _ in range(3)]
    answers = [visitor(loop, lane, person).register(event.pk) for person in people]
    assert behind.calls == 0
    assert [a.messages() for a in answers] == [
        [(25, "报名成功，您的名额已确认。")],
        [(20, "名额已满，您已进入候补名单，当前第 1 位。")],
        [(20, "名额已满，您已进入候补名单，当前第 2 位。")],
    ]
    event.refresh_from_db()
    assert (event.seats_confirmed, event.seats_waitlisted) == seats_recount(event) == (1, 2)


def test_the_answer_speaks_the_language_asked_for(loop, lane, behind):
    event = EventFactory()
    chinese = visitor(loop, lane, candidate()).register(event.pk)
    browser = visitor(loop, lane, candidate())
    browser.cookies["django_language"] = "en"  # the language switcher's cookie beats Accept-Language
    english = browser.register(event.pk)
    assert behind.calls == 0
    assert chinese.messages() == [(25, "报名成功，您的名额已确认。")]
    assert english.messages() == [(25, "You are registered; your seat is confirmed.")]
    assert (chinese.headers["content-language"], english.headers["content-language"]) == ("zh-hans", "en")


def handed_on(behind, answer, status: int) -> Answer:
    assert behind.calls == 1, "the lane should have handed this request to Django"
    assert answer.status == status
    return answer


def test_no_session_goes_to_django_which_asks_to_log_in(loop, lane, behind):
    event = EventFactory()
    before = answered("lane"), answered("django")
    answer = handed_on(behind, visitor(loop, lane).register(event.pk), 302)
    assert (answered("lane"), answered("django")) == (before[0], before[1] + 1)  # counted for /metrics
    assert answer.headers["location"].startswith("/accounts/login/")


def test_a_wrong_or_missing_csrf_token_goes_to_django_which_refuses_it(loop, lane, behind):
    event = EventFactory()
    person = candidate()
    handed_on(behind, visitor(loop, lane, person).register(event.pk, body=b"csrfmiddlewaretoken=" + b"x" * 32), 403)
    behind.calls = 0
    browser = visitor(loop, lane, person)
    browser.cookies.pop("csrftoken")
    handed_on(behind, browser.register(event.pk), 403)
    behind.calls = 0
    handed_on(
        behind, visitor(loop, lane, person).register(event.pk, headers=[(b"origin", b"http://evil.example")]), 403
    )
    assert not Registration.objects.exists()


def test_a_session_whose_password_changed_goes_to_django_which_logs_it_out(loop, lane, behind):
    event = EventFactory()
    person = candidate()
    browser = visitor(loop, lane, person)
    person.set_password("a new password 2026")
    person.save()
    answer = handed_on(behind, browser.register(event.pk), 302)
    assert answer.headers["location"].startswith("/accounts/login/")
    assert not Registration.objects.exists()


def test_a_session_of_an_unknown_backend_or_no_user_goes_to_django(loop, lane, behind):
    event = EventFactory()
    person = candidate()
    browser = visitor(loop, lane, person)
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore(browser.cookies["sessionid"])
    session[BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    session.save()
    handed_on(behind, browser.register(event.pk), 302)
    assert not Registration.objects.exists()


def test_every_refusal_is_django_s_with_its_message_and_nothing_written_by_the_lane(loop, lane, behind):
    person = candidate()
    cases = {
        "full": (EventFactory(capacity=0, waitlist_enabled=False), "名额已满，本活动不设候补。"),
        "closed": (EventFactory(registration_closes_at=timezone.now()), "报名已截止。"),
        "cancelled": (EventFactory(status=Event.Status.CANCELLED), None),
    }
    for code, (event, text) in cases.items():
        behind.calls = 0
        answer = handed_on(behind, visitor(loop, lane, person).register(event.pk), 302)
        assert answer.headers["location"] == event.get_absolute_url(), code
        if text:
            assert answer.messages() == [(40, text)], code
    assert not Registration.objects.exists()
    event = EventFactory(capacity=5)
    visitor(loop, lane, person).register(event.pk)
    behind.calls = 0
    answer = handed_on(behind, visitor(loop, lane, person).register(event.pk), 302)  # a second press
    assert answer.messages() == [(40, "您已报名该活动，无需重复报名。")]
    assert Registration.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert (event.seats_confirmed, event.registration_version) == (1, 1)  # the refusals rolled back


def test_what_the_lane_does_not_handle_goes_to_django(loop, lane, behind):
    person = candidate()
    draft = EventFactory(status=Event.Status.DRAFT)
    handed_on(behind, visitor(loop, lane, person).register(draft.pk), 404)
    behind.calls = 0
    handed_on(behind, visitor(loop, lane, person).register(987654321), 404)
    behind.calls = 0
    staff = visitor(loop, lane, organizer())
    handed_on(behind, staff.register(EventFactory().pk), 302)
    behind.calls = 0
    no_profile = visitor(loop, lane, UserFactory())
    answer = handed_on(behind, no_profile.register(EventFactory().pk), 302)
    assert answer.headers["location"].startswith(reverse("accounts:profile"))
    behind.calls = 0
    event, _editor, _questions = event_with_questions({"kind": "short_text", "label": "研究方向"})
    handed_on(behind, visitor(loop, lane, person).register(event.pk), 302)  # Django reads the answers
    assert Registration.objects.filter(event=event, user=person).exists()  # none was required
    behind.calls = 0
    nul = f"csrfmiddlewaretoken={SECRET}&x=%00".encode()
    handed_on(behind, visitor(loop, lane, person).register(EventFactory().pk, body=nul), 400)
    behind.calls = 0
    other = EventFactory()
    multipart = visitor(loop, lane, person).register(
        other.pk, body=b"--b\r\n\r\n--b--\r\n", content_type="multipart/form-data; boundary=b"
    )
    assert behind.calls == 1 and multipart.status == 403  # no token in that body


def test_a_host_not_allowed_or_plain_http_where_https_is_required_goes_to_django(loop, lane, behind, settings):
    event = EventFactory()
    person = candidate()
    answer = visitor(loop, lane, person).register(event.pk, headers=[(b"host", b"evil.example")])
    handed_on(behind, answer, 400)
    settings.SECURE_SSL_REDIRECT = True  # read when the server starts, as Django's middleware does
    behind.calls = 0
    behind.app = get_asgi_application()
    strict = RegistrationFastLane(behind)
    try:
        answer = handed_on(behind, visitor(loop, strict, person).register(event.pk), 301)
    finally:
        asyncio.run_coroutine_threadsafe(strict.close(), loop).result(30)
    assert answer.headers["location"].startswith("https://")
    assert not Registration.objects.exists()


def test_a_failure_inside_the_lane_is_answered_by_django_not_a_500(loop, lane, behind, monkeypatch):
    import events.fastlane

    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(events.fastlane, "registration_decide", broken)
    event = EventFactory()
    answer = handed_on(behind, visitor(loop, lane, candidate()).register(event.pk), 302)
    assert answer.messages() == [(25, "报名成功，您的名额已确认。")]  # Django registered them
    event.refresh_from_db()
    assert (event.seats_confirmed, event.registration_version) == (1, 1)  # the lane's lock rolled back


RACERS = 20


def race(loop, lane, event, people) -> list[Answer]:
    browsers = [visitor(loop, lane, person) for person in people]

    async def all_at_once():
        return await asyncio.gather(*(b.send(f"/events/{event.pk}/register/", None, FORM, ()) for b in browsers))

    return asyncio.run_coroutine_threadsafe(all_at_once(), loop).result(120)


def test_a_race_of_registrations_on_the_lane_never_oversells(loop, lane, behind, settings):
    settings.REGISTRATION_FAST_LANE_POOL = RACERS  # every racer holds a connection at once
    event = EventFactory(capacity=5)
    people = [candidate() for _ in range(RACERS)]
    answers = race(loop, lane, event, people)
    assert behind.calls == 0 and {a.status for a in answers} == {302}
    event.refresh_from_db()
    assert (event.seats_confirmed, event.seats_waitlisted) == seats_recount(event) == (5, RACERS - 5)
    told = {}  # person -> the waiting place their answer gave
    for person, answer in zip(people, answers, strict=True):
        found = re.search(r"第 (\d+) 位", answer.messages()[0][1])
        if found:
            told[person.pk] = int(found[1])
    # Each place given once, and in the order of the waiting list (created_at is taken under
    # the lock, so the list's order is the order the seats were handed out).
    waiting = Registration.objects.filter(event=event, status="waitlisted").order_by("created_at", "id")
    assert [told[r.user_id] for r in waiting] == list(range(1, RACERS - 4))


def test_without_the_lock_the_same_race_oversells(loop, lane, settings, monkeypatch):
    """Negative control: the lock statement swapped for a plain read, and every racer made to
    read before any writes (a barrier), so the seat rule breaks on every run."""
    settings.REGISTRATION_FAST_LANE_POOL = RACERS
    table = Event._meta.db_table
    locking = f"UPDATE {table} SET registration_version = registration_version + 1 WHERE id = %s RETURNING"
    assert fastlane_sql.LOCK.startswith(locking)
    unlocked = "SELECT" + fastlane_sql.LOCK.removeprefix(locking) + f" FROM {table} WHERE id = %s"
    barrier = asyncio.Barrier(RACERS)
    lock = fastlane_sql.Transaction.lock

    async def read_then_wait(self, *, event_id, user_id):
        seen = await lock(self, event_id=event_id, user_id=user_id)
        await asyncio.wait_for(barrier.wait(), 30)
        return seen

    monkeypatch.setattr(fastlane_sql, "LOCK", unlocked)
    monkeypatch.setattr(fastlane_sql.Transaction, "lock", read_then_wait)
    # The same parameters, the event's id moved from the UPDATE's WHERE to the SELECT's.
    monkeypatch.setattr(fastlane_sql, "lock_params", lambda e, u, sequences: [u, "cancelled", u, u, *sequences, e])
    event = EventFactory(capacity=5)
    race(loop, lane, event, [candidate() for _ in range(RACERS)])
    assert Registration.objects.filter(event=event, status="confirmed").count() > event.capacity


def test_a_session_decoded_is_only_read(loop, lane, behind):
    """The lane writes no session: the row is the same after a registration."""
    from django.contrib.sessions.models import Session

    person = candidate()
    browser = visitor(loop, lane, person)
    before = Session.objects.get(pk=browser.cookies["sessionid"])
    browser.register(EventFactory().pk)
    after = Session.objects.get(pk=browser.cookies["sessionid"])
    assert (after.session_data, after.expire_date) == (before.session_data, before.expire_date)
    assert isinstance(SessionBase().decode(after.session_data), dict)
