"""The rules of events.services.registration: seats, waiting list, windows, eligibility."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import AuditEntry
from events.models import Registration
from events.selectors import waitlist_position
from events.services import RegistrationError, registration_cancel, registration_create, registration_promote

from ..factories import EventFactory, UserFactory, candidate, company_member, organizer, team_member

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"


def refuse(code, **kwargs):
    with pytest.raises(RegistrationError) as caught:
        registration_create(**kwargs)
    assert caught.value.code == code
    return caught.value


def test_registration_confirmed_until_capacity_then_waitlisted_in_order():
    event = EventFactory(capacity=2)
    people = [candidate() for _ in range(4)]
    statuses = [registration_create(event=event, user=p).status for p in people]
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    waiting = list(Registration.objects.filter(event=event, status=WAITLISTED).order_by("id"))
    assert [waitlist_position(r) for r in waiting] == [1, 2]
    assert [r.user for r in waiting] == people[2:]
    assert all(r.confirmed_at is None for r in waiting)
    event.refresh_from_db()
    assert event.registration_version == 4
    assert list(AuditEntry.objects.filter(action__startswith="registration.").values_list("action", flat=True)
                .order_by("id")) == ["registration.confirmed"] * 2 + ["registration.waitlisted"] * 2


def test_cancel_confirmed_promotes_first_waitlisted_in_same_transaction():
    event = EventFactory(capacity=1)
    first, second, third = candidate(), candidate(), candidate()
    seat = registration_create(event=event, user=first)
    wait1 = registration_create(event=event, user=second)
    wait2 = registration_create(event=event, user=third)
    registration_cancel(registration=seat, actor=first)
    seat.refresh_from_db(); wait1.refresh_from_db(); wait2.refresh_from_db()
    assert (seat.status, wait1.status, wait2.status) == (CANCELLED, CONFIRMED, WAITLISTED)
    assert seat.cancelled_at is not None and wait1.confirmed_at is not None
    assert waitlist_position(wait2) == 1
    promote = AuditEntry.objects.get(action="registration.promote")
    assert (promote.actor, promote.target_id, promote.data["reason"]) == (None, str(wait1.pk), "seat_freed")
    cancel = AuditEntry.objects.get(action="registration.cancel")
    assert (cancel.actor, cancel.data["was"]) == (first, CONFIRMED)


def test_cancel_waitlisted_promotes_nobody():
    event = EventFactory(capacity=1)
    seat = registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    last = registration_create(event=event, user=candidate())
    registration_cancel(registration=waiting, actor=waiting.user)
    seat.refresh_from_db(); last.refresh_from_db()
    assert (seat.status, last.status, waitlist_position(last)) == (CONFIRMED, WAITLISTED, 1)
    assert not AuditEntry.objects.filter(action="registration.promote").exists()


def test_window_not_open_says_when_and_closed():
    opens = timezone.now() + timedelta(days=2)
    event = EventFactory(registration_opens_at=opens)
    error = refuse("not_open", event=event, user=candidate())
    expected = timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")
    assert str(error.message) == f"报名尚未开始，请于 {expected} 后再来。"
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=1))
    assert str(refuse("closed", event=closed, user=candidate()).message) == "报名已截止。"
    started = EventFactory(starts_at=timezone.now() - timedelta(hours=1), registration_opens_at=None)
    refuse("closed", event=started, user=candidate())


def test_cancelled_draft_and_full_without_waitlist_refused():
    assert str(refuse("cancelled", event=EventFactory(status="cancelled"), user=candidate()).message) == \
        "该活动已取消，不能报名。"
    refuse("not_published", event=EventFactory(status="draft"), user=candidate())
    full = EventFactory(capacity=1, waitlist_enabled=False)
    registration_create(event=full, user=candidate())
    assert str(refuse("full", event=full, user=candidate()).message) == "名额已满，本活动不设候补。"
    assert Registration.objects.filter(event=full).count() == 1


def test_eligibility_role_and_profile_checked():
    postdocs_only = EventFactory(eligibility=["postdoc", "postdoc_alumni"])
    error = refuse("ineligible", event=postdocs_only, user=candidate(postdoc_status="none"))
    assert str(error.message) == "本活动仅面向：在站博士后、出站博士后。"
    with translation.override("en"):
        assert error.code == "ineligible"
    ok = registration_create(event=postdocs_only, user=candidate(postdoc_status="in_station"))
    assert ok.status == CONFIRMED
    refuse("not_candidate", event=postdocs_only, user=organizer())
    refuse("not_candidate", event=postdocs_only, user=company_member())
    refuse("no_profile", event=postdocs_only, user=UserFactory())


def test_duplicate_refused_and_reregistering_after_cancel_allowed():
    event = EventFactory(capacity=5)
    person = candidate()
    first = registration_create(event=event, user=person)
    assert str(refuse("duplicate", event=event, user=person).message) == "您已报名该活动，无需重复报名。"
    registration_cancel(registration=first, actor=person)
    again = registration_create(event=event, user=person)
    assert again.status == CONFIRMED and again.pk != first.pk
    assert Registration.objects.filter(event=event, user=person).count() == 2


def test_database_constraint_allows_one_active_registration():
    event = EventFactory()
    person = candidate()
    Registration.objects.create(event=event, user=person, status=CONFIRMED)
    Registration.objects.create(event=event, user=person, status=CANCELLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, user=person, status=WAITLISTED)


def test_cancel_someone_elses_registration_forbidden_but_editor_may():
    event = EventFactory()
    registration = registration_create(event=event, user=candidate())
    with pytest.raises(RegistrationError) as caught:
        registration_cancel(registration=registration, actor=candidate())
    assert caught.value.code == "forbidden"
    stranger = organizer()
    with pytest.raises(RegistrationError):
        registration_cancel(registration=registration, actor=stranger)
    editor = organizer()
    team_member(event, editor)
    registration_cancel(registration=registration, actor=editor)
    registration.refresh_from_db()
    assert registration.status == CANCELLED
    with pytest.raises(RegistrationError) as again:
        registration_cancel(registration=registration, actor=editor)
    assert again.value.code == "not_active"


def test_manual_promote_past_capacity_is_audited():
    event = EventFactory(capacity=1)
    registration_create(event=event, user=candidate())
    waiting = registration_create(event=event, user=candidate())
    editor = organizer()
    with pytest.raises(RegistrationError) as caught:
        registration_promote(registration=waiting, actor=candidate())
    assert caught.value.code == "forbidden"
    team_member(event, editor)
    registration_promote(registration=waiting, actor=editor)
    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    entry = AuditEntry.objects.get(action="registration.promote")
    assert (entry.actor, entry.data["reason"], entry.data["over_capacity"]) == (editor, "manual", True)
    with pytest.raises(RegistrationError) as again:
        registration_promote(registration=waiting, actor=editor)
    assert again.value.code == "not_waitlisted"


def test_english_message(settings):
    with translation.override("en"):
        error = RegistrationError("closed")
        assert str(error.message) == "Registration has closed."


@pytest.mark.django_db(transaction=True)
def test_live_push_only_after_commit():
    """Run on one event loop: the Redis channel layer binds its queues to the loop that made them."""
    event = EventFactory(capacity=3)

    class Boom(Exception):
        pass

    def rolled_back():
        with pytest.raises(Boom), transaction.atomic():
            registration_create(event=event, user=candidate())
            raise Boom
        assert Registration.objects.count() == 0

    async def scenario():
        import asyncio

        from asgiref.sync import sync_to_async

        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(f"event.{event.pk}.public", channel)
        await sync_to_async(rolled_back)()
        with pytest.raises(TimeoutError):  # the rolled-back registration pushed nothing
            await asyncio.wait_for(layer.receive(channel), 0.3)
        await sync_to_async(lambda: registration_create(event=event, user=candidate()))()
        return await asyncio.wait_for(layer.receive(channel), 5)

    message = async_to_sync(scenario)()
    assert message["payload"] == {
        "type": "event.seats", "event": event.pk, "version": 1, "status": "published", "capacity": 3,
        "confirmed": 1, "waitlisted": 0, "seats_left": 2, "waitlist_enabled": True,
    }
