"""Public programme pages and a candidate's own registrations. Thin: rules live in services."""

from functools import wraps
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications import live

from .. import selectors
from ..filters import ProgrammeFilter
from ..models import Event, Registration
from ..permissions import event_can_edit
from ..questions.selectors import answers_by_registration
from ..questions.services import QuestionError, answers_clean, answers_update, questions_for
from ..services import RegistrationError, registration_cancel, registration_create
from ..speakers.models import Speaker
from ..speakers.selectors import sessions_with_people, speaker_sessions, timetable_grid


def _visible_event(request, pk: int, *, for_page: bool = True) -> Event:
    # The register and cancel POSTs show no series or action: without the joins their
    # lookup is cheaper, and they are the requests of a registration burst.
    events = Event.objects.select_related("series", "action") if for_page else Event.objects
    event = get_object_or_404(events, pk=pk)
    if event.status == Event.Status.DRAFT and not event_can_edit(request.user, event):
        raise Http404  # a draft is not public; its editors may preview it
    return event


@require_GET
def home(request):
    programme = ProgrammeFilter(request.GET or None, queryset=selectors.programme_events())
    order = {kind: place for place, (kind, _label) in enumerate(Event.Kind.choices)}
    events = sorted(programme.qs, key=lambda e: (order.get(e.kind, len(order)), e.starts_at, e.pk))
    mine = selectors.user_event_statuses(request.user, [e.pk for e in events]) if events else {}
    now = timezone.now()
    for event in events:
        event.my_status = mine.get(event.pk, "")
        event.opens_later = bool(event.registration_opens_at and now < event.registration_opens_at)
        event.closed = now >= (event.registration_closes_at or event.starts_at)
    labels = dict(Event.Kind.choices)
    groups = [(labels.get(kind, kind), list(items)) for kind, items in groupby(events, key=lambda e: e.kind)]
    return render(
        request,
        "events/home.html",
        {
            "filter": programme,
            "groups": groups,
            "count": len(events),
            "filtered": programme.is_bound and any(programme.form.data.get(f) for f in programme.form.fields),
        },
    )


@require_GET
def event_detail(request, pk: int):
    return _detail(request, _visible_event(request, pk))


def _detail(request, event: Event, *, answers_form=None, status: int = 200):
    snapshot = selectors.event_snapshot(event, request.user)
    if answers_form is None and event.has_questions and not snapshot["me"] and request.user.is_authenticated:
        from ..questions.forms import AnswersForm

        answers_form = AnswersForm(questions_for(event, request.user))
    sessions = list(sessions_with_people(event.sessions.all()))
    # The rooms × time grid when sessions run in more than one room on some day (and fit the
    # grid's classes); one room's timetable reads better as the list.
    grid = timetable_grid(sessions) if len({s.room_label for s in sessions}) > 1 else []
    if not any(len(day.columns) > 1 for day in grid) or any(
        len(day.columns) > 12 or len(day.times) > 58 for day in grid
    ):
        grid = []
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    context = {
        "event": event,
        "sessions": sessions,
        # Several days: the timetable shows the date with every slot.
        "multi_day": starts.date() != ends.date(),
        "snapshot": snapshot,
        "obstacle": None if snapshot["me"] else selectors.registration_obstacle(event, request.user),
        "live_topics": live.group_event_public(event.pk),
        "can_edit": event_can_edit(request.user, event),
        "answers_form": answers_form,
        "grid": grid,
    }
    return render(request, "events/detail.html", context, status=status)


def _post_only(view):
    """A GET of a register/cancel URL goes back to the event page instead of a 405: it happens
    when a session expired and the login page sends the person back to the form's URL."""

    @wraps(view)
    def wrapper(request, pk: int):
        if request.method != "POST":
            return redirect("events:detail", pk=pk)
        return view(request, pk)

    return wrapper


@require_GET
def event_snapshot(request, pk: int):
    event = _visible_event(request, pk)
    response = JsonResponse(selectors.event_snapshot(event, request.user))
    response["Cache-Control"] = "no-store"
    return response


# Refusals of the by-id registration after which the full path answers instead: a draft is a
# 404 for all but its editors, and an event with questions needs its answers read first.
_FULL_PATH = {"not_published", "answers_needed"}


