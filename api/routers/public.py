"""Public read of the programme: series, events, sessions, fairs, companies at a fair, positions.

Anonymous; what the public web pages show, nothing more (drafts stay hidden). The filters are the
web's own: the programme home's ProgrammeFilter and the fair directory's selector.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from accounts.disciplines import DISCIPLINES
from accounts.models import Company, Industry, PlatformKind
from events.filters import ProgrammeFilter
from events.models import Event, Series, Session, Speaker
from events.selectors import with_seat_counts
from events.speakers.selectors import sessions_with_people, speaker_sessions
from fairs import selectors as fair_selectors
from fairs.models import Fair, Position

from ..auth import CacheRateLimit
from ..errors import COMMON, ApiError, ErrorOut, not_found
from ..pagination import LIMIT_DEFAULT, LIMIT_MAX, page_of, paginate, paginate_list
from ..schemas import CompanyOut, EventOut, FairOut, Id, PositionOut, SeriesOut, SessionOut, SpeakerOut, Text

router = Router(tags=["programme"], throttle=[CacheRateLimit()])
Limit = Query(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="每页条数")
Cursor = Query(None, max_length=500, description="上一页返回的 next_cursor")
NOT_FOUND = {**COMMON, 404: ErrorOut}


def _series_out(series: Series) -> dict:
    return {
        "id": series.pk,
        "slug": series.slug,
        "title": series.title,
        "year": series.year,
        "description": series.description,
        "target_postdocs": series.target_postdocs,
    }


def event_out(event: Event, url: str | None = None) -> dict:
    return {
        "id": event.pk,
        "series_id": event.series_id,
        "series": event.series.slug,
        "action": event.action.title if event.action_id else None,
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "mode": event.mode,
        "city": event.city,
        "venue": event.venue,
        "address": event.address,
        "online_url": event.online_url,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "status": event.status,
        "capacity": event.capacity,
        "confirmed": event.confirmed_count,
        "waitlisted": event.waitlisted_count,
        "seats_left": event.seats_left,
        "waitlist_enabled": event.waitlist_enabled,
        "eligibility": list(event.eligibility or []),
        "has_fair": bool(getattr(event, "has_fair", False)),
        "url": url or event.get_absolute_url(),
    }


def _event_urls():
    """event -> its page's URL, with one reverse() per response instead of one per event."""
    template = reverse("events:detail", args=[987654321])
    return lambda event: event_out(event, template.replace("987654321", str(event.pk)))


def _events():
    has_fair = Exists(Fair.objects.filter(pk=OuterRef("pk")))
    return with_seat_counts(Event.objects.visible().select_related("series", "action")).annotate(has_fair=has_fair)


def _speaker_ref(speaker: Speaker) -> dict:
    return {"id": speaker.pk, "name": speaker.name, "title": speaker.title, "organisation": speaker.organisation}


def _session_out(session: Session) -> dict:
    room = session.place
    return {
        "id": session.pk,
        "event_id": session.event_id,
        "title": session.title,
        "speakers": [_speaker_ref(p) for p in session.speaker_list()],
        "speakers_text": session.speakers,
        "room": {"id": room.pk, "venue": room.venue, "name": room.name, "capacity": room.capacity} if room else None,
        "room_text": session.room,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "description": session.description,
    }


def position_out(position: Position) -> dict:
    return {
        "id": position.pk,
        "company_id": position.company_id,
        "company": position.company.name,
        "title": position.title,
        "discipline": position.discipline,
        "headcount": position.headcount,
        "salary_min": position.salary_min,
        "salary_max": position.salary_max,
        "location": position.location,
        "requirements": position.requirements,
        "deadline": position.deadline,
    }


@router.get("/series", response={200: page_of(SeriesOut), **COMMON}, summary="系列活动")
def series_list(request, limit: int = Limit, cursor: str | None = Cursor):
    return paginate(Series.objects.all(), order=("-year", "id"), limit=limit, cursor=cursor, serialize=_series_out)


