"""Seats and the waiting list.

Capacity is hard: every change takes the event's row lock first (an UPDATE of its version,
which locks the row as SELECT ... FOR UPDATE would; on SQLite every transaction is IMMEDIATE,
which serialises writers), reads the seat counters on the locked row, writes, and moves the
counters in the same transaction (`_seats_add`).
A partial unique constraint backs "one active registration per person and event".
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import formats, timezone

from accounts.models import CandidateProfile, User
from accounts.services import audit_log

from .. import notices
from ..models import Event, Registration
from ..permissions import event_can_edit
from ..questions.forms import AnswerInput
from .errors import RegistrationError
from .live import schedule_seats_push, schedule_user_push

Status = Registration.Status


_EVENT = Event._meta.db_table
LOCK_SQL = f"UPDATE {_EVENT} SET registration_version = registration_version + 1 WHERE id = %s RETURNING *"
_MINE_LOCKED = (
    f"SELECT COUNT(*) FROM {Registration._meta.db_table} r "
    f"WHERE r.event_id = {_EVENT}.id AND r.user_id = %s AND r.status <> %s"
)
_PROFILE = f"SELECT p.{{field}} FROM {CandidateProfile._meta.db_table} p WHERE p.user_id = %s"
# The lock of _lock_event with a person: also shared by the registration fast lane
# (events/fastlane_sql.py), which appends its own columns to the RETURNING list.
LOCK_SQL_FOR_USER = (
    f"{LOCK_SQL}, ({_MINE_LOCKED}) AS mine, ({_PROFILE.format(field='degree')}) AS profile_degree, "
    f"({_PROFILE.format(field='postdoc_status')}) AS profile_postdoc_status"
)


def lock_params_for_user(event_pk: int, user_pk: int) -> list:
    return [event_pk, user_pk, Status.CANCELLED, user_pk, user_pk]


def _lock_event(event_pk: int, user: User | None = None) -> Event:
    """The event row, locked until commit, with `registration_version` already raised.

    Every caller changes seats or what pages show about them, so the lock and the new version
    are one statement: an UPDATE takes the same row lock as SELECT ... FOR UPDATE, and RETURNING
    hands back the fresh row. One round trip less while the lock is held, on the path every
    registration of a burst queues on. (A caller that raises rolls the version back with the
    rest.) With `user`, the same statement also counts that person's active registrations for
    the event (`event.mine`, one indexed lookup in RETURNING): a second round trip saved under
    the lock. That count is read with the statement's snapshot, from before a wait for the lock,
    so a double click whose twin committed meanwhile is not seen there: the partial unique
    constraint refuses its insert instead, and registration_create answers "duplicate" the same
    way. It also reads the two fields of the person's candidate profile that decide who they
    are for eligibility (`event.profile_degree`, `event.profile_postdoc_status`, both None
    without a profile): the profile query registration used to make before the lock, saved.
    Kept as its own function so the concurrency test's negative control can swap it
    for an unlocked read and show that the test then fails.
    """
    if user is None:
        found = list(Event.objects.raw(LOCK_SQL, [event_pk]))
    else:
        found = list(Event.objects.raw(LOCK_SQL_FOR_USER, lock_params_for_user(event_pk, user.pk)))
    if not found:
        raise Event.DoesNotExist(f"no event {event_pk}")
    return found[0]


_MINE = "SELECT COUNT(*) FROM {table} WHERE event_id = %s AND user_id = %s AND status <> %s"


def _seat_counts(event: Event, user: User | None = None) -> tuple[int, int, int]:
    """(confirmed, waitlisted, active registrations of `user` or 0) for an event locked by
    _lock_event.

    The first two are the counters on the locked row: the same cost for 10 or 10,000
    registrations, which is what keeps the lock's hold time flat as a fair fills up. The third
    came with the lock when _lock_event was given the user (no query here); otherwise it is
    one indexed lookup (event, user), and only when registering. Plain SQL: it runs under the
    lock for every registration of a burst.
    """
    mine = 0
    if user is not None:
        mine = getattr(event, "mine", None)
        if mine is None:
            with connection.cursor() as cursor:
                cursor.execute(_MINE.format(table=Registration._meta.db_table), [event.pk, user.pk, Status.CANCELLED])
                mine = cursor.fetchone()[0]
    return event.seats_confirmed, event.seats_waitlisted, mine


def _seats_add(event: Event, *, confirmed: int = 0, waitlisted: int = 0) -> None:
    """Move the locked event's counters with the statuses just written (same transaction)."""
    if not confirmed and not waitlisted:
        return
    event.seats_confirmed += confirmed
    event.seats_waitlisted += waitlisted
    # Relative in SQL as well: correct even for a caller that forgot the lock (the in-memory
    # figures are what this transaction saw, the row keeps every change).
    Event.objects.filter(pk=event.pk).update(
        seats_confirmed=F("seats_confirmed") + confirmed, seats_waitlisted=F("seats_waitlisted") + waitlisted
    )


