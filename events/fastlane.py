"""The registration fast lane: the form's `POST /events/<id>/register/`, on PostgreSQL.

When a popular fair opens its registration, thousands of candidates press the button within a
minute. Through Django each press costs about 6 ms of CPU, of which about 2 ms is the request
itself (a thread, the whole middleware chain) before the view starts (bench/registration_burst.py
--floor). This ASGI app sits in front of Django for that one request, as the door's
checkin.fastlane does for scans, and answers the plain case on the server's event loop:

- the checks are Django's own: CsrfViewMiddleware's check on a request built from the scope,
  the session decoded by the session engine, the user's session hash and `is_active` checked
  as django.contrib.auth.get_user does, the language picked as LocaleMiddleware picks it;
- the rules are `registration_decide()`, the function registration_create calls;
- the database work is three round trips on an async pool (events/fastlane_sql.py);
- the answer is built by Django's classes: the redirect, the message in the message storage's
  cookie, the headers of the response middleware that matter for a redirect.

Anything else is handed to Django, untouched: a request without a session or with a bad CSRF
token, a body that is not a small urlencoded form, a session Django would change (a rotated
CSRF cookie, a hash from an old SECRET_KEY), an event that does not exist or has questions,
and every refusal (full, closed, duplicate...), so each message and page lives in one place.
The lane answers only when it has written the registration.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

import psycopg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages.storage import default_storage
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from prometheus_client import Counter

from accounts.models import AuditEntry, User
from accounts.services import audit_repr
from config.middleware import RejectNulMiddleware
from notifications import live
from notifications.models import OutboxMessage
from notifications.services import notice_enqueue
from operations.logs import request_id_from

from . import fastlane_sql as sql
from .models import Registration
from .notices import registered_notice
from .seats import seats_payload
from .services.errors import RegistrationError
from .services.live import user_push_payload
from .services.registration import locked_profile, registration_decide

logger = logging.getLogger(__name__)
# The lane's answers are not in django-prometheus' django_http_* figures: this counts the
# registration POSTs it answered ("lane") and those it handed on ("django"), for /metrics.
ANSWERS = Counter("boju_registration_fast_lane", "Registration form POSTs by who answered them", ["answer"])

REGISTER_PATH = re.compile(r"/events/([1-9][0-9]{0,17})/register/")
BODY_MAX = 4096  # the form sends only its CSRF token; anything bigger is not the plain case
FORM = b"application/x-www-form-urlencoded"
Status = Registration.Status


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check that says "no" instead of rendering the 403 page and logging it:
    the request then goes to Django, which refuses it with its own page and log line."""

    def _reject(self, request, reason):
        return reason


def _no_response(request):  # the middlewares below are used for their process_response only
    raise AssertionError("not called")


