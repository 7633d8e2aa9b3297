"""The organizer's endpoints: registrations (with answers), check-ins and booth bookings.

Every call needs a personal access token of the event's team. A token reaches exactly one event:
any other event id answers 404, as if it did not exist (an IDOR guesser learns nothing). It can
do no more than its owner may still do on that event right now, and writes need a read-write
token. The writes are the services the console calls, so rules, audit and notices are the same.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router

from checkin.models import Checkin
from events import selectors as event_selectors
from events.models import Event, EventTeamMember, Registration
from events.permissions import event_can_edit, event_can_scan
from events.questions.selectors import answer_filter, event_questions
from events.services import registration_cancel, registration_promote
from fairs.models import BoothBooking
from fairs.services import booking_decide

from ..auth import CacheRateLimit, TokenAuth
from ..errors import AUTHED, ApiError, not_found
from ..models import ApiToken
from ..pagination import LIMIT_DEFAULT, LIMIT_MAX, page_of, paginate
from ..schemas import BookingOut, CheckinOut, Id, QuestionOut, RegistrationOut, Text, TokenOut
from .public import Cursor

router = Router(tags=["organizer"], auth=TokenAuth(), throttle=[CacheRateLimit()])
Limit = Query(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="每页条数")


def _scoped(request, event_id: int, *, write: bool = False, right: str = "edit") -> Event:
    """The token's event if it is `event_id` and its owner still has `right` on it."""
    token: ApiToken = request.auth
    if token.event_id != event_id:
        raise not_found()
    event = token.event
    # The common case, a team member with the right, in one query; everyone else (organizers who
    # manage all events) through the permission functions the console uses.
    team = EventTeamMember.objects.filter(event=event, user=token.user)
    team = team.filter(can_edit=True) if right == "edit" else team.filter(Q(can_edit=True) | Q(can_scan=True))
    allowed = (token.user.is_organizer and token.user.is_active and team.exists()) or (
        event_can_edit(token.user, event) if right == "edit" else event_can_scan(token.user, event)
    )
    if not allowed:
        raise ApiError("forbidden", _("令牌所属账号已无权访问该活动。"), 403)
    if write and not token.can_write:
        raise ApiError("read_only", _("这是只读令牌，不能修改数据。"), 403)
    return event


@router.get("/token", response={200: TokenOut, **AUTHED}, summary="当前令牌")
def token_info(request):
    token: ApiToken = request.auth
    return {
        "name": token.name,
        "prefix": token.prefix,
        "event_id": token.event_id,
        "access": token.access,
        "user": token.user.email,
    }


# What registration_out reads: the page query loads these columns only.
ROW_FIELDS = (
    "id",
    "event_id",
    "status",
    "created_at",
    "confirmed_at",
    "cancelled_at",
    "user__id",
    "user__email",
    "user__name",
    "user__candidate_profile__full_name",
    "user__candidate_profile__phone",
    "user__candidate_profile__degree",
    "user__candidate_profile__postdoc_status",
    "user__candidate_profile__institution",
    "user__candidate_profile__discipline",
)


def _person(registration: Registration) -> dict:
    user = registration.user
    profile = getattr(user, "candidate_profile", None)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "full_name": profile.full_name if profile else "",
        "phone": profile.phone if profile else "",
        "kind": profile.kind if profile else "",
        "degree": profile.degree if profile else "",
        "institution": profile.institution if profile else "",
        "discipline": profile.discipline if profile else "",
    }


def registration_out(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "event_id": registration.event_id,
        "status": registration.status,
        "created_at": registration.created_at,
        "confirmed_at": registration.confirmed_at,
        "cancelled_at": registration.cancelled_at,
        "waitlist_position": getattr(registration, "api_place", None),
        "person": _person(registration),
        "answers": getattr(registration, "api_answers", {}),
    }


def _attach_answers(event: Event):
    """Answers and waiting-list places of a page of registrations: one query each, whatever the
    page size (none for answers when the event has no questions, none for places when nobody
    on the page is waiting)."""

    def prepare(rows: list[Registration]) -> None:
        answers = event_selectors.registration_answers_by_key(event, [r.pk for r in rows])
        waiting = [r.pk for r in rows if r.status == Registration.Status.WAITLISTED]
        places = event_selectors.waitlist_places(event, waiting) if waiting else {}
        for row in rows:
            row.api_answers = answers.get(row.pk, {})
            row.api_place = places.get(row.pk)

    return prepare


@router.get(
    "/events/{event_id}/registrations",
    response={200: page_of(RegistrationOut), **AUTHED},
    summary="报名（含报名问题的回答；与控制台同样的筛选）",
)
def registrations_list(
    request,
    event_id: Id,
    limit: int = Limit,
    cursor: str | None = Cursor,
    status: Registration.Status | None = Query(None),
    q: Text = Query("", description="邮箱、姓名或单位包含"),
    question: Id | None = Query(None, description="按回答筛选：问题 id"),
    answer: Text = Query("", description="按回答筛选：回答包含（单选、多选为选项全文）"),
):
    event = _scoped(request, event_id)
    rows = event_selectors.console_registrations(event, status=status or "", q=q.strip()).only(*ROW_FIELDS)
    if question is not None and answer.strip():
        chosen = next((x for x in event_questions(event) if x.pk == question), None) if event.has_questions else None
        if chosen is None:
            raise not_found()
        rows = answer_filter(rows, question=chosen, text=answer.strip())
    return paginate(
        rows,
        order=("created_at", "id"),
        limit=limit,
        cursor=cursor,
        prepare=_attach_answers(event),
        serialize=registration_out,
    )


