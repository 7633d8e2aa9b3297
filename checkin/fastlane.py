"""The door scan's fast lane: `POST /api/checkin/scan` with a device token, on PostgreSQL.

In the first hour of a fair the doors send hundreds of scans a second. Through Django each scan
costs about 5 ms of CPU (middleware, ORM, a thread per request), which two cores cannot give
500 times a second. This ASGI app sits in front of Django for that one request and does the
same work on the server's event loop: it reads the JSON, checks the code's signature (no
database access for a forged code), then talks to PostgreSQL in two pipelined round trips
(lock the ticket and read what the rules need; write the scan, the check-in and the audit entry
and commit) with an async connection pool. The rules themselves are `scan_decide()`, the same
function the Django service calls, and the answer is built from `checkin.protocol`, so both
ways in answer alike; the scan tests run against both (tests/checkin/test_fastlane.py).

Everything else goes to Django unchanged: session scans from the scanner page (they need the
session and CSRF), offline syncs, every other request, and every request on other databases.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime
from types import SimpleNamespace

import psycopg
from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import timezone, translation

from config.inputs import json_loads
from notifications.live import group_event_public, group_event_staff, publish

from . import fastlane_sql as sql
from .live import scan_row, scans_payload
from .protocol import SCAN_BODY_MAX, result_message, result_status, scan_item_parse
from .services.scanning import NUMBER_RE, ScanOutcome, scan_decide
from .services.setup import secret_hash
from .signals import checkins_recorded
from .tickets import TicketClaim, ticket_code_parse, ticket_signature_ok

logger = logging.getLogger(__name__)

SCAN_PATH = "/api/checkin/scan"
# A token seen valid (or invalid) this recently answers a forged code without a query; real
# scans always re-check the device in the database, so revocation takes effect at once.
TOKEN_MEMORY_S = 5.0
LAST_SEEN_EVERY_S = 60.0
INSIDE_PUSH_EVERY_S = 1.0
# The dashboard's rows wait this long (or until there are BATCH_MAX) to travel together.
BATCH_WINDOW_S = 0.05
BATCH_MAX = 200
HAND_ON = 0  # handle()'s status for "Django answers this one"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"vary", b"Accept-Language, Cookie"),
]


class ScanFastLane:
    """ASGI middleware: token scans on the fast lane, everything else to `app`."""

    def __init__(self, app):
        self.app = app
        self.store = sql.ScanStore()
        self._tokens: dict[str, tuple[float, bool]] = {}
        self._public_keys: dict[int, tuple[int, bytes] | None] = {}
        self._last_seen: dict[int, float] = {}
        self._inside_pushed: dict[int, float] = {}
        self._rows: dict[int, list[dict]] = {}
        self._tasks: set[asyncio.Task] = set()  # held so the loop cannot drop them half-way

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != SCAN_PATH or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"")
        if auth[:7].lower() != b"bearer ":
            return await self.app(scope, receive, send)
        body, too_large = await _read_body(receive, headers)
        with translation.override(_language(headers)):
            token = auth[7:].strip().decode("latin-1")
            try:
                status, data = await self.handle(token, body, too_large)
            except psycopg.OperationalError:
                # A connection lost to a PostgreSQL restart: once more on a fresh one (the pool
                # checks it when lending it). The nonce makes the repeat harmless.
                logger.warning("fast lane: database connection lost; retrying the scan once")
                try:
                    status, data = await self.handle(token, body, too_large)
                except psycopg.OperationalError:
                    logger.warning("fast lane: database unavailable", exc_info=True)
                    status, data = 503, {"result": "unavailable"}
            if status == HAND_ON:
                # A short ticket number typed at the door: rare, rate-limited and looked up by
                # Django (checkin.services.scanning.ticket_number_resolve), so the rule lives once.
                return await self.app(scope, _replay(body, receive), send)
            data.setdefault("message", result_message(data["result"]))
        payload = json.dumps(data, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def handle(self, token: str, body: bytes, too_large: bool) -> tuple[int, dict]:
        if not token or len(token) > 100:
            return _answer({"result": "unauthorized"})
        if too_large:
            return _answer({"result": "too_large"})
        try:
            item = scan_item_parse(json_loads(body))  # no RecursionError, no NUL
        except ValueError:
            item = None
        if item is None:
            return _answer({"result": "bad_request"})
        if NUMBER_RE.match(item["code"].strip()):
            return HAND_ON, {}
        hashed = secret_hash(token)
        claim = await self._verify(item["code"])
        if claim is None:
            # Forged or garbage: answered without touching a table when the token is known.
            if not await self._token_valid(hashed):
                return _answer({"result": "unauthorized"})
            return _answer(ScanOutcome("invalid").as_json())
        return await self._scan(hashed, claim, item)

    async def _scan(self, hashed: str, claim: TicketClaim, item: dict) -> tuple[int, dict]:
        now = timezone.now()
        gate = item["gate"]
        async with self.store.transaction() as tx:
            seen = await tx.read(token_hash=hashed, claim=claim, list_id=item["list"], now=now)
            self._tokens[hashed] = (time.monotonic(), seen.device_id is not None)
            # The same order of answers as the Django service: who scans, the key, the scope,
            # the list, the ticket.
            if seen.device_id is None:
                return _answer({"result": "unauthorized"})
            if not seen.key_active:
                return _answer(ScanOutcome("invalid").as_json())
            if not seen.in_scope:
                return _answer(ScanOutcome("wrong_event", event_id=claim.event_id).as_json())
            if seen.list is None:  # only a list given by id can be missing: see ScanStore.transaction
                return _answer({"result": "no_list"})
            nonce_key = f"d{seen.device_id}:{item['nonce']}"
            touch = self._touch_due(seen.device_id)
            if seen.list.event_id != claim.event_id:
                outcome = ScanOutcome("wrong_event", event_id=claim.event_id)
                written = await tx.write(
                    nonce_key=nonce_key,
                    event_id=claim.event_id,
                    list_id=seen.list.id,
                    ticket_id=None,
                    result="wrong_event",
                    gate=gate,
                    now=now,
                    flagged=False,
                    device_id=seen.device_id,
                    create=False,
                    touch=touch,
                )
            elif seen.ticket is None:
                return _answer(ScanOutcome("invalid").as_json())
            else:
                ticket = seen.ticket
                decision = scan_decide(
                    status=ticket.status,
                    window=seen.list.window,
                    scanned_at=now,
                    gate=gate,
                    existing=ticket.existing,
                    allow_reentry=seen.list.allow_reentry,
                    offline=False,
                    rehearsal_until=seen.list.rehearsal_until,
                )
                outcome = ScanOutcome.decided(decision, name=ticket.name, ticket_id=ticket.id, event_id=claim.event_id)
                written = await tx.write(
                    nonce_key=nonce_key,
                    event_id=claim.event_id,
                    list_id=seen.list.id,
                    ticket_id=ticket.id,
                    result="reentry" if decision.reentry else decision.result,
                    gate=gate,
                    now=now,
                    flagged=decision.flagged,
                    device_id=seen.device_id,
                    create=decision.create,
                    touch=touch,
                )
            if not written:
                await tx.rollback()
                return _answer(await self.store.replayed(nonce_key, claim))
        self._broadcast(
            outcome,
            list_id=seen.list.id,
            gate=gate,
            at=now,
            nonce=item["nonce"],
            new=outcome.result == "ok" and not outcome.reentry,
        )
        return _answer(outcome.as_json())

    async def _verify(self, code: str) -> TicketClaim | None:
        """ticket_code_verify() without the cache round trip: public keys never change, so each
        process keeps the ones it has seen; whether a key is retired is read with the scan."""
        parsed = ticket_code_parse(code)
        if parsed is None:
            return None
        key_id = parsed.claim.key_id
        if key_id not in self._public_keys:
            self._public_keys[key_id] = await self.store.public_key(key_id)
        key = self._public_keys[key_id]
        if key is None:
            del self._public_keys[key_id]  # unknown now, maybe created later: not remembered
        return parsed.claim if ticket_signature_ok(parsed, key) else None

    async def _token_valid(self, hashed: str) -> bool:
        remembered = self._tokens.get(hashed)
        if remembered is not None and time.monotonic() - remembered[0] < TOKEN_MEMORY_S:
            return remembered[1]
        valid = await self.store.device_exists(hashed)
        if len(self._tokens) > 10_000:
            self._tokens.clear()  # garbage tokens must not grow the memory without bound
        self._tokens[hashed] = (time.monotonic(), valid)
        return valid

    def _touch_due(self, device_id: int) -> bool:
        """last_seen_at is written at most once a minute per device and process."""
        now = time.monotonic()
        if now - self._last_seen.get(device_id, -LAST_SEEN_EVERY_S) < LAST_SEEN_EVERY_S:
            return False
        self._last_seen[device_id] = now
        return True

    def _broadcast(self, outcome: ScanOutcome, *, list_id: int, gate: str, at: datetime, nonce: str, new: bool) -> None:
        """The pushes of checkin.live.scan_broadcast, sent from the loop without waiting: the
        dashboard's rows are gathered for BATCH_WINDOW_S per event, the public count is sent
        at most once a second per event and process."""
        event_id = outcome.event_id
        result = "reentry" if outcome.reentry else outcome.result
        rows = self._rows.setdefault(event_id, [])
        rows.append(
            scan_row(
                list_id=list_id,
                result=result,
                name=outcome.name,
                gate=gate,
                scanned_at=at,
                flagged=outcome.flagged,
                nonce=nonce,
                offline=False,
                new=new,
            )
        )
        loop = asyncio.get_running_loop()
        if len(rows) >= BATCH_MAX:
            self._flush(event_id)
        elif len(rows) == 1:
            loop.call_later(BATCH_WINDOW_S, self._flush, event_id)
        if result == "ok" and new:
            checkins_recorded.send(sender=None, event_id=event_id)  # receivers only arm a timer
            last = self._inside_pushed.get(event_id, 0.0)
            if time.monotonic() - last >= INSIDE_PUSH_EVERY_S:
                self._inside_pushed[event_id] = time.monotonic()
                task = loop.create_task(self._push_inside(event_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def _flush(self, event_id: int) -> None:
        rows = self._rows.pop(event_id, None)
        if rows:
            publish(group_event_staff(event_id), scans_payload(event_id, rows))

    async def _push_inside(self, event_id: int) -> None:
        try:
            inside = await self.store.inside_count(event_id)
        except Exception:  # a push is best effort: pages re-read the count when they come back
            logger.exception("inside count for event %s failed", event_id)
            return
        publish(group_event_public(event_id), {"type": "checkin.inside", "event": event_id, "inside": inside})


def _replay(body: bytes, receive):
    """A `receive` that hands Django the body the lane has already read, then the client's own
    messages (Django listens for its disconnect while it answers)."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _answer(data: dict) -> tuple[int, dict]:
    return result_status(data["result"]), data


async def _read_body(receive, headers: dict) -> tuple[bytes, bool]:
    """The request body, or (b"", True) as soon as it is known to be over the limit."""
    try:
        if int(headers.get(b"content-length", b"0") or 0) > SCAN_BODY_MAX:
            return b"", True
    except ValueError:
        pass
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", True  # the client went away; nothing is answered to it anyway
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > SCAN_BODY_MAX:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks), False


def _language(headers: dict) -> str:
    """The language Django's LocaleMiddleware would pick (language cookie, then Accept-Language)."""
    request = SimpleNamespace(
        COOKIES=parse_cookie(headers.get(b"cookie", b"").decode("latin-1")),
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
    )
    return translation.get_language_from_request(request)


def fast_lane_enabled() -> bool:
    return (
        bool(getattr(settings, "CHECKIN_FAST_LANE", False))
        and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    )
