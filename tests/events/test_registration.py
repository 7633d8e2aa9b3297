"""The rules of events.services.registration: seats, waiting list, windows, eligibility, audit, live."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import AuditEntry
from events.models import Registration
from events.selectors import waitlist_position, waitlist_positions
from events.services import RegistrationError, registration_cancel, registration_create, registration_promote

from ..factories import (
    EventFactory,
    RegistrationFactory,
    UserFactory,
    candidate,
    company_member,
    organizer,
    team_member,
)

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
QINGDAO = ZoneInfo("Asia/Shanghai")


def refuse(code, **kwargs) -> RegistrationError:
    with pytest.raises(RegistrationError) as caught:
        registration_create(**kwargs)
    assert caught.value.code == code
    return caught.value


def audit(action, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("id"))


def fresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


# --- seats and the waiting list ----------------------------------------------------------------


def test_registration_create_confirms_until_capacity_then_waitlists_in_arrival_order():
    event = EventFactory(capacity=2)
    people = [candidate() for _ in range(5)]
    registrations = [registration_create(event=event, user=p) for p in people]
    assert [r.status for r in registrations] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED, WAITLISTED]
    assert all(r.confirmed_at == r.created_at for r in registrations[:2])
    assert all(r.confirmed_at is None for r in registrations[2:])
    assert [waitlist_position(r) for r in registrations] == [None, None, 1, 2, 3]
    assert waitlist_positions(event) == {r.pk: place for place, r in enumerate(registrations[2:], start=1)}
    event.refresh_from_db()
    assert event.registration_version == 5


def test_registration_create_writes_an_audit_entry_by_the_candidate():
    event = EventFactory(capacity=1)
    first, second = candidate(), candidate()
    seat = registration_create(event=event, user=first)
    waiting = registration_create(event=event, user=second)
    [confirmed] = audit("registration.confirmed")
    [waitlisted] = audit("registration.waitlisted")
    assert (confirmed.actor, confirmed.target_id, confirmed.data) == (first, str(seat.pk), {"event": event.pk})
    assert (waitlisted.actor, waitlisted.target_id, waitlisted.data) == (second, str(waiting.pk), {"event": event.pk})


def test_waitlist_position_orders_by_created_at_then_id():
    event = EventFactory(capacity=1)
    registration_create(event=event, user=candidate())
    same_time = timezone.now()
    later = registration_create(event=event, user=candidate(), now=same_time + timedelta(seconds=1))
    tie_a = registration_create(event=event, user=candidate(), now=same_time)
    tie_b = registration_create(event=event, user=candidate(), now=same_time)
    assert tie_a.pk < tie_b.pk
    assert [waitlist_position(r) for r in (tie_a, tie_b, later)] == [1, 2, 3]


def test_cancel_confirmed_promotes_first_waitlisted():
    event = EventFactory(capacity=1)
    first, second, third = candidate(), candidate(), candidate()
    seat = registration_create(event=event, user=first)
    next_in_line = registration_create(event=event, user=second)
    after = registration_create(event=event, user=third)
    now = timezone.now() + timedelta(minutes=5)
    registration_cancel(registration=seat, actor=first, now=now)
    fresh(seat, next_in_line, after)
    assert (seat.status, next_in_line.status, after.status) == (CANCELLED, CONFIRMED, WAITLISTED)
    assert seat.cancelled_at == now and next_in_line.confirmed_at == now and after.confirmed_at is None
    assert waitlist_position(after) == 1
    [cancel] = audit("registration.cancel")
    [promote] = audit("registration.promote")
    assert (cancel.actor, cancel.target_id, cancel.data) == (first, str(seat.pk), {"event": event.pk, "was": CONFIRMED})
    # The promotion is the system's doing, not the canceller's; it is written after the cancel.
    assert (promote.actor, promote.target_id, promote.data) == (
        None,
        str(next_in_line.pk),
        {"event": event.pk, "reason": "seat_freed"},
    )
    assert promote.pk > cancel.pk
    assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 1


def test_cancel_and_promotion_commit_or_roll_back_together():
    event = EventFactory(capacity=1)
    seat = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        registration_cancel(registration=seat, actor=seat.user)
        waiting.refresh_from_db()
        assert waiting.status == CONFIRMED  # promoted inside the cancelling transaction...
        raise Abort
    fresh(seat, waiting)
    # ...so when it rolls back, neither the cancel nor the promotion happened.
    assert (seat.status, waiting.status, waiting.confirmed_at) == (CONFIRMED, WAITLISTED, None)
    assert audit("registration.cancel") == [] and audit("registration.promote") == []


def test_cancel_waitlisted_promotes_nobody():
    event = EventFactory(capacity=1)
    seat = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    last = registration_create(event=event, user=candidate())
    registration_cancel(registration=waiting, actor=waiting.user)
    fresh(seat, waiting, last)
    assert (seat.status, waiting.status, last.status) == (CONFIRMED, CANCELLED, WAITLISTED)
    assert waitlist_position(last) == 1
    assert audit("registration.cancel")[0].data == {"event": event.pk, "was": WAITLISTED}
    assert audit("registration.promote") == []


def test_cancel_by_an_event_editor_is_audited_with_the_editor():
    event = EventFactory()
    registration = registration_create(event=event, user=candidate())
    editor = organizer()
    team_member(event, editor, can_edit=True, can_scan=False)
    registration_cancel(registration=registration, actor=editor)
    registration.refresh_from_db()
    assert registration.status == CANCELLED
    assert audit("registration.cancel")[0].actor == editor
    head = organizer(manages_all=True)
    other = registration_create(event=event, user=candidate())
    registration_cancel(registration=other, actor=head)
    assert audit("registration.cancel")[1].actor == head


def test_cancel_someone_elses_registration_forbidden():
    event = EventFactory()
    registration = registration_create(event=event, user=candidate())
    scanner = organizer()
    team_member(event, scanner, can_edit=False, can_scan=True)
    for stranger in (candidate(), organizer(), scanner, company_member()):
        with pytest.raises(RegistrationError) as caught:
            registration_cancel(registration=registration, actor=stranger)
        assert (caught.value.code, caught.value.status_code) == ("forbidden", 403)
        assert str(caught.value.message) == "您没有权限进行此操作。"
    registration.refresh_from_db()
    assert registration.status == CONFIRMED
    assert audit("registration.cancel") == []


def test_cancel_twice_refused_as_not_active():
    event = EventFactory()
    registration = registration_create(event=event, user=candidate())
    registration_cancel(registration=registration, actor=registration.user)
    with pytest.raises(RegistrationError) as caught:
        registration_cancel(registration=registration, actor=registration.user)
    assert caught.value.code == "not_active"
    assert str(caught.value.message) == "该报名已取消。"
    assert len(audit("registration.cancel")) == 1


# --- when registration is refused ----------------------------------------------------------------


def test_not_open_yet_says_when_it_opens():
    opens = datetime(2027, 1, 5, 9, 0, tzinfo=QINGDAO)
    event = EventFactory(registration_opens_at=opens, starts_at=opens + timedelta(days=30))
    error = refuse("not_open", event=event, user=candidate(), now=opens - timedelta(seconds=1))
    assert str(error.message) == "报名尚未开始，请于 2027-01-05 09:00 后再来。"
    with translation.override("en"):
        error = refuse("not_open", event=event, user=candidate(), now=opens - timedelta(seconds=1))
        assert str(error.message) == "Registration opens at 2027-01-05 09:00."
    assert registration_create(event=event, user=candidate(), now=opens).status == CONFIRMED


def test_closed_at_the_closing_time_or_at_the_start_when_none_is_set():
    closes = timezone.now() + timedelta(days=1)
    event = EventFactory(registration_closes_at=closes)
    assert registration_create(event=event, user=candidate(), now=closes - timedelta(seconds=1)).status == CONFIRMED
    error = refuse("closed", event=event, user=candidate(), now=closes)
    assert str(error.message) == "报名已截止。"
    started = EventFactory(registration_closes_at=None)
    refuse("closed", event=started, user=candidate(), now=started.starts_at)
    with translation.override("en"):
        assert str(refuse("closed", event=event, user=candidate(), now=closes).message) == "Registration has closed."


def test_cancelled_event_refused():
    error = refuse("cancelled", event=EventFactory(status="cancelled"), user=candidate())
    assert str(error.message) == "该活动已取消，不能报名。"


def test_draft_event_refused():
    error = refuse("not_published", event=EventFactory(status="draft"), user=candidate())
    assert str(error.message) == "该活动尚未发布，暂不能报名。"


def test_full_without_waitlist_refused():
    event = EventFactory(capacity=1, waitlist_enabled=False)
    registration_create(event=event, user=candidate())
    error = refuse("full", event=event, user=candidate())
    assert (str(error.message), error.status_code) == ("名额已满，本活动不设候补。", 409)
    assert Registration.objects.filter(event=event).count() == 1


def test_ineligible_lists_the_allowed_kinds():
    postdocs_only = EventFactory(eligibility=["postdoc", "postdoc_alumni"])
    phd = candidate(postdoc_status="none")
    error = refuse("ineligible", event=postdocs_only, user=phd)
    assert str(error.message) == "本活动仅面向：在站博士后、出站博士后。"
    with translation.override("en"):
        message = str(refuse("ineligible", event=postdocs_only, user=phd).message)
    assert message.startswith("This event is open only to: Postdoc (in station)")
    assert "Former postdoc" in message
    assert registration_create(event=postdocs_only, user=candidate(postdoc_status="in_station")).status == CONFIRMED
    assert registration_create(event=postdocs_only, user=candidate(postdoc_status="completed")).status == CONFIRMED
    students = EventFactory(eligibility=["phd_candidate"])
    assert registration_create(event=students, user=candidate(degree="phd_candidate")).status == CONFIRMED
    refuse("ineligible", event=students, user=candidate(degree="phd"))


def test_only_candidates_with_a_profile_may_register():
    event = EventFactory()
    assert str(refuse("not_candidate", event=event, user=organizer()).message) == "只有博士、博士后候选人可以报名活动。"
    refuse("not_candidate", event=event, user=company_member())
    assert str(refuse("no_profile", event=event, user=UserFactory()).message) == "报名前请先完善您的候选人资料。"


def test_the_event_pages_check_reads_the_profile_itself_in_one_query(django_assert_num_queries):
    """registration_obstacle (the event page) calls ensure_candidate without a profile, so it
    reads the profile's two fields itself: the same answers as registration_create gives."""
    from events.selectors import registration_obstacle

    students = EventFactory(eligibility=["phd_candidate"])
    assert registration_obstacle(students, company_member()) == (
        "not_candidate",
        "只有博士、博士后候选人可以报名活动。",
    )
    assert registration_obstacle(students, UserFactory())[0] == "no_profile"
    assert registration_obstacle(students, candidate(degree="phd"))[0] == "ineligible"
    person = candidate(degree="phd_candidate")
    with django_assert_num_queries(1):  # the profile's degree and postdoc status, neither deferred
        assert registration_obstacle(students, person) is None


