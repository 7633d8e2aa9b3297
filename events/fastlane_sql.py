"""The registration fast lane's PostgreSQL side: the session read, the lock, the writes.

A registration is three round trips on one pooled connection: the session row; then, as one
pipeline, the user's row, BEGIN and the seat lock of events.services.registration (the same
statement, with two ids drawn from the sequences appended); then, as one pipeline, the
registration, the counters, the audit entry, the notice's outbox row and COMMIT. The rows are
written from unsaved model instances, so every column gets the value and the default the ORM
would give it, and a field added to a model cannot be forgotten here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import connections, models

from accounts.models import User
from config.fastpool import LaneStore

from .models import Event
from .services.registration import LOCK_SQL_FOR_USER, lock_params_for_user

SESSION = f"SELECT session_data FROM {Session._meta.db_table} WHERE session_key = %s AND expire_date > %s"
USER = f"SELECT password, role, is_active FROM {User._meta.db_table} WHERE id = %s"
# The ids of the registration and of the notice's outbox row are known before the writes, so
# the writes need nothing back from each other and go in one pipeline.
LOCK = f"{LOCK_SQL_FOR_USER}, nextval(%s) AS registration_id, nextval(%s) AS outbox_id"
COUNTERS = (
    f"UPDATE {Event._meta.db_table} SET seats_confirmed = seats_confirmed + %s, "
    "seats_waitlisted = seats_waitlisted + %s WHERE id = %s"
)
SEQUENCE = "SELECT pg_get_serial_sequence(%s, 'id')"
CONTENT_TYPE = "SELECT id FROM django_content_type WHERE app_label = %s AND model = %s"
EVENT_COLUMNS = {field.column: field.attname for field in Event._meta.concrete_fields}


def lock_params(event_id: int, user_id: int, sequences: tuple[str, str]) -> list:
    return [*lock_params_for_user(event_id, user_id), *sequences]


@dataclass
class Locked:
    """What the lock's pipeline read: the user's row and the locked event (None: no such row)."""

    password: str | None
    role: str | None
    is_active: bool
    event: Event | None
    registration_id: int = 0
    outbox_id: int = 0


def insert(obj: models.Model) -> tuple[str, list]:
    """INSERT of an unsaved instance, every concrete column with its ORM value and default."""
    connection = connections["default"]  # only its ops: nothing is sent through it
    fields = [f for f in obj._meta.concrete_fields if not (f.primary_key and obj.pk is None)]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {obj._meta.db_table} ({columns}) VALUES ({marks})", values


class Transaction:
    def __init__(self, conn, store: RegistrationStore):
        self.conn, self.store, self.open = conn, store, False

    async def session_data(self, session_key: str, now: datetime) -> str | None:
        row = await (await self.conn.execute(SESSION, [session_key, now])).fetchone()
        return row[0] if row else None

    async def lock(self, *, event_id: int, user_id: int) -> Locked:
        """The user's row and, in the same round trip, the event locked as registration_create
        locks it (the version raised, the person's active registrations and profile read)."""
        async with self.conn.pipeline():
            user = await self.conn.execute(USER, [user_id])
            await self.conn.execute("BEGIN")
            self.open = True
            locked = await self.conn.execute(LOCK, lock_params(event_id, user_id, self.store.sequences))
        row, event_row = await user.fetchone(), await locked.fetchone()
        password, role, is_active = row if row else (None, None, False)
        if event_row is None:
            return Locked(password, role, is_active, None)
        names = [column.name for column in locked.description]
        values = dict(zip(names, event_row, strict=True))
        event = Event(**{attname: values[column] for column, attname in EVENT_COLUMNS.items()})
        event._state.adding, event._state.db = False, "default"
        for extra in ("mine", "profile_degree", "profile_postdoc_status"):
            setattr(event, extra, values[extra])
        return Locked(password, role, is_active, event, values["registration_id"], values["outbox_id"])

    async def write(self, rows: list[models.Model], *, event_id: int, confirmed: int, waitlisted: int) -> None:
        """Insert `rows` (in order), move the event's counters and commit, in one round trip.
        Raises psycopg's IntegrityError (rolled back) if the one-active-registration rule trips."""
        try:
            async with self.conn.pipeline():
                for obj in rows:
                    await self.conn.execute(*insert(obj))
                await self.conn.execute(COUNTERS, [confirmed, waitlisted, event_id])
                await self.conn.execute("COMMIT")
        except Exception:
            await self.conn.execute("ROLLBACK")  # a failed statement leaves the transaction aborted
            raise
        finally:
            self.open = False

    async def rollback(self) -> None:
        if self.open:
            await self.conn.execute("ROLLBACK")
            self.open = False


class RegistrationStore(LaneStore):
    """The registration lane's pool (config.fastpool.LaneStore), opened on the first registration."""

    POOL_SETTING = "REGISTRATION_FAST_LANE_POOL"
    TRANSACTION = Transaction

    def __init__(self):
        super().__init__()
        self.sequences: tuple[str, str] = ("", "")
        self.registration_type: int | None = None  # its content type, for the audit entry

    async def opened(self, conn) -> None:
        from notifications.models import OutboxMessage

        from .models import Registration

        names = []
        for model in (Registration, OutboxMessage):
            found = await conn.execute(SEQUENCE, [model._meta.db_table])
            names.append((await found.fetchone())[0])
        self.sequences = tuple(names)
        found = await conn.execute(CONTENT_TYPE, ["events", "registration"])
        self.registration_type = (await found.fetchone())[0]