def seats_recount(event: Event) -> tuple[int, int]:
    """The counters recomputed from the registrations (for repairs and tests, not the hot path)."""
    totals = Registration.objects.filter(event_id=event.pk).aggregate(
        confirmed=Count("id", filter=Q(status=Status.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=Status.WAITLISTED)),
    )
    return totals["confirmed"], totals["waitlisted"]


def seats_repair(*, event: Event) -> tuple[tuple[int, int], tuple[int, int]]:
    """Recount under the event lock and store the truth. Returns (stored before, recounted)."""
    with transaction.atomic():
        event = _lock_event(event.pk)
        before = (event.seats_confirmed, event.seats_waitlisted)
        after = seats_recount(event)
        if after != before:
            Event.objects.filter(pk=event.pk).update(seats_confirmed=after[0], seats_waitlisted=after[1])
            audit_log(
                actor=None,
                action="event.seats_repair",
                target=event,
                data={"before": list(before), "after": list(after)},
            )
    return before, after


_READ = object()


def ensure_candidate(event: Event, user: User, profile: CandidateProfile | None = _READ) -> None:
    """Who may register: a candidate with a profile whose kind the event admits. `profile` as
    read under the lock (locked_profile), or read here when not given."""
    if user.role != User.Role.CANDIDATE:
        raise RegistrationError("not_candidate")
    if profile is _READ:
        profile = CandidateProfile.objects.filter(user=user).only("degree", "postdoc_status").first()
    _ensure_admitted(event, profile)


def _ensure_admitted(event: Event, profile: CandidateProfile | None) -> None:
    if profile is None:
        raise RegistrationError("no_profile")
    if event.eligibility and profile.kind not in event.eligibility:
        raise RegistrationError("ineligible", kinds=event.eligibility_text())


def locked_profile(event: Event) -> CandidateProfile | None:
    """The person's profile as _lock_event read it: only the fields its `kind` is made of."""
    if event.profile_degree is None:  # NOT NULL in the table: no profile row
        return None
    return CandidateProfile(degree=event.profile_degree, postdoc_status=event.profile_postdoc_status)


def ensure_open(event: Event, now: datetime) -> None:
    """Whether the (locked, fresh) event takes registrations at `now`."""
    if event.status == Event.Status.CANCELLED:
        raise RegistrationError("cancelled")
    if event.status != Event.Status.PUBLISHED:
        raise RegistrationError("not_published")
    if event.registration_opens_at and now < event.registration_opens_at:
        opens = formats.date_format(timezone.localtime(event.registration_opens_at), "Y-m-d H:i")
        raise RegistrationError("not_open", opens=opens)
    if now >= (event.registration_closes_at or event.starts_at):
        raise RegistrationError("closed")


