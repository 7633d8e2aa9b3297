"""Booking rules of fairs.services.booth_book and the organizer's decisions, exactly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from fairs import selectors
from fairs.errors import FairError
from fairs.models import BoothBooking
from fairs.services import booking_cancel, booking_decide, booking_move, booth_book, booth_update

from .factories import booths, fair_with_booths, member

pytestmark = pytest.mark.django_db


def map_snapshot(fair):
    """The map as stored: these tests run in one transaction, so the on-commit version bump never
    runs; the caches are cleared instead (test_pages proves the bump itself)."""
    from django.core.cache import cache

    cache.clear()
    selectors.map_cache_clear()
    return selectors.map_snapshot(fair)


def test_booth_book_instant_fair_confirms_at_once():
    fair = fair_with_booths(2)
    company, user = member()
    booth = booths(fair)[0]
    booking = booth_book(booth=booth, company=company, actor=user)
    assert booking.status == "approved"
    assert booking.decided_at is not None
    state = {b["code"]: b for b in map_snapshot(fair)["booths"]}
    assert state["A-1"]["status"] == "booked" and state["A-1"]["company"] == company.name
    assert state["A-1"]["version"] == 1
    assert state["A-2"]["status"] == "free"
    assert AuditEntry.objects.filter(action="booth.book", actor=user, target_id=str(booking.pk)).count() == 1


def test_booth_book_approval_fair_holds_until_approved():
    fair = fair_with_booths(1, approval_required=True)
    company, user = member()
    booking = booth_book(booth=booths(fair)[0], company=company, actor=user)
    assert booking.status == "requested"
    snap = map_snapshot(fair)
    assert snap["booths"][0]["status"] == "held" and snap["booths"][0]["company"] == ""
    booking_decide(booking=booking, actor=fair.boss, approve=True)
    booking.refresh_from_db()
    assert booking.status == "approved" and booking.decided_by == fair.boss
    assert map_snapshot(fair)["booths"][0]["status"] == "booked"
    assert AuditEntry.objects.filter(action="booth.approve", actor=fair.boss).count() == 1


def test_booth_book_taken_booth_refused_with_code_taken():
    fair = fair_with_booths(1)
    first, first_user = member()
    second, second_user = member()
    booth_book(booth=booths(fair)[0], company=first, actor=first_user)
    with pytest.raises(FairError) as error:
        booth_book(booth=booths(fair)[0], company=second, actor=second_user)
    assert error.value.code == "taken"
    assert str(error.value.message) == "该展位已被其他单位预订或申请，请选择其他展位。"
    assert BoothBooking.objects.filter(fair=fair).count() == 1


def test_booth_book_over_quota_refused():
    fair = fair_with_booths(3, quota=2)
    company, user = member()
    a, b, c = booths(fair)
    booth_book(booth=a, company=company, actor=user)
    booth_book(booth=b, company=company, actor=user)
    with pytest.raises(FairError) as error:
        booth_book(booth=c, company=company, actor=user)
    assert error.value.code == "over_quota"
    assert str(error.value.message) == "每家单位在本场招聘会最多可预订 2 个展位。"
    assert BoothBooking.objects.filter(fair=fair, company=company).count() == 2


def test_booth_book_cancelled_booking_frees_quota_and_booth():
    fair = fair_with_booths(2, quota=1)
    company, user = member()
    other, other_user = member()
    a, b = booths(fair)
    booking = booth_book(booth=a, company=company, actor=user)
    booking_cancel(booking=booking, actor=user)
    assert booth_book(booth=b, company=company, actor=user).status == "approved"
    assert booth_book(booth=a, company=other, actor=other_user).status == "approved"


def test_booth_book_unverified_company_refused():
    fair = fair_with_booths(1)
    company, user = member(verified=False)
    with pytest.raises(FairError) as error:
        booth_book(booth=booths(fair)[0], company=company, actor=user)
    assert error.value.code == "not_verified"
    assert error.value.status_code == 403
    assert not BoothBooking.objects.exists()


def test_booth_book_by_non_member_refused():
    fair = fair_with_booths(1)
    company, _user = member()
    _other, outsider = member()
    with pytest.raises(FairError) as error:
        booth_book(booth=booths(fair)[0], company=company, actor=outsider)
    assert error.value.code == "not_member"


def test_booth_book_closed_booking_refused():
    fair = fair_with_booths(1)
    fair.booking_closes_at = timezone.now() - timedelta(minutes=1)
    fair.save()
    company, user = member()
    with pytest.raises(FairError) as error:
        booth_book(booth=booths(fair)[0], company=company, actor=user)
    assert error.value.code == "closed"
    fair.booking_closes_at, fair.booking_open = None, False
    fair.save()
    with pytest.raises(FairError) as error:
        booth_book(booth=booths(fair)[0], company=company, actor=user)
    assert error.value.code == "closed"


def test_booth_book_closed_booth_refused():
    fair = fair_with_booths(1)
    booth = booths(fair)[0]
    booth_update(booth=booth, actor=fair.boss, data={"is_closed": True})
    company, user = member()
    with pytest.raises(FairError) as error:
        booth_book(booth=booth, company=company, actor=user)
    assert error.value.code == "booth_closed"
    assert map_snapshot(fair)["booths"][0]["status"] == "closed"


def test_booking_decide_reject_frees_booth():
    fair = fair_with_booths(1, approval_required=True)
    company, user = member()
    booking = booth_book(booth=booths(fair)[0], company=company, actor=user)
    booking_decide(booking=booking, actor=fair.boss, approve=False)
    booking.refresh_from_db()
    assert booking.status == "rejected"
    assert map_snapshot(fair)["booths"][0]["status"] == "free"
    with pytest.raises(FairError) as error:
        booking_decide(booking=booking, actor=fair.boss, approve=True)
    assert error.value.code == "not_requested"


def test_booking_decide_by_company_member_forbidden():
    fair = fair_with_booths(1, approval_required=True)
    company, user = member()
    booking = booth_book(booth=booths(fair)[0], company=company, actor=user)
    with pytest.raises(FairError) as error:
        booking_decide(booking=booking, actor=user, approve=True)
    assert error.value.code == "forbidden"
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_booking_move_to_free_booth_and_refused_onto_taken_one():
    fair = fair_with_booths(3)
    company, user = member()
    other, other_user = member()
    a, b, c = booths(fair)
    booking = booth_book(booth=a, company=company, actor=user)
    booth_book(booth=c, company=other, actor=other_user)
    booking_move(booking=booking, to_booth=b, actor=fair.boss)
    booking.refresh_from_db()
    assert booking.booth_id == b.pk and booking.status == "approved"
    states = {s["code"]: s["status"] for s in map_snapshot(fair)["booths"]}
    assert states == {"A-1": "free", "A-2": "booked", "A-3": "booked"}
    with pytest.raises(FairError) as error:
        booking_move(booking=booking, to_booth=c, actor=fair.boss)
    assert error.value.code == "taken"
    entry = AuditEntry.objects.get(action="booth.move")
    assert entry.data == {"from": "A-1", "to": "A-2", "company": company.pk}


def test_booking_cancel_by_organizer_and_by_other_company():
    fair = fair_with_booths(1)
    company, user = member()
    _other, outsider = member()
    booking = booth_book(booth=booths(fair)[0], company=company, actor=user)
    with pytest.raises(FairError) as error:
        booking_cancel(booking=booking, actor=outsider)
    assert error.value.code == "forbidden"
    booking_cancel(booking=booking, actor=fair.boss)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.decided_by == fair.boss
    assert AuditEntry.objects.get(action="booth.cancel").data["by_organizer"] is True


def test_booth_update_refuses_closing_a_booked_booth():
    fair = fair_with_booths(1)
    company, user = member()
    booth = booths(fair)[0]
    booth_book(booth=booth, company=company, actor=user)
    with pytest.raises(FairError) as error:
        booth_update(booth=booth, actor=fair.boss, data={"is_closed": True})
    assert error.value.code == "has_bookings"


def test_booking_notices_go_to_organizers_then_the_company(django_capture_on_commit_callbacks):
    from django.core import mail

    from notifications.models import Notification

    fair = fair_with_booths(1, approval_required=True, title="蓝洽会博士后专场")
    company, user = member(name="青岛海蓝智能科技有限公司")
    with django_capture_on_commit_callbacks() as after_commit:
        booking = booth_book(booth=booths(fair)[0], company=company, actor=user)
    # The booking request only books: the notice is written after commit, by a task.
    assert not Notification.objects.exists()
    for callback in after_commit:
        callback()
    to_boss = Notification.objects.get(user=fair.boss, kind="booth.requested")
    assert to_boss.title == "新的展位申请：青岛海蓝智能科技有限公司 申请 A-1"
    assert not Notification.objects.filter(user=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        booking_decide(booking=booking, actor=fair.boss, approve=True)
    to_company = Notification.objects.get(user=user, kind="booth.approved")
    assert to_company.title == "展位申请已通过：A-1"
    assert "蓝洽会博士后专场" in to_company.body
    assert [m.to for m in mail.outbox if "展位申请已通过" in m.subject] == [[user.email]]


def test_booth_book_runs_a_fixed_number_of_queries(django_assert_num_queries, django_capture_on_commit_callbacks):
    """The booking request only books: member check, fair, savepoint, company and booth locks,
    taken?, quota, insert, booth version, audit, who to tell, the notice's outbox row, release.
    The notice itself is written by a task after commit, and the pushed booth state reuses the
    booking just made."""
    from django.contrib.contenttypes.models import ContentType

    fair = fair_with_booths(1)
    company, user = member()
    booth = booths(fair)[0]
    ContentType.objects.get_for_model(BoothBooking)  # the audit entry's type, cached per process
    with django_capture_on_commit_callbacks() as after_commit:
        with django_assert_num_queries(13):
            booth_book(booth=booth, company=company, actor=user)
    assert len(after_commit) == 2  # the map (version, push, warm-up), the notice task
