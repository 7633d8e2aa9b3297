"""One scan at the door, online or replayed from an offline scanner's queue.

The order is the point: the code's signature is checked before any database access (a forged
code costs no query), then one transaction locks the ticket row and records at most one
check-in per ticket and list (a constraint backs the lock). A nonce seen before returns the
first answer and records nothing.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import audit_log

from ..errors import CheckinError
from ..live import scan_broadcast
from ..models import Checkin, CheckinList, Scan, Ticket
from ..tickets import ticket_code, ticket_code_verify
from .setup import checkin_list_default

logger = logging.getLogger(__name__)

NONCE_MAX = 64
GATE_MAX = 40
# The short ticket number printed on the ticket page ("票号"), typed at the door when a QR code
# will not read. Numbers are guessable, so they count only within the scanner's chosen event
# and a scanner may type at most NUMBER_LIMIT of them a minute.
NUMBER_RE = re.compile(r"^#?(\d{1,12})$")
NUMBER_LIMIT = (30, 60)


@dataclass(frozen=True)
class Scanner:
    """Who scans: a paired device (event_ids is its scope) or a logged-in organizer (user)."""

    device_id: int | None = None
    user: object | None = None
    event_ids: frozenset[int] | None = None

    @property
    def key(self) -> str:
        return f"d{self.device_id}" if self.device_id else f"u{self.user.pk}"

    def may_scan(self, event_id: int) -> bool:
        if self.event_ids is not None:
            return event_id in self.event_ids
        from events.models import Event
        from events.permissions import event_can_scan

        event = Event.objects.filter(pk=event_id).first()
        return event is not None and event_can_scan(self.user, event)


@dataclass
class ScanOutcome:
    result: str
    name: str = ""
    ticket_id: int | None = None
    event_id: int | None = None
    checked_in_at: datetime | None = None
    gate: str = ""
    replayed: bool = False
    reentry: bool = False
    flagged: bool = False
    opens_at: datetime | None = None  # for not_open: when the list's scanning opens and closes
    closes_at: datetime | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def decided(cls, decision: ScanDecision, **base) -> ScanOutcome:
        """The answer to a scan that reached the rules (both ways in build it here)."""
        return cls(
            decision.result,
            checked_in_at=decision.checked_in_at,
            gate=decision.gate,
            reentry=decision.reentry,
            flagged=decision.flagged,
            opens_at=decision.opens_at,
            closes_at=decision.closes_at,
            **base,
        )

    def as_json(self) -> dict:
        data = {"result": self.result, "name": self.name, "ticket": self.ticket_id, "event": self.event_id}
        if self.checked_in_at is not None:
            data["checked_in_at"] = self.checked_in_at.isoformat()
            data["gate"] = self.gate
        if self.replayed:
            data["replayed"] = True
        if self.reentry:
            data["reentry"] = True
        if self.flagged:
            data["duplicate"] = True
        if self.result == "not_open" and self.opens_at is not None:
            data.update(not_open_details(self.opens_at, self.closes_at))
        return data


def not_open_details(opens: datetime, closes: datetime, now: datetime | None = None) -> dict:
    """When scanning opens (or that it has closed), in the programme's time zone (Asia/Shanghai):
    the person at the door reads it instead of a bare "not open"."""
    from django.utils import formats
    from django.utils.translation import gettext

    def local(moment):
        return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")

    if (now or timezone.now()) > closes:
        message = gettext("签到已结束（%(closes)s 结束）") % {"closes": local(closes)}
    else:
        message = gettext("签到未开放，%(opens)s 开始签到") % {"opens": local(opens)}
    return {"opens_at": opens.isoformat(), "closes_at": closes.isoformat(), "message": message}


def _numbers_typed(key: str, window: int) -> int:
    """How many numbers this scanner typed in this window, this one included. One atomic INCR in
    Redis, so simultaneous requests cannot all read the same count (tests/checkin/test_race.py)."""
    try:
        cache.add(key, 0, window + 5)
        return cache.incr(key)
    except Exception:
        logger.warning("ticket-number rate limit not enforced: the cache is unavailable", exc_info=True)
        return 0


def ticket_number_resolve(*, number: str, event_id: int | None, list_id: int | None, scanner: Scanner) -> str:
    """The signed code of the ticket whose short number was typed, within the scanner's event
    (given, or the list's). Raises CheckinError: "rate_limited" past NUMBER_LIMIT a minute,
    "invalid" for a number that is no ticket of that event (or no event was chosen),
    "forbidden" for an event outside the scanner's scope."""
    match = NUMBER_RE.match(number.strip())
    if match is None:
        raise CheckinError("invalid")
    limit, window = NUMBER_LIMIT
    if _numbers_typed(f"checkin:number:{scanner.key}:{int(time.time() // window)}", window) > limit:
        raise CheckinError("rate_limited")
    if event_id is None and list_id is not None:
        event_id = CheckinList.objects.filter(pk=list_id).values_list("event_id", flat=True).first()
    if event_id is None:
        raise CheckinError("invalid")
    if not scanner.may_scan(event_id):
        raise CheckinError("forbidden")
    ticket = Ticket.objects.filter(pk=int(match[1]), event_id=event_id).first()
    if ticket is None:
        raise CheckinError("invalid")
    return ticket_code(ticket)


def _lock_ticket(ticket_id: int, event_id: int) -> Ticket | None:
    """The ticket row, locked until commit: concurrent scans of one ticket queue here."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("registration__user")
        .filter(pk=ticket_id, event_id=event_id)
        .first()
    )


def checkin_perform(
    *,
    code: str,
    gate: str,
    nonce: str,
    scanned_at: datetime | None,
    scanner: Scanner,
    list_id: int | None = None,
    offline: bool = False,
    now: datetime | None = None,
    event_id: int | None = None,
) -> ScanOutcome:
    """Check in the ticket behind `code` on a list (the event's whole-event list by default).
    `code` may also be the ticket's short number, looked up in `event_id` (ticket_number_resolve).

    Answers ok / already_checked_in (when, where) / invalid / wrong_event / cancelled / not_open.
    An offline scan (from a sync) that is earlier than the recorded check-in takes its place:
    the earliest scan wins and the later one is kept as a flagged duplicate.
    Side effects on commit: the event's staff and public live groups get the scan and the count;
    an audit entry is written with the check-in.
    Raises CheckinError("forbidden") for a list outside the scanner's scope, "rate_limited" for
    too many typed numbers.
    """
    if NUMBER_RE.match(code.strip()):
        try:
            code = ticket_number_resolve(number=code, event_id=event_id, list_id=list_id, scanner=scanner)
        except CheckinError as error:
            if error.code == "invalid":
                return ScanOutcome("invalid")
            raise
    now = now or timezone.now()
    # Online, the server's clock is the check-in time; offline, the phone's (never in the future).
    scanned_at = min(scanned_at or now, now) if offline else now
    gate = (gate or "")[:GATE_MAX]
    try:
        claim = ticket_code_verify(code)  # no database access on this path for forged codes
    except CheckinError:
        return ScanOutcome("invalid")
    if not scanner.may_scan(claim.event_id):
        return ScanOutcome("wrong_event", event_id=claim.event_id)
    nonce_key = f"{scanner.key}:{nonce}"
    try:
        with transaction.atomic():
            outcome = _perform_locked(
                claim=claim,
                gate=gate,
                nonce_key=nonce_key,
                scanned_at=scanned_at,
                scanner=scanner,
                list_id=list_id,
                offline=offline,
                now=now,
            )
    except IntegrityError:
        # The nonce was used before (a retry, or a concurrent one): the first answer stands and
        # nothing of this attempt is kept.
        replay = _replayed(nonce_key, claim)
        if replay is None:
            raise
        return replay
    return outcome


def _replayed(nonce_key: str, claim) -> ScanOutcome | None:
    scan = Scan.objects.select_related("ticket__registration__user").filter(nonce=nonce_key).first()
    if scan is None:
        return None
    if scan.event_id != claim.event_id or scan.ticket_id not in (None, claim.ticket_id):
        # The nonce answered for another ticket: replaying that answer would say "ok" for a code
        # that was never checked in, with the first person's name. Refuse the mismatch.
        return ScanOutcome("nonce_reused")
    name = scan.ticket.registration.user.display_name if scan.ticket_id else ""
    return ScanOutcome(
        scan.result, name=name, ticket_id=scan.ticket_id, event_id=scan.event_id, replayed=True, flagged=scan.flagged
    )


def _perform_locked(*, claim, gate, nonce_key, scanned_at, scanner, list_id, offline, now) -> ScanOutcome:
    # A replayed nonce is caught by the Scan insert at the end (unique), which rolls all of this
    # back: the common path costs no extra query for it.
    if list_id is None:
        checkin_list = checkin_list_default(event_id=claim.event_id)
    else:
        checkin_list = CheckinList.objects.select_related("event", "session").filter(pk=list_id).first()
        if checkin_list is None:
            raise CheckinError("no_list")
        if checkin_list.event_id != claim.event_id:
            return _record(
                ScanOutcome("wrong_event", event_id=claim.event_id),
                nonce_key=nonce_key,
                ticket=None,
                checkin_list=checkin_list,
                gate=gate,
                scanned_at=scanned_at,
                scanner=scanner,
                offline=offline,
                now=now,
                event_id=claim.event_id,
            )
    ticket = _lock_ticket(claim.ticket_id, claim.event_id)
    common = dict(
        nonce_key=nonce_key,
        checkin_list=checkin_list,
        gate=gate,
        scanned_at=scanned_at,
        scanner=scanner,
        offline=offline,
        now=now,
        event_id=claim.event_id,
    )
    if ticket is None:
        return ScanOutcome("invalid")
    base = dict(name=ticket.registration.user.display_name, ticket_id=ticket.pk, event_id=claim.event_id)
    existing = Checkin.objects.filter(ticket=ticket, checkin_list=checkin_list).first()
    decision = scan_decide(
        status=ticket.registration.status,
        window=checkin_list.window(),
        scanned_at=scanned_at,
        gate=gate,
        existing=(existing.scanned_at, existing.gate) if existing else None,
        allow_reentry=checkin_list.allow_reentry,
        offline=offline,
        rehearsal_until=checkin_list.rehearsal_until,
    )
    outcome = ScanOutcome.decided(decision, **base)
    audit = {"list": checkin_list.pk, "gate": gate, "device": scanner.device_id}
    if decision.create:
        Checkin.objects.create(
            ticket=ticket,
            checkin_list=checkin_list,
            scanned_at=scanned_at,
            gate=gate,
            device_id=scanner.device_id,
            by_user=scanner.user,
            offline=offline,
        )
        audit_log(actor=scanner.user, action="checkin.create", target=ticket, data={**audit, "offline": offline})
    elif decision.replace:
        # Earliest wins: this offline scan happened first, so it becomes the check-in and the
        # scan that was recorded before is flagged as the duplicate.
        Scan.objects.filter(ticket=ticket, checkin_list=checkin_list, result="ok").update(
            result="already_checked_in", flagged=True
        )
        existing.scanned_at, existing.gate, existing.offline = scanned_at, gate, True
        existing.device_id, existing.by_user = scanner.device_id, scanner.user
        existing.save(update_fields=["scanned_at", "gate", "offline", "device", "by_user"])
        audit_log(actor=scanner.user, action="checkin.earlier_offline_scan", target=ticket, data=audit)
    return _record(outcome, ticket=ticket, new=decision.create, **common)


@dataclass(frozen=True)
class ScanDecision:
    result: str  # ok / already_checked_in / cancelled / not_open
    create: bool = False  # record the first check-in
    replace: bool = False  # an earlier offline scan takes over the check-in
    reentry: bool = False
    flagged: bool = False  # a duplicate for the dashboard
    checked_in_at: datetime | None = None  # the check-in that stands after this scan
    gate: str = ""
    opens_at: datetime | None = None  # not_open: the regular window, to tell the door
    closes_at: datetime | None = None


def scan_decide(
    *,
    status: str,
    window: tuple[datetime, datetime],
    scanned_at: datetime,
    gate: str,
    existing: tuple[datetime, str] | None,
    allow_reentry: bool,
    offline: bool,
    rehearsal_until: datetime | None = None,
) -> ScanDecision:
    """The rules of the door, apart from any storage: both the Django service above and the
    PostgreSQL fast lane (checkin.fastlane) call this with what they read under the ticket lock.
    `existing` is (scanned_at, gate) of the ticket's check-in on the list, if there is one.
    `rehearsal_until`: a rehearsal opened by the organizers keeps scanning open until then."""
    if status != "confirmed":
        return ScanDecision("cancelled")
    opens, closes = window
    rehearsing = rehearsal_until is not None and scanned_at <= rehearsal_until
    if not (opens <= scanned_at <= closes or rehearsing):
        return ScanDecision("not_open", opens_at=opens, closes_at=closes)
    if existing is None:
        return ScanDecision("ok", create=True, checked_in_at=scanned_at, gate=gate)
    if offline and scanned_at < existing[0]:
        return ScanDecision("ok", replace=True, checked_in_at=scanned_at, gate=gate)
    if allow_reentry:
        return ScanDecision("ok", reentry=True, checked_in_at=existing[0], gate=existing[1])
    return ScanDecision("already_checked_in", flagged=True, checked_in_at=existing[0], gate=existing[1])


def _record(
    outcome: ScanOutcome,
    *,
    nonce_key,
    ticket,
    checkin_list,
    gate,
    scanned_at,
    scanner,
    offline,
    now,
    event_id,
    new: bool = False,
) -> ScanOutcome:
    # A reentry is logged as "reentry" so counts of "ok" stay the number of check-ins.
    result = "reentry" if outcome.reentry else outcome.result
    Scan.objects.create(
        nonce=nonce_key,
        event_id=event_id,
        checkin_list=checkin_list,
        ticket=ticket,
        result=result,
        gate=gate,
        scanned_at=scanned_at,
        received_at=now,
        offline=offline,
        flagged=outcome.flagged,
        device_id=scanner.device_id,
        by_user=scanner.user,
    )
    transaction.on_commit(
        partial(
            scan_broadcast,
            event_id=event_id,
            list_id=checkin_list.pk,
            result=result,
            name=outcome.name,
            gate=gate,
            scanned_at=scanned_at,
            flagged=outcome.flagged,
            nonce=nonce_key.split(":", 1)[1],
            offline=offline,
            new=new,
        )
    )
    return outcome


def checkin_sync(*, scans: list[dict], scanner: Scanner, now: datetime | None = None) -> list[dict]:
    """Apply an offline scanner's queue in the order the scans happened; one answer per scan.

    Each item is {code, gate, nonce, scanned_at (datetime), list}; a scan already uploaded
    (same nonce) returns its first answer. Bad items get {"result": "invalid"} and do not stop the batch.
    """
    answers: dict[int, dict] = {}
    order = sorted(range(len(scans)), key=lambda i: scans[i]["scanned_at"])
    for index in order:
        item = scans[index]
        try:
            outcome = checkin_perform(
                code=item["code"],
                gate=item.get("gate", ""),
                nonce=item["nonce"],
                scanned_at=item["scanned_at"],
                scanner=scanner,
                list_id=item.get("list"),
                offline=True,
                now=now,
                event_id=item.get("event"),
            )
            answers[index] = {"nonce": item["nonce"], **outcome.as_json()}
        except CheckinError as error:
            answers[index] = {"nonce": item["nonce"], "result": error.code}
    return [answers[i] for i in range(len(scans))]