@login_required
@_post_only
def event_register(request, pk: int):
    try:
        try:
            # The path of a registration burst: the event is read by the seat lock's own
            # statement (registration_create by id), not by a query of its own before it.
            registration = registration_create(event=pk, user=request.user)
        except Event.DoesNotExist:
            raise Http404 from None
        except RegistrationError as error:
            if error.code not in _FULL_PATH:
                raise
            event = _visible_event(request, pk, for_page=False)
            answers = None
            if event.has_questions:
                # Checked before registration_create takes the seat lock; a refusal holds no seat.
                answers = answers_clean(event=event, user=request.user, data=request.POST, files=request.FILES)
            registration = registration_create(event=event, user=request.user, answers=answers)
    except QuestionError as error:
        messages.error(request, error.message)
        return _detail(request, _visible_event(request, pk), answers_form=error.form, status=400)
    except RegistrationError as error:
        messages.error(request, error.message)
        url = reverse("events:detail", args=[pk])
        if error.code == "no_profile":
            return redirect(f"{reverse('accounts:profile')}?next={url}")
        return redirect(url)
    messages.add_message(request, *registered_message(registration.status, registration.waitlist_place))
    return redirect(registration.event)


def registered_message(status: str, place: int | None) -> tuple[int, str]:
    """The message level and text after registering (also the registration fast lane's)."""
    if status == Registration.Status.CONFIRMED:
        return messages.SUCCESS, _("报名成功，您的名额已确认。")
    return messages.INFO, _("名额已满，您已进入候补名单，当前第 %(position)d 位。") % {"position": place}


@login_required
def event_answers(request, pk: int):
    """See and change one's answers to the event's questions while registration is open."""
    event = _visible_event(request, pk)
    registration = selectors.active_registration(event, request.user)
    if registration is None or not event.has_questions:
        return redirect(event)
    from ..questions.forms import AnswersForm

    existing = answers_by_registration([registration.pk]).get(registration.pk, {})
    questions = questions_for(event, request.user)
    form = AnswersForm(questions, request.POST or None, request.FILES or None, existing=existing)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                answers_update(registration=registration, actor=request.user, answers=form.answers())
            except QuestionError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("报名回答已保存。"))
                return redirect(event)
        status = 400
    return render(
        request,
        "events/answers.html",
        {
            "event": event,
            "form": form,
            "open": event.registration_is_open(),
        },
        status=status,
    )


@login_required
@_post_only
def event_cancel_registration(request, pk: int):
    event = _visible_event(request, pk, for_page=False)
    registration = selectors.active_registration(event, request.user)
    if registration is None:
        messages.error(request, _("您没有该活动的有效报名。"))
        return redirect(event)
    try:
        registration_cancel(registration=registration, actor=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消报名。"))
    return redirect(event)


@login_required
@require_GET
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def my_events(request):
    registrations = list(selectors.user_registrations_with_positions(request.user))
    # Cancelled rows are history: show one per event, and none once the person registered again.
    active_events = {r.event_id for r in registrations if r.status != Registration.Status.CANCELLED}
    last_cancelled = {r.event_id: r.pk for r in registrations if r.status == Registration.Status.CANCELLED}
    shown = [
        r
        for r in registrations
        if r.status != Registration.Status.CANCELLED
        or (r.event_id not in active_events and last_cancelled[r.event_id] == r.pk)
    ]
    now = timezone.now()
    return render(
        request,
        "events/my_events.html",
        {
            "upcoming": [r for r in shown if r.event.ends_at >= now],
            "past": sorted((r for r in shown if r.event.ends_at < now), key=lambda r: r.event.starts_at, reverse=True),
        },
    )


@require_GET
def speaker_detail(request, pk: int):
    """A speaker's page: who they are and their sessions across the programme."""
    speaker = get_object_or_404(Speaker, pk=pk)
    sessions = speaker_sessions(speaker)
    if not sessions and not event_can_edit_any(request.user):
        raise Http404  # someone who speaks nowhere public is not listed
    return render(request, "events/speaker.html", {"speaker": speaker, "sessions": sessions})


def event_can_edit_any(user) -> bool:
    return user.is_authenticated and user.is_organizer