# --- by the event's id (the registration form's path) --------------------------------------------


def test_by_id_registers_as_with_the_event_and_reads_the_profile_under_the_lock(django_assert_num_queries):
    event = EventFactory(capacity=1, eligibility=["postdoc"])
    ContentType.objects.get_for_model(Registration)  # the audit's content type, cached in a running server
    # Lock (with the person's own count and profile), insert, counters, audit, outbox: no query
    # for the event or the profile before the lock.
    person = candidate(postdoc_status="in_station")
    with django_assert_num_queries(5 + 2):  # + the savepoint and its release (the test's transaction)
        first = registration_create(event=event.pk, user=person)
    assert (first.status, first.event.pk) == (CONFIRMED, event.pk)
    second = registration_create(event=event.pk, user=candidate(postdoc_status="in_station"))
    assert (second.status, second.waitlist_place) == (WAITLISTED, 1)
    # The eligibility and the profile come from the locking statement's own reading.
    refuse("ineligible", event=event.pk, user=candidate(postdoc_status="none"))
    refuse("no_profile", event=event.pk, user=UserFactory())
    refuse("duplicate", event=event.pk, user=first.user)
    fresh(event)
    assert (event.seats_confirmed, event.seats_waitlisted, event.registration_version) == (1, 1, 2)


