"""The fast lane's PostgreSQL side: an async pool and the few statements one scan needs.

Table and column names come from the models' metadata, so a renamed model cannot leave a stale
name here. A scan is two round trips, each a pipeline: BEGIN + read (device, scope, key, list)
+ lock the ticket + read its check-in; then one write statement + COMMIT. The read of the
check-in is its own statement after the lock, so under READ COMMITTED it sees a check-in that
the scan holding the lock before us committed (a join under FOR UPDATE would not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg.types.json import Jsonb

from accounts.models import AuditEntry, User
from config.fastpool import LaneStore
from events.models import Event, Registration, Session

from .models import Checkin, CheckinList, Scan, ScannerDevice, SigningKey, Ticket

T = {
    name: model._meta.db_table
    for name, model in {
        "audit": AuditEntry,
        "user": User,
        "event": Event,
        "registration": Registration,
        "session": Session,
        "checkin": Checkin,
        "list": CheckinList,
        "scan": Scan,
        "device": ScannerDevice,
        "key": SigningKey,
        "ticket": Ticket,
        "device_events": ScannerDevice.events.through,
    }.items()
}

_LIST = """SELECT l.id, l.event_id, l.allow_reentry, l.opens_minutes_before,
                  COALESCE(s.starts_at, e.starts_at) AS starts_at, COALESCE(s.ends_at, e.ends_at) AS ends_at,
                  l.rehearsal_until
           FROM {list} l JOIN {event} e ON e.id = l.event_id LEFT JOIN {session} s ON s.id = l.session_id
           WHERE {{where}}""".format(**T)
_LIST_GIVEN = _LIST.format(where="l.id = %(list)s")
_LIST_WHOLE = _LIST.format(where="l.event_id = %(event)s AND l.session_id IS NULL")

_DEVICE = """SELECT d.id,
       EXISTS (SELECT 1 FROM {device_events} de WHERE de.scannerdevice_id = d.id AND de.event_id = %(event)s),
       EXISTS (SELECT 1 FROM {key} k WHERE k.id = %(key)s AND k.event_id = %(event)s
               AND (k.retired_at IS NULL OR k.retired_at > %(now)s)),
       l.id, l.event_id, l.allow_reentry, l.opens_minutes_before, l.starts_at, l.ends_at, l.rehearsal_until