@router.get("/series/{series_id}", response={200: SeriesOut, **NOT_FOUND}, summary="一个系列")
def series_detail(request, series_id: Id):
    series = Series.objects.filter(pk=series_id).first()
    if series is None:
        raise not_found()
    return _series_out(series)


@router.get("/events", response={200: page_of(EventOut), **COMMON}, summary="活动（与首页同样的筛选）")
def events_list(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    q: Text = Query("", description="标题或摘要包含"),
    kind: Event.Kind | None = Query(None),
    mode: Event.Mode | None = Query(None),
    month: str = Query("", pattern=r"^(\d{4}-\d{2})?$", description="YYYY-MM（北京时间）"),
    series: Id | None = Query(None, description="系列 id"),
    upcoming: bool = Query(True, description="只看未结束的活动（首页的默认）"),
):
    events = _events()
    if upcoming:
        events = events.upcoming()
    if series is not None:
        events = events.filter(series_id=series)
    if q or kind or mode or month:
        # The programme home's FilterSet, so the API and the page agree on what a filter means.
        filters = ProgrammeFilter({"q": q, "kind": kind or "", "mode": mode or "", "month": month}, queryset=events)
        if not filters.form.is_valid():
            errors = [
                {"loc": ["query", name], "msg": " ".join(str(m) for m in messages), "type": "invalid"}
                for name, messages in filters.form.errors.items()
            ]
            raise ApiError("invalid_filter", _("筛选条件有误。"), 400, errors)
        events = filters.qs
    return paginate(events, order=("starts_at", "id"), limit=limit, cursor=cursor, serialize=_event_urls())


@router.get("/events/{event_id}", response={200: EventOut, **NOT_FOUND}, summary="一个活动")
def event_detail(request, event_id: Id):
    event = _events().filter(pk=event_id).first()
    if event is None:
        raise not_found()
    return event_out(event)


@router.get("/events/{event_id}/sessions", response={200: page_of(SessionOut), **NOT_FOUND}, summary="日程")
def sessions_list(request, event_id: Id, limit: int = Limit, cursor: str | None = Cursor):
    if not Event.objects.visible().filter(pk=event_id).exists():
        raise not_found()
    return paginate(
        sessions_with_people(Session.objects.filter(event_id=event_id)),
        order=("starts_at", "id"),
        limit=limit,
        cursor=cursor,
        serialize=_session_out,
    )


def _public_speakers():
    visible = Session.objects.filter(event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
    return Speaker.objects.filter(pk__in=visible.values("presenters"))


@router.get("/speakers", response={200: page_of(SpeakerOut), **COMMON}, summary="嘉宾（含其公开日程）")
def speakers_list(
    request, limit: int = Limit, cursor: str | None = Cursor, q: Text = Query("", description="姓名或单位包含")
):
    speakers = _public_speakers()
    if q.strip():
        speakers = speakers.filter(Q(name__icontains=q.strip()) | Q(organisation__icontains=q.strip()))

    def prepare(rows):
        # The page's speakers' sessions in three queries, whatever the page size.
        ids = {speaker.pk for speaker in rows}
        sessions = sessions_with_people(
            Session.objects.filter(
                event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED], speaker_links__speaker__in=ids
            ).distinct()
        ).order_by("starts_at", "id")
        by_speaker: dict[int, list] = {pk: [] for pk in ids}
        for session in sessions:
            for person in session.speaker_list():
                if person.pk in by_speaker:
                    by_speaker[person.pk].append(session)
        for speaker in rows:
            speaker.api_sessions = by_speaker[speaker.pk]

    return paginate(speakers, order=("name", "id"), limit=limit, cursor=cursor, prepare=prepare, serialize=_speaker_out)


def _speaker_out(speaker: Speaker) -> dict:
    return {
        **_speaker_ref(speaker),
        "bio_zh": speaker.bio_zh,
        "bio_en": speaker.bio_en,
        "photo_url": speaker.photo.url if speaker.photo else None,
        "sessions": [_session_out(s) for s in speaker.api_sessions],
    }