def test_by_id_refuses_a_draft_before_saying_anything_about_the_person():
    draft = EventFactory(status="draft")
    # Without a profile the Event path would say no_profile first; by id a draft is only
    # "not published", so the form's view can answer 404 without telling whether it exists.
    refuse("not_published", event=draft.pk, user=UserFactory())
    refuse("not_candidate", event=draft.pk, user=organizer())  # the role needs no query


def test_by_id_sends_an_event_with_questions_back_for_its_answers_and_writes_nothing():
    from .questions_factories import event_with_questions

    event, _editor, _questions = event_with_questions({"kind": "short_text", "label": "研究方向"})
    version = event.registration_version
    error = refuse("answers_needed", event=event.pk, user=candidate())
    assert str(error.message) == "报名前请先回答本活动的报名问题。"
    fresh(event)
    assert (event.registration_version, event.seats_confirmed) == (version, 0)
    assert not Registration.objects.filter(event=event).exists()


def test_by_id_for_no_event_raises_does_not_exist():
    from events.models import Event

    with pytest.raises(Event.DoesNotExist):
        registration_create(event=987654321, user=candidate())


def test_with_the_event_and_no_answers_the_service_asks_the_persons_own_questions():
    """The Event path without answers runs answers_clean itself, for this person's audience."""
    from events.questions.models import Question
    from events.questions.services import QuestionError, answers_clean

    from .questions_factories import event_with_questions

    event, _editor, questions = event_with_questions(
        {"kind": "short_text", "label": "合作导师", "required": True, "audience": Question.Audience.POSTDOC}
    )
    postdoc = candidate(postdoc_status="in_station")
    with pytest.raises(QuestionError) as caught:
        registration_create(event=event, user=postdoc)
    assert caught.value.code == "invalid"
    assert not Registration.objects.filter(event=event).exists()
    assert registration_create(event=event, user=candidate(degree="phd")).status == CONFIRMED  # not asked
    answers = answers_clean(event=event, user=postdoc, data={f"answers-q{questions[0].pk}": "王教授"})
    registration = registration_create(event=event, user=postdoc, answers=answers)  # not checked again
    assert list(registration.answers.values_list("text", flat=True)) == ["王教授"]