def registration_decide(
    *,
    event: Event,
    role: str,
    profile: CandidateProfile | None,
    now: datetime,
    mine: int,
    by_id: bool = False,
    needs_answers: bool = False,
) -> str:
    """The status a new registration gets, or the RegistrationError that refuses it: the rules
    of registration_create without a query, on the locked event's row and counters.

    Shared with the registration fast lane (events/fastlane.py), so the two ways in cannot
    drift apart; the order of the checks is the order of the answers. `by_id`: the event was
    read by the lock alone, so a draft is refused before anything is said about the person.
    `needs_answers`: the event has questions and no answers were read.
    """
    if role != User.Role.CANDIDATE:
        raise RegistrationError("not_candidate")
    if by_id and event.status == Event.Status.DRAFT:
        raise RegistrationError("not_published")
    _ensure_admitted(event, profile)
    if needs_answers:
        raise RegistrationError("answers_needed")
    ensure_open(event, now)
    # The person's own active registration is counted with the seats: the common double click
    # costs no query of its own, and the constraint backs it at the insert.
    if mine:
        raise RegistrationError("duplicate")
    if event.seats_confirmed < event.capacity:
        return Status.CONFIRMED
    if event.waitlist_enabled:
        return Status.WAITLISTED
    raise RegistrationError("full")


def registration_create(
    *,
    event: Event | int,
    user: User,
    now: datetime | None = None,
    answers: list[AnswerInput] | None = None,
) -> Registration:
    """A seat for `user` if one is free, else a place on the waiting list.

    The work done while holding the event lock is kept to the minimum (status, count, insert,
    audit) because that section is what every concurrent registration for the event queues on.
    On commit: the new seat count is pushed to the event's public group and the user's group.
    Raises RegistrationError: cancelled / not_published / not_open / closed / not_candidate /
    no_profile / ineligible / duplicate / full; QuestionError invalid (answers missing or wrong).
    `answers`: checked by AnswersForm (events.questions) before this is called; written in the
    same transaction. An event without questions (`has_questions` false) costs no query for them.

    `event` may be the event's id (the registration form's path in a burst): the event is then
    read only by the locking statement, one query fewer. Such a call refuses a draft as
    not_published before anything else, and an event that has questions with
    `answers_needed` (nothing written): the caller reads the event and the answers and calls
    again with the Event. Raises Event.DoesNotExist for an id that is not an event.
    """
    if user.role != User.Role.CANDIDATE:  # before any query or lock
        raise RegistrationError("not_candidate")
    by_id = not isinstance(event, Event)
    if answers is None and not by_id and event.has_questions:
        from ..questions.services import answers_clean

        answers = answers_clean(event=event, user=user)  # no answers given: fine only if none required
    with transaction.atomic():
        event = _lock_event(event if by_id else event.pk, user)
        # Taken after the lock, so the order of `created_at` is the order seats were handed out.
        now = now or timezone.now()
        confirmed, waitlisted, mine = _seat_counts(event, user)
        status = registration_decide(
            event=event,
            role=user.role,
            profile=locked_profile(event),
            now=now,
            mine=mine,
            by_id=by_id,
            needs_answers=by_id and answers is None and event.has_questions,
        )
        if status == Status.CONFIRMED:
            confirmed += 1
        else:
            waitlisted += 1
        try:
            registration = Registration.objects.create(
                event=event,
                user=user,
                status=status,
                created_at=now,
                confirmed_at=now if status == Status.CONFIRMED else None,
            )
        except IntegrityError as error:
            # Two requests of the same person raced past the check above; the transaction is
            # rolled back as the error leaves the atomic block.
            raise RegistrationError("duplicate") from error
        _seats_add(event, confirmed=int(status == Status.CONFIRMED), waitlisted=int(status == Status.WAITLISTED))
        if answers:
            from ..questions.services import answers_write

            answers_write(registration, answers)
        audit_log(actor=user, action=f"registration.{status}", target=registration, data={"event": event.pk})
        # The message first: where tasks run inline (embedded default) it takes a while, and the
        # live pushes must stay the last thing before the response, or an open page reloads on
        # the push before its own form POST is answered.
        # The newest waiting registration is the last in line: its place is the count. The view
        # shows it too, so it travels on the object instead of costing a second count.
        registration.waitlist_place = waitlisted if status == Status.WAITLISTED else None
        notices.schedule_registered(registration, event, position=registration.waitlist_place)
        schedule_seats_push(event, counts=(confirmed, waitlisted))
        schedule_user_push(registration)
    return registration