@router.get("/speakers/{speaker_id}", response={200: SpeakerOut, **NOT_FOUND}, summary="一位嘉宾")
def speaker_detail(request, speaker_id: Id):
    speaker = _public_speakers().filter(pk=speaker_id).first()
    if speaker is None:
        raise not_found()
    speaker.api_sessions = speaker_sessions(speaker)
    return _speaker_out(speaker)


def _fair_out(fair: Fair) -> dict:
    event = fair.event
    return {
        "event_id": fair.pk,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": event.venue,
        "status": event.status,
        "approval_required": fair.approval_required,
        "booking_open": fair.booking_is_open(),
    }


def _visible_fairs():
    return Fair.objects.select_related("event").filter(
        event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED]
    )


@router.get("/fairs", response={200: page_of(FairOut), **COMMON}, summary="招聘会")
def fairs_list(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    upcoming: bool = Query(True, description="只看未结束的招聘会"),
):
    fairs = _visible_fairs()
    if upcoming:
        fairs = fairs.filter(event__ends_at__gte=timezone.now())
    return paginate(fairs, order=("event__starts_at", "event_id"), limit=limit, cursor=cursor, serialize=_fair_out)


def _company_out(company: Company) -> dict:
    return {
        "id": company.pk,
        "name": company.name,
        "industry": company.industry,
        "platform_kind": company.platform_kind,
        "description": company.description,
        "website": company.website,
        "logo_url": company.logo.url if company.logo else None,
        "booths": company.booth_codes,
        "positions": [position_out(p) for p in company.fair_positions],
    }


@router.get(
    "/fairs/{event_id}/companies",
    response={200: page_of(CompanyOut), **NOT_FOUND},
    summary="参会单位（与招聘会名录同样的筛选）",
)
def fair_companies(
    request,
    event_id: Id,
    limit: int = Limit,
    cursor: str | None = Cursor,
    discipline: str = Query("", max_length=4, description="岗位学科代码"),
    industry: Industry | None = Query(None),
    platform_kind: PlatformKind | None = Query(None),
    q: Text = Query("", description="单位、岗位名称或要求包含"),
):
    fair = _visible_fairs().filter(pk=event_id).first()
    if fair is None:
        raise not_found()
    if discipline and discipline not in dict(DISCIPLINES):
        raise ApiError(
            "invalid_filter",
            _("筛选条件有误。"),
            400,
            [{"loc": ["query", "discipline"], "msg": _("请选择有效的学科。"), "type": "invalid"}],
        )
    companies = fair_selectors.directory(
        fair, discipline=discipline, industry=industry or "", platform_kind=platform_kind or "", keyword=q.strip()[:60]
    )
    for company in companies:  # the directory's positions carry their company for position_out
        for position in company.fair_positions:
            position.company = company
    return paginate_list(companies, key=lambda c: (c.name, c.pk), limit=limit, cursor=cursor, serialize=_company_out)


@router.get("/positions", response={200: page_of(PositionOut), **COMMON}, summary="岗位")
def positions_list(
    request,
    limit: int = Limit,
    cursor: str | None = Cursor,
    fair: Id | None = Query(None, description="只看某场招聘会（活动 id）展示的岗位"),
    company: Id | None = Query(None, description="单位 id"),
    discipline: str = Query("", max_length=4, description="学科代码"),
    q: Text = Query("", description="岗位名称或要求包含"),
):
    positions = (
        Position.objects.filter(company__status=Company.Status.VERIFIED)
        .exclude(deadline__lt=timezone.localdate())
        .select_related("company")
    )
    if fair is not None:
        positions = positions.filter(fairs__in=_visible_fairs().filter(pk=fair).values("pk"))
    if company is not None:
        positions = positions.filter(company_id=company)
    if discipline:
        positions = positions.filter(discipline=discipline)
    if q.strip():
        positions = positions.filter(Q(title__icontains=q.strip()) | Q(requirements__icontains=q.strip()))
    return paginate(positions, order=("-updated_at", "-id"), limit=limit, cursor=cursor, serialize=position_out)