FROM {device} d LEFT JOIN LATERAL ({{list}}) l ON true
WHERE d.token_hash = %(token)s AND d.revoked_at IS NULL""".format(**T)
READ_DEVICE = {True: _DEVICE.format(list=_LIST_GIVEN), False: _DEVICE.format(list=_LIST_WHOLE)}

LOCK_TICKET = """SELECT t.id, r.status, u.name, u.email FROM {ticket} t
JOIN {registration} r ON r.id = t.registration_id JOIN {user} u ON u.id = r.user_id
WHERE t.id = %(ticket)s AND t.event_id = %(event)s FOR UPDATE OF t""".format(**T)

_EXISTING = """SELECT c.scanned_at, c.gate FROM {checkin} c
WHERE c.ticket_id = %(ticket)s AND c.checkin_list_id = (SELECT l.id FROM ({{list}}) l)""".format(**T)
READ_EXISTING = {True: _EXISTING.format(list=_LIST_GIVEN), False: _EXISTING.format(list=_LIST_WHOLE)}

# The scan row claims the nonce; the check-in and its audit entry are written only if it did
# (a replayed nonce writes nothing) and only when the rules said so.
WRITE = """WITH s AS (
  INSERT INTO {scan} (nonce, event_id, checkin_list_id, ticket_id, result, gate, scanned_at, received_at,
                      offline, flagged, device_id, by_user_id)
  VALUES (%(nonce)s, %(event)s, %(list)s, %(ticket)s, %(result)s, %(gate)s, %(now)s, %(now)s, false,
          %(flagged)s, %(device)s, NULL)
  ON CONFLICT (nonce) DO NOTHING RETURNING id
), c AS (
  INSERT INTO {checkin} (ticket_id, checkin_list_id, scanned_at, gate, offline, created_at, device_id, by_user_id)
  SELECT %(ticket)s, %(list)s, %(now)s, %(gate)s, false, %(now)s, %(device)s, NULL FROM s WHERE %(create)s
  RETURNING id
), a AS (
  INSERT INTO {audit} (actor_id, action, target_type_id, target_id, target_repr, data, created_at)
  SELECT NULL, 'checkin.create', %(ticket_type)s, %(ticket_text)s, %(ticket_repr)s, %(audit)s, %(now)s FROM c
  RETURNING id
), seen AS (
  UPDATE {device} SET last_seen_at = %(now)s WHERE id = %(device)s AND %(touch)s RETURNING id
)
SELECT count(*) FROM s""".format(**T)

REPLAYED = """SELECT s.result, s.ticket_id, s.event_id, s.flagged, u.name, u.email FROM {scan} s
LEFT JOIN {ticket} t ON t.id = s.ticket_id LEFT JOIN {registration} r ON r.id = t.registration_id
LEFT JOIN {user} u ON u.id = r.user_id WHERE s.nonce = %(nonce)s""".format(**T)

LIST_CREATE = """INSERT INTO {list} (event_id, session_id, name, opens_minutes_before, allow_reentry, created_at)
SELECT e.id, NULL, left(e.title, 80), %(opens)s, false, %(now)s FROM {event} e WHERE e.id = %(event)s
ON CONFLICT (event_id) WHERE session_id IS NULL DO NOTHING""".format(**T)
LIST_OPENS = CheckinList._meta.get_field("opens_minutes_before").default

PUBLIC_KEY = "SELECT event_id, public_key FROM {key} WHERE id = %(key)s".format(**T)
DEVICE_EXISTS = "SELECT 1 FROM {device} WHERE token_hash = %(token)s AND revoked_at IS NULL".format(**T)
INSIDE = """SELECT count(*) FROM {checkin} c JOIN {list} l ON l.id = c.checkin_list_id
WHERE l.event_id = %(event)s AND l.session_id IS NULL""".format(**T)
TICKET_TYPE = "SELECT id FROM django_content_type WHERE app_label = 'checkin' AND model = 'ticket'"


def display_name(name: str | None, email: str | None) -> str:
    """accounts.User.display_name from the two columns it is made of (an unsaved User, so the
    rule stays in one place)."""
    return User(name=name or "", email=email or "").display_name


@dataclass(frozen=True)
class ListSeen:
    id: int
    event_id: int
    allow_reentry: bool
    window: tuple[datetime, datetime]
    rehearsal_until: datetime | None = None


@dataclass(frozen=True)
class TicketSeen:
    id: int
    status: str
    name: str
    existing: tuple[datetime, str] | None


@dataclass(frozen=True)
class Seen:
    device_id: int | None = None
    in_scope: bool = False
    key_active: bool = False
    list: ListSeen | None = None
    ticket: TicketSeen | None = None


class Transaction:
    def __init__(self, conn, store: ScanStore):
        self.conn = conn
        self.store = store
        self.open = False

    async def read(
        self, *, token_hash: str, claim, list_id: int | None, now: datetime, created_list: bool = False
    ) -> Seen:
        params = {
            "token": token_hash,
            "event": claim.event_id,
            "key": claim.key_id,
            "now": now,
            "ticket": claim.ticket_id,
            "list": list_id,
        }
        given = list_id is not None
        async with self.conn.pipeline():
            await self.conn.execute("BEGIN")
            self.open = True
            device = await self.conn.execute(READ_DEVICE[given], params)
            ticket = await self.conn.execute(LOCK_TICKET, params)
            existing = await self.conn.execute(READ_EXISTING[given], params)
        row, locked, checkin = await device.fetchone(), await ticket.fetchone(), await existing.fetchone()
        if row is None:
            return Seen()
        if row[3] is None and not given and row[2] and not created_list:
            # The event's first scan: make its whole-event list (as checkin_list_default does)
            # and read again, so the lock is taken after the list exists.
            await self.rollback()
            await self.conn.execute(LIST_CREATE, {"event": claim.event_id, "now": now, "opens": LIST_OPENS})
            return await self.read(token_hash=token_hash, claim=claim, list_id=list_id, now=now, created_list=True)
        seen_list = None
        if row[3] is not None:
            opens = row[7] - timedelta(minutes=row[6])
            seen_list = ListSeen(
                id=row[3], event_id=row[4], allow_reentry=row[5], window=(opens, row[8]), rehearsal_until=row[9]
            )
        seen_ticket = None
        if locked is not None:
            seen_ticket = TicketSeen(
                id=locked[0],
                status=locked[1],
                name=display_name(locked[2], locked[3]),
                existing=(checkin[0], checkin[1]) if checkin else None,
            )
        return Seen(device_id=row[0], in_scope=row[1], key_active=row[2], list=seen_list, ticket=seen_ticket)

    async def write(
        self,
        *,
        nonce_key: str,
        event_id: int,
        list_id: int,
        ticket_id: int | None,
        result: str,
        gate: str,
        now: datetime,
        flagged: bool,
        device_id: int,
        create: bool,
        touch: bool,
    ) -> bool:
        """Write and commit; False if the nonce was used before (then nothing was written)."""
        params = {
            "nonce": nonce_key,
            "event": event_id,
            "list": list_id,
            "ticket": ticket_id,
            "result": result,
            "gate": gate,
            "now": now,
            "flagged": flagged,
            "device": device_id,
            "create": create,
            "touch": touch,
            "ticket_type": self.store.ticket_type,
            "ticket_text": str(ticket_id),
            "ticket_repr": f"ticket {ticket_id}",
            "audit": Jsonb({"list": list_id, "gate": gate, "device": device_id, "offline": False}),
        }
        async with self.conn.pipeline():
            written = await self.conn.execute(WRITE, params)
            await self.conn.execute("COMMIT")
            self.open = False
        return (await written.fetchone())[0] == 1

    async def rollback(self) -> None:
        if self.open:
            await self.conn.execute("ROLLBACK")
            self.open = False


class ScanStore(LaneStore):
    """The door's pool (config.fastpool.LaneStore), opened on the first scan."""

    POOL_SETTING = "CHECKIN_FAST_LANE_POOL"
    TRANSACTION = Transaction

    def __init__(self):
        super().__init__()
        self._ticket_type: int | None = None

    async def opened(self, conn) -> None:
        self._ticket_type = (await (await conn.execute(TICKET_TYPE)).fetchone())[0]

    async def _one(self, query: str, params: dict | None = None):
        pool = await self.pool()
        async with pool.connection() as conn:
            return await (await conn.execute(query, params)).fetchone()

    async def replayed(self, nonce_key: str, claim) -> dict:
        row = await self._one(REPLAYED, {"nonce": nonce_key})
        if row is None:  # cannot happen: the conflict was with a committed row
            return {"result": "invalid"}
        from .services.scanning import ScanOutcome

        if row[2] != claim.event_id or row[1] not in (None, claim.ticket_id):
            return ScanOutcome("nonce_reused").as_json()  # another ticket's answer: see scanning._replayed

        return ScanOutcome(
            row[0],
            name=display_name(row[4], row[5]) if row[1] else "",
            ticket_id=row[1],
            event_id=row[2],
            replayed=True,
            flagged=row[3],
        ).as_json()

    async def public_key(self, key_id: int) -> tuple[int, bytes] | None:
        row = await self._one(PUBLIC_KEY, {"key": key_id})
        return (row[0], bytes(row[1])) if row else None

    async def device_exists(self, token_hash: str) -> bool:
        return await self._one(DEVICE_EXISTS, {"token": token_hash}) is not None

    async def inside_count(self, event_id: int) -> int:
        return (await self._one(INSIDE, {"event": event_id}))[0]

    @property
    def ticket_type(self) -> int | None:
        """The content type id of checkin.Ticket (audit entries point at tickets)."""
        return self._ticket_type