def test_duplicate_refused_and_registering_again_after_cancel_allowed():
    event = EventFactory(capacity=5)
    person = candidate()
    first = registration_create(event=event, user=person)
    error = refuse("duplicate", event=event, user=person)
    assert (str(error.message), error.status_code) == ("您已报名该活动，无需重复报名。", 409)
    registration_cancel(registration=first, actor=person)
    again = registration_create(event=event, user=person)
    assert again.status == CONFIRMED and again.pk != first.pk
    assert list(
        Registration.objects.filter(event=event, user=person).order_by("id").values_list("status", flat=True)
    ) == [CANCELLED, CONFIRMED]


def test_registering_again_for_a_full_event_without_a_waiting_list_is_a_duplicate_not_full():
    # The person's own registration is counted before the seats: "full" would be wrong here.
    event = EventFactory(capacity=1, waitlist_enabled=False)
    person = candidate()
    registration_create(event=event, user=person)
    refuse("duplicate", event=event, user=person)
    refuse("duplicate", event=event.pk, user=person)


def test_database_allows_one_active_registration_per_person_and_event():
    event = EventFactory()
    person = candidate()
    Registration.objects.create(event=event, user=person, status=CANCELLED)
    Registration.objects.create(event=event, user=person, status=CANCELLED)
    Registration.objects.create(event=event, user=person, status=CONFIRMED)
    for status in (CONFIRMED, WAITLISTED):
        with pytest.raises(IntegrityError), transaction.atomic():
            Registration.objects.create(event=event, user=person, status=status)
    Registration.objects.create(event=EventFactory(), user=person, status=CONFIRMED)  # another event is fine