@router.get("/events/{event_id}/questions", response={200: list[QuestionOut], **AUTHED}, summary="报名问题")
def questions_list(request, event_id: Id):
    event = _scoped(request, event_id)
    return [
        {
            "id": q.pk,
            "kind": q.kind,
            "label": q.label,
            "help_text": q.help_text,
            "required": q.required,
            "choices": list(q.choices or []),
            "consent_text": q.consent_text,
            "audience": q.audience,
            "position": q.position,
            "hidden": q.hidden,
        }
        for q in event_questions(event)
    ]


def _registration(event: Event, registration_id: int) -> Registration:
    registration = (
        Registration.objects.filter(event=event, pk=registration_id)
        .select_related("user", "user__candidate_profile")
        .first()
    )
    if registration is None:
        raise not_found()
    return registration


@router.get(
    "/events/{event_id}/registrations/{registration_id}", response={200: RegistrationOut, **AUTHED}, summary="一条报名"
)
def registration_detail(request, event_id: Id, registration_id: Id):
    event = _scoped(request, event_id)
    registration = _registration(event, registration_id)
    _attach_answers(event)([registration])
    return registration_out(registration)


@router.post(
    "/events/{event_id}/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **AUTHED},
    summary="取消报名（读写令牌）",
)
def registration_cancel_op(request, event_id: Id, registration_id: Id):
    event = _scoped(request, event_id, write=True)
    registration = registration_cancel(registration=_registration(event, registration_id), actor=request.auth.user)
    return registration_detail(request, event_id, registration.pk)


@router.post(
    "/events/{event_id}/registrations/{registration_id}/promote",
    response={200: RegistrationOut, **AUTHED},
    summary="候补转正式（读写令牌）",
)
def registration_promote_op(request, event_id: Id, registration_id: Id):
    event = _scoped(request, event_id, write=True)
    registration = registration_promote(registration=_registration(event, registration_id), actor=request.auth.user)
    return registration_detail(request, event_id, registration.pk)


def _checkin_out(checkin: Checkin) -> dict:
    return {
        "id": checkin.pk,
        "ticket_id": checkin.ticket_id,
        "registration_id": checkin.ticket.registration_id,
        "list_id": checkin.checkin_list_id,
        "list_name": checkin.checkin_list.name,
        "session_id": checkin.checkin_list.session_id,
        "scanned_at": checkin.scanned_at,
        "gate": checkin.gate,
        "offline": checkin.offline,
    }


@router.get("/events/{event_id}/checkins", response={200: page_of(CheckinOut), **AUTHED}, summary="签到记录")
def checkins_list(
    request,
    event_id: Id,
    limit: int = Limit,
    cursor: str | None = Cursor,
    list_id: Id | None = Query(None, alias="list", description="签到名单 id"),
    gate: Text = Query("", description="入口"),
):
    event = _scoped(request, event_id, right="scan")
    rows = Checkin.objects.filter(checkin_list__event=event).select_related("ticket", "checkin_list")
    if list_id is not None:
        rows = rows.filter(checkin_list_id=list_id)
    if gate:
        rows = rows.filter(gate=gate)
    return paginate(rows, order=("scanned_at", "id"), limit=limit, cursor=cursor, serialize=_checkin_out)


def _booking_out(booking: BoothBooking) -> dict:
    return {
        "id": booking.pk,
        "fair_id": booking.fair_id,
        "booth_id": booking.booth_id,
        "booth": booking.booth.code,
        "hall": booking.booth.hall.name,
        "company_id": booking.company_id,
        "company": booking.company.name,
        "status": booking.status,
        "created_at": booking.created_at,
        "decided_at": booking.decided_at,
    }


def _bookings(event: Event):
    return BoothBooking.objects.filter(fair_id=event.pk).select_related("booth__hall", "company", "fair__event")


@router.get("/fairs/{event_id}/bookings", response={200: page_of(BookingOut), **AUTHED}, summary="展位预订")
def bookings_list(
    request,
    event_id: Id,
    limit: int = Limit,
    cursor: str | None = Cursor,
    status: BoothBooking.Status | None = Query(None),
):
    event = _scoped(request, event_id)
    rows = _bookings(event)
    if status:
        rows = rows.filter(status=status)
    return paginate(rows, order=("created_at", "id"), limit=limit, cursor=cursor, serialize=_booking_out)


def _decide(request, event_id: int, booking_id: int, approve: bool) -> dict:
    event = _scoped(request, event_id, write=True)
    booking = _bookings(event).filter(pk=booking_id).first()
    if booking is None:
        raise not_found()
    booking_decide(booking=booking, actor=request.auth.user, approve=approve)
    return _booking_out(_bookings(event).get(pk=booking_id))


@router.post(
    "/fairs/{event_id}/bookings/{booking_id}/approve",
    response={200: BookingOut, **AUTHED},
    summary="批准展位预订（读写令牌）",
)
def booking_approve(request, event_id: Id, booking_id: Id):
    return _decide(request, event_id, booking_id, True)


@router.post(
    "/fairs/{event_id}/bookings/{booking_id}/reject",
    response={200: BookingOut, **AUTHED},
    summary="拒绝展位预订（读写令牌）",
)
def booking_reject(request, event_id: Id, booking_id: Id):
    return _decide(request, event_id, booking_id, False)
