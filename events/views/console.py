"""The organizer console. Every view needs an organizer; every event-scoped view finds the
event among those the user may edit, so a guessed id is a 404 (DESIGN §5.6)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AuditEntry, User

from .. import exports, selectors
from ..forms import ActionFormSet, EventForm, RegistrationFilterForm, SeriesForm, SessionForm, TeamMemberForm
from ..models import Event, Registration, Series, Session
from ..permissions import events_editable_by
from ..services import (
    EventError,
    RegistrationError,
    event_cancel,
    event_create,
    event_publish,
    event_update,
    registration_cancel,
    registration_promote,
    series_save,
    session_delete,
    session_save,
    team_member_set,
)


def organizer_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_organizer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _event(request, pk) -> Event:
    return get_object_or_404(events_editable_by(request.user).select_related("series", "action"), pk=pk)


@organizer_required
def home(request):
    events = selectors.with_seat_counts(events_editable_by(request.user).select_related("series")).order_by(
        "-starts_at", "-id")
    return render(request, "console/home.html", {"events": events, "series": Series.objects.all()})


@organizer_required
def series_edit(request, pk=None):
    series = get_object_or_404(Series, pk=pk) if pk else None
    form = SeriesForm(request.POST or None, instance=series)
    formset = ActionFormSet(request.POST or None, instance=series or Series())
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = series_save(actor=request.user, data=form.cleaned_data, series=series)
        except EventError as error:
            messages.error(request, error.message)
        else:
            formset.instance = saved
            formset.save()
            messages.success(request, _("系列活动已保存。"))
            return redirect("console:home")
    return render(request, "console/series_form.html", {"form": form, "formset": formset, "series": series},
                  status=400 if request.method == "POST" else 200)


@organizer_required
def event_new(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(actor=request.user, data=form.cleaned_data)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("活动已创建（草稿）。"))
            return redirect("console:event", event.pk)
    return render(request, "console/event_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@organizer_required
def event_edit(request, pk):
    event = _event(request, pk)
    form = EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        try:
            event_update(event=event, actor=request.user, data=form.cleaned_data)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("活动已更新。"))
            return redirect("console:event", event.pk)
    return render(request, "console/event_form.html", {"form": form, "event": event},
                  status=400 if request.method == "POST" else 200)


@organizer_required
def event_overview(request, pk):
    event = _event(request, pk)
    return render(request, "console/event.html", {
        "event": event,
        "seats": selectors.seats_payload(event),
        "sessions": event.sessions.all(),
        "team": event.team.select_related("user"),
        "session_form": SessionForm(event=event),
        "team_form": TeamMemberForm(),
    })


@organizer_required
@require_POST
def event_status(request, pk, action):
    event = _event(request, pk)
    change = {"publish": event_publish, "cancel": event_cancel}[action]
    try:
        change(event=event, actor=request.user)
    except EventError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("活动已发布。") if action == "publish" else _("活动已取消。"))
    return redirect("console:event", event.pk)


@organizer_required
def session_edit(request, pk, session_pk=None):
    event = _event(request, pk)
    session = get_object_or_404(Session, pk=session_pk, event=event) if session_pk else None
    form = SessionForm(request.POST or None, instance=session, event=event)
    if request.method == "POST" and form.is_valid():
        session_save(event=event, actor=request.user, data=form.cleaned_data, session=session)
        messages.success(request, _("日程已保存。"))
        return redirect("console:event", event.pk)
    return render(request, "console/session_form.html", {"form": form, "event": event, "session": session},
                  status=400 if request.method == "POST" else 200)


@organizer_required
@require_POST
def session_remove(request, pk, session_pk):
    event = _event(request, pk)
    session_delete(session=get_object_or_404(Session, pk=session_pk, event=event), actor=request.user)
    messages.success(request, _("日程已删除。"))
    return redirect("console:event", event.pk)


@organizer_required
@require_POST
def team_edit(request, pk):
    event = _event(request, pk)
    form = TeamMemberForm(request.POST)
    member = None
    if form.is_valid():
        member = User.objects.filter(email__iexact=form.cleaned_data["email"], role=User.Role.ORGANIZER).first()
    if member is None:
        messages.error(request, _("找不到该邮箱对应的主办方账号。"))
    else:
        try:
            team_member_set(event=event, actor=request.user, member=member,
                            can_edit=form.cleaned_data["can_edit"], can_scan=form.cleaned_data["can_scan"])
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("活动团队已更新。"))
    return redirect("console:event", event.pk)


def _filtered_registrations(request, event):
    form = RegistrationFilterForm(request.GET or None)
    status = q = ""
    if form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    return form, selectors.console_registrations(event, status=status, q=q)


@organizer_required
def registrations(request, pk):
    event = _event(request, pk)
    form, rows = _filtered_registrations(request, event)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    positions = selectors.waitlist_positions(event)
    for registration in page.object_list:
        registration.position = positions.get(registration.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "console/registrations.html", {
        "event": event, "form": form, "page": page, "query": query.urlencode(),
    })


@organizer_required
def registrations_export(request, pk, fmt):
    event = _event(request, pk)
    _form, rows = _filtered_registrations(request, event)
    positions = selectors.waitlist_positions(event)
    filename = f"registrations-{event.pk}"
    if fmt == "xlsx":
        body = exports.registrations_xlsx(rows, positions, title=event.title)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = exports.registrations_csv(rows, positions), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@organizer_required
@require_POST
def registration_action(request, pk, registration_pk, action):
    event = _event(request, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, event=event)
    change = {"promote": registration_promote, "cancel": registration_cancel}[action]
    try:
        change(registration=registration, actor=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已转为正式名额。") if action == "promote" else _("报名已取消。"))
    return redirect("console:registrations", event.pk)


@organizer_required
def audit(request, pk):
    event = _event(request, pk)
    registration_ids = [str(i) for i in event.registrations.values_list("id", flat=True)]
    entries = AuditEntry.objects.filter(
        Q(target_type__model="event", target_id=str(event.pk))
        | Q(target_type__model="registration", target_id__in=registration_ids)
        | Q(target_type__model="session", data__event=event.pk)
    ).select_related("actor")[:500]
    return render(request, "console/audit.html", {"event": event, "entries": entries})