def test_a_refusal_changes_nothing():
    event = EventFactory(capacity=1, waitlist_enabled=False)
    registration_create(event=event, user=candidate())
    event.refresh_from_db()
    version, entries = event.registration_version, AuditEntry.objects.count()
    refuse("full", event=event, user=candidate())
    refuse("not_open", event=EventFactory(registration_opens_at=timezone.now() + timedelta(days=1)), user=candidate())
    event.refresh_from_db()
    assert (event.registration_version, AuditEntry.objects.count()) == (version, entries)
    assert Registration.objects.count() == 1


# --- manual promotion by an organizer ---------------------------------------------------------


def test_manual_promote_past_capacity_is_audited_as_over_capacity():
    event = EventFactory(capacity=1)
    registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    editor = organizer()
    team_member(event, editor)
    now = timezone.now() + timedelta(minutes=1)
    registration_promote(registration=waiting, actor=editor, now=now)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.confirmed_at) == (CONFIRMED, now)
    assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 2  # the organizer's choice
    [entry] = audit("registration.promote")
    assert (entry.actor, entry.target_id, entry.data) == (
        editor,
        str(waiting.pk),
        {"event": event.pk, "reason": "manual", "over_capacity": True},
    )


def test_manual_promote_into_a_free_seat_is_not_over_capacity():
    event = EventFactory(capacity=3)
    # A waiting registration next to free seats: what a capacity raised by hand in the admin leaves.
    waiting = RegistrationFactory(event=event, status=WAITLISTED)
    head = organizer(manages_all=True)
    registration_promote(registration=waiting, actor=head)
    assert audit("registration.promote")[0].data["over_capacity"] is False


def test_more_capacity_promotes_the_waiting_list_in_order_with_the_time(django_capture_on_commit_callbacks):
    from events.services import event_update

    event = EventFactory(capacity=1)
    registration_create(event=event, user=candidate())
    first, second, third = (registration_create(event=event, user=candidate()) for _ in range(3))
    before = timezone.now()
    event_update(event=event, actor=organizer(manages_all=True), data={"capacity": 3})
    rows = {r.pk: r for r in Registration.objects.filter(pk__in=[first.pk, second.pk, third.pk])}
    assert [rows[r.pk].status for r in (first, second, third)] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert all(rows[r.pk].confirmed_at >= before for r in (first, second))  # when the seat was given
    event.refresh_from_db()
    assert (event.seats_confirmed, event.seats_waitlisted) == (3, 1)


def test_manual_promote_refusals():
    event = EventFactory(capacity=1)
    seat = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    for outsider in (waiting.user, organizer(), company_member()):
        with pytest.raises(RegistrationError) as caught:
            registration_promote(registration=waiting, actor=outsider)
        assert caught.value.code == "forbidden"
    head = organizer(manages_all=True)
    with pytest.raises(RegistrationError) as caught:
        registration_promote(registration=seat, actor=head)
    assert (caught.value.code, str(caught.value.message)) == ("not_waitlisted", "只有候补中的报名可以转为正式。")
    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED and audit("registration.promote") == []