class RegistrationFastLane:
    """ASGI middleware: plain registration POSTs on the lane, everything else to `app`."""

    def __init__(self, app):
        self.app = app
        self.store = sql.RegistrationStore()
        self.csrf = _CsrfCheck(_no_response)
        # The response middleware of settings.MIDDLEWARE whose headers a redirect carries, in
        # the order Django runs them (innermost first); the session's Vary and the no-store of
        # PersonalNoStoreMiddleware come between the two lists, as they do in Django.
        inner = [XFrameOptionsMiddleware, CommonMiddleware, LocaleMiddleware]
        if "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE:
            inner.insert(0, import_string("csp.middleware.CSPMiddleware"))
        self.inner = [m(_no_response) for m in inner]
        self.security = SecurityMiddleware(_no_response)
        self.outer = [self.security]
        # Their request side, for what it refuses or redirects: a Host not allowed (400), plain
        # HTTP where HTTPS is required (301), a refused user agent.
        self.gates = [self.security, next(m for m in self.inner if isinstance(m, CommonMiddleware))]
        self.session_engine = import_string(settings.SESSION_ENGINE)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        match = REGISTER_PATH.fullmatch(scope["path"])
        if match is None:
            return await self.app(scope, receive, send)
        if not _plain_form(scope["headers"]):
            ANSWERS.labels("django").inc()
            return await self.app(scope, receive, send)
        body, whole = await _read_body(receive)
        response = None
        if whole:
            request = ASGIRequest(scope, BytesIO(body))
            with translation.override(translation.get_language_from_request(request)):
                try:
                    response = await self.handle(request, int(match[1]))
                except psycopg.Error:
                    # Lost connection, a deadlock victim, the constraint of one active
                    # registration: nothing was committed, and Django answers it its way.
                    logger.warning("registration fast lane: handed on to Django", exc_info=True)
                    response = None
                except Exception:
                    # A bug of the lane's own must not become a 500: Django answers, and a
                    # registration the lane may have committed is then answered "duplicate".
                    logger.exception("registration fast lane failed; handed on to Django")
                    response = None
        if response is None:
            ANSWERS.labels("django").inc()
            return await self.app(scope, _replay(body, receive, whole), send)
        ANSWERS.labels("lane").inc()
        await _send(response, send)

    async def handle(self, request: ASGIRequest, event_id: int):
        """The response, or None to hand the request on to Django."""
        try:
            if any(gate.process_request(request) is not None for gate in self.gates):
                return None
        except (DisallowedHost, PermissionDenied):
            return None
        if RejectNulMiddleware._in(request.GET) or RejectNulMiddleware._in(request.POST):
            return None  # RejectNulMiddleware's 400
        if settings.SESSION_SAVE_EVERY_REQUEST:
            return None  # a session Django would write
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key:
            return None
        self.csrf.process_request(request)
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or self.csrf.process_view(request, _view, (), {}) is not None:
            return None
        async with self.store.transaction() as tx:
            data = await tx.session_data(session_key, timezone.now())
            if data is None:
                return None
            session = self.session_engine.SessionStore(session_key)
            session._session_cache = session.decode(data)  # read: the lane writes no session
            request.session = session
            user_id, backend = session.get(SESSION_KEY), session.get(BACKEND_SESSION_KEY)
            if backend not in settings.AUTHENTICATION_BACKENDS or not str(user_id or "").isdigit():
                return None
            seen = await tx.lock(event_id=event_id, user_id=int(user_id))
            user = User(id=int(user_id), password=seen.password or "", role=seen.role, is_active=seen.is_active)
            if seen.event is None or seen.password is None or not user.is_active:
                return None
            if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
                return None  # logged out by a password change, or a fallback key: Django's to handle
            event = seen.event
            # Taken after the lock, as registration_create does: `created_at` orders the waiting list.
            now = timezone.now()
            try:
                status = registration_decide(
                    event=event,
                    role=user.role,
                    profile=locked_profile(event),
                    now=now,
                    mine=event.mine,
                    by_id=True,
                    needs_answers=event.has_questions,
                )
            except RegistrationError:
                return None
            confirmed, waitlisted = int(status == Status.CONFIRMED), int(status == Status.WAITLISTED)
            registration = Registration(
                id=seen.registration_id,
                event_id=event.pk,
                user_id=user.pk,
                status=status,
                created_at=now,
                confirmed_at=now if confirmed else None,
            )
            place = event.seats_waitlisted + 1 if waitlisted else None
            await tx.write(
                self._rows(registration, event, user, seen.outbox_id, place),
                event_id=event.pk,
                confirmed=confirmed,
                waitlisted=waitlisted,
            )
        # Committed: what registration_create schedules on commit, in the same order.
        notice_enqueue(seen.outbox_id)
        event.seats_confirmed += confirmed
        event.seats_waitlisted += waitlisted
        payload = seats_payload(event)
        live.publish_latest(live.group_event_public(event.pk), payload, order=payload["version"])
        live.publish(live.group_user(user.pk), user_push_payload(registration))
        request.user = user
        return self._redirect(request, event, status, place)

    def _rows(self, registration, event, user, outbox_id: int, place: int | None) -> list:
        kind, context = registered_notice(registration, event, position=place)
        audit = AuditEntry(
            actor_id=user.pk,
            actor_ref=user.pk,
            action=f"registration.{registration.status}",
            target_type_id=self.store.registration_type,
            target_id=str(registration.pk),
            target_repr=audit_repr(registration),
            data={"event": event.pk},
            created_at=registration.created_at,
        )
        notice = OutboxMessage(
            id=outbox_id,
            kind=OutboxMessage.Kind.NOTICE,
            payload={"user_ids": [user.pk], "kind": kind, "context": context},
        )
        return [registration, audit, notice]

    def _redirect(self, request, event, status: str, place: int | None):
        from django.http import HttpResponseRedirect

        from .views.public import registered_message

        response = HttpResponseRedirect(event.get_absolute_url())
        storage = default_storage(request)
        storage.add(*registered_message(status, place))
        storage.update(response)
        if request.session.modified:
            return None  # cannot happen with the cookie storage's room for one message
        for middleware in self.inner:
            response = middleware.process_response(request, response)
        add_never_cache_headers(response)  # PersonalNoStoreMiddleware: built for a signed-in person
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))  # SessionMiddleware: the session was read
        for middleware in self.outer:
            response = middleware.process_response(request, response)
        response["X-Request-ID"] = request_id_from(request.headers.get("X-Request-ID", ""))
        return response

    async def close(self) -> None:
        await self.store.close()


def _view(request):  # stands for events.views.public.event_register in the CSRF check
    raise AssertionError("not called")


def _plain_form(headers) -> bool:
    """A small urlencoded form, with one Cookie header (what every browser sends)."""
    content_type = length = None
    cookies = 0
    for name, value in headers:
        if name == b"content-type":
            content_type = value.split(b";")[0].strip().lower()
        elif name == b"content-length":
            length = value
        elif name == b"cookie":
            cookies += 1
    return content_type == FORM and cookies == 1 and length is not None and length.isdigit() and int(length) <= BODY_MAX


async def _read_body(receive) -> tuple[bytes, bool]:
    """The body and whether it is whole (False: over BODY_MAX or the client went away)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > BODY_MAX:
            return b"".join(chunks), False
        if not message.get("more_body"):
            return b"".join(chunks), True


def _replay(body: bytes, receive, whole: bool):
    """A `receive` that gives Django what the lane has read, then the client's own messages."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not whole}
        return await receive()

    return replay


async def _send(response, send) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()]
    for cookie in response.cookies.values():
        headers.append((b"set-cookie", cookie.output(header="").encode("ascii").strip()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})


def registration_fast_lane_enabled() -> bool:
    return (
        bool(getattr(settings, "REGISTRATION_FAST_LANE", False))
        and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    )