def _fill_free_seats(event: Event, now: datetime) -> list[Registration]:
    """Promote the first waiting registrations into seats that are free. Caller holds the lock."""
    confirmed, _waitlisted, _mine = _seat_counts(event)
    free = event.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(event.registrations.waitlisted().order_by("created_at", "id")[:free])
    _seats_add(event, confirmed=len(promoted), waitlisted=-len(promoted))
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        audit_log(
            actor=None,
            action="registration.promote",
            target=registration,
            data={"event": event.pk, "reason": "seat_freed"},
        )
    return promoted


def registration_cancel(*, registration: Registration, actor: User, now: datetime | None = None) -> Registration:
    """Cancel a registration (by its owner or an event editor); a freed seat goes to the waiting list.

    On commit: seat count pushed; the owner and everyone promoted are told on their user groups.
    Raises RegistrationError: forbidden / not_active.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.user_id != actor.pk and not event_can_edit(actor, event):
            raise RegistrationError("forbidden")
        if registration.status == Status.CANCELLED:
            raise RegistrationError("not_active")
        was = registration.status
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        _seats_add(event, confirmed=-int(was == Status.CONFIRMED), waitlisted=-int(was == Status.WAITLISTED))
        audit_log(actor=actor, action="registration.cancel", target=registration, data={"event": event.pk, "was": was})
        promoted = _fill_free_seats(event, now) if was == Status.CONFIRMED else []
        notices.schedule_cancelled(registration, event, actor=actor)  # before the pushes, as above
        notices.schedule_promoted(promoted, event)
        schedule_seats_push(event)
        for changed in [registration, *promoted]:
            schedule_user_push(changed)
    return registration


def registration_promote(*, registration: Registration, actor: User, now: datetime | None = None) -> Registration:
    """An organizer moves someone off the waiting list by hand, even past capacity.

    That is the organizer's explicit decision (a speaker, a VIP), so it is audited with
    `over_capacity`; public registration still stops at capacity.
    Raises RegistrationError: forbidden / not_waitlisted.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        if not event_can_edit(actor, event):
            raise RegistrationError("forbidden")
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.WAITLISTED:
            raise RegistrationError("not_waitlisted")
        confirmed, _waitlisted, _mine = _seat_counts(event)
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        _seats_add(event, confirmed=1, waitlisted=-1)
        audit_log(
            actor=actor,
            action="registration.promote",
            target=registration,
            data={"event": event.pk, "reason": "manual", "over_capacity": confirmed >= event.capacity},
        )
        notices.schedule_promoted([registration], event)  # before the pushes, as above
        schedule_seats_push(event)
        schedule_user_push(registration)
    return registration


def registration_fill_after_capacity_change(*, event: Event, now: datetime | None = None) -> list[Registration]:
    """After capacity grows, give the new seats to the waiting list. Caller holds the lock."""
    promoted = _fill_free_seats(event, now or timezone.now())
    for registration in promoted:
        schedule_user_push(registration)
    notices.schedule_promoted(promoted, event)
    return promoted


def registrations_release_for_user(user: User) -> None:
    """Cancel every active registration of a person who deletes their account."""
    for registration in Registration.objects.active().filter(user=user).only("pk", "event_id"):
        try:
            registration_cancel(registration=registration, actor=user)
        except RegistrationError:
            continue  # already cancelled by someone else meanwhile: nothing to release