# --- messages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, english",
    [
        ("not_published", "This event is not published yet."),
        ("cancelled", "This event has been cancelled."),
        ("closed", "Registration has closed."),
        ("not_candidate", "Only PhD and postdoc candidates can register for events."),
        ("no_profile", "Please complete your candidate profile before registering."),
        ("duplicate", "You are already registered for this event."),
        ("full", "The event is full and has no waiting list."),
        ("answers_needed", "Please answer this event's registration questions first."),
        ("not_active", "This registration is already cancelled."),
        ("not_waitlisted", "Only a registration on the waiting list can be moved to a seat."),
        ("forbidden", "You are not allowed to do this."),
    ],
)
def test_every_refusal_has_an_english_message(code, english):
    error = RegistrationError(code)
    with translation.override("en"):
        assert str(error.message) == english
    with translation.override("zh-hans"):
        assert str(error.message) == str(RegistrationError.messages[code])


# --- live pushes after commit (DESIGN §5.4) ----------------------------------------------------


def seat_figures(push: dict) -> dict:
    """The figures a seats push carries (its other keys are the event's labels)."""
    return {k: push["payload"][k] for k in ("version", "confirmed", "waitlisted", "seats_left")}


@pytest.fixture
def layer(settings):
    """The in-memory channel layer, whatever the environment configures."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


def listen(layer, *groups) -> str:
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return channel


def drain(layer, channel) -> list[dict]:
    """Every message waiting on `channel` (waits briefly; receives in one event loop)."""

    async def receive_all():
        messages = []
        while True:
            try:
                messages.append(await asyncio.wait_for(layer.receive(channel), 0.05))
            except TimeoutError:
                return messages

    return async_to_sync(receive_all)()


def test_registration_pushes_seats_and_the_users_status_after_commit(layer, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    person = candidate()
    public = listen(layer, f"event.{event.pk}.public")
    private = listen(layer, f"user.{person.pk}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = registration_create(event=event, user=person)
    assert drain(layer, public) == [] and drain(layer, private) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert drain(layer, public) == [
        {
            "type": "live.message",
            "group": f"event.{event.pk}.public",
            "payload": {
                "type": "event.seats",
                "event": event.pk,
                "version": 1,
                "status": "published",
                "capacity": 1,
                "confirmed": 1,
                "waitlisted": 0,
                "seats_left": 0,
                "waitlist_enabled": True,
            },
        }
    ]
    assert drain(layer, private) == [
        {
            "type": "live.message",
            "group": f"user.{person.pk}",
            "payload": {
                "type": "registration.changed",
                "event": event.pk,
                "registration": registration.pk,
                "status": CONFIRMED,
            },
        }
    ]


def test_the_seats_push_counts_the_new_seat_on_top_of_the_taken_ones(layer, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=3)
    registration_create(event=event, user=candidate())
    public = listen(layer, f"event.{event.pk}.public")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=candidate())
    [seats] = drain(layer, public)
    assert seat_figures(seats) == {
        "version": 2,
        "confirmed": 2,
        "waitlisted": 0,
        "seats_left": 1,
    }


def test_cancel_pushes_to_the_promoted_person(layer, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    seat = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    public = listen(layer, f"event.{event.pk}.public")
    promoted = listen(layer, f"user.{waiting.user_id}")
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=seat, actor=seat.user)
    [seats] = drain(layer, public)
    assert seat_figures(seats) == {
        "version": 3,
        "confirmed": 1,
        "waitlisted": 0,
        "seats_left": 0,
    }
    [mine] = drain(layer, promoted)
    assert mine["payload"] == {
        "type": "registration.changed",
        "event": event.pk,
        "registration": waiting.pk,
        "status": CONFIRMED,
    }


def test_a_rolled_back_registration_publishes_nothing(layer, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=3)
    person = candidate()
    public = listen(layer, f"event.{event.pk}.public", f"user.{person.pk}")

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort), transaction.atomic():
            registration_create(event=event, user=person)
            raise Abort
    assert callbacks == []
    assert drain(layer, public) == []
    assert Registration.objects.count() == 0
    event.refresh_from_db()
    assert event.registration_version == 0
