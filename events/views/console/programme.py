"""Console pages for the programme: home, series, the event form, publish/cancel, sessions, team."""

import copy

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import User
from config.inputs import int_param

from ... import selectors
from ...forms import EventForm, SeriesForm, SessionForm, TeamMemberForm, action_formset
from ...models import Action, EventTeamMember, Series, Session
from ...permissions import event_can_edit
from ...services import (
    EventError,
    event_cancel,
    event_create,
    event_publish,
    event_update,
    series_actions_audit,
    series_save,
    session_delete,
    session_save,
    team_member_set,
)
from ...speakers.selectors import event_conflicts, sessions_with_people
from . import FORM, READ, WRITE, event_view, organizer_required

PAST_SHOWN = 50


def _status(request) -> int:
    """A POST that comes back to its form was refused: 400, so clients and tests can tell."""
    return 400 if request.method == "POST" else 200


@organizer_required
def home(request):
    upcoming, past = selectors.console_events(request.user)
    return render(
        request,
        "console/home.html",
        {
            "upcoming": upcoming,
            "past": past[:PAST_SHOWN],
            "past_shown": PAST_SHOWN,
        },
    )


@organizer_required
def series_list(request):
    series = Series.objects.annotate(
        action_count=Count("actions", distinct=True), event_count=Count("events", distinct=True)
    )
    return render(request, "console/series_list.html", {"series_list": series})


@organizer_required
def series_edit(request, pk=None):
    # Series are programme-wide: any organizer plans them; events carry the per-team rights.
    series = get_object_or_404(Series, pk=pk) if pk else None
    formset_class = action_formset(extra=1 if series else 3)
    form = SeriesForm(request.POST or None, instance=copy.copy(series) if series else None)
    formset = formset_class(request.POST or None, instance=series or Series(), prefix="actions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            # The series and its actions are one change: both stay or neither does.
            with transaction.atomic():
                saved = series_save(actor=request.user, data=form.cleaned_data, series=series)
                formset.instance = saved
                formset.save()
                series_actions_audit(actor=request.user, series=saved, formset=formset)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("系列活动已保存。"))
            return redirect("console:series")
    return render(
        request,
        "console/series_form.html",
        {"form": form, "formset": formset, "series": series},
        status=_status(request),
    )


def _event_form_page(request, form, event=None):
    # Every series' actions, so the page can switch the action list when the series changes.
    actions = [
        {"id": a.pk, "title": a.title, "series": str(a.series_id)} for a in Action.objects.order_by("series", "number")
    ]
    return render(
        request,
        "console/event_form.html",
        {"form": form, "event": event, "all_actions": actions},
        status=_status(request),
    )


@organizer_required
def event_new(request):
    initial = {}
    series = int_param(request.GET.get("series"))  # "²".isdigit() is True, int("²") fails
    if series is not None:
        initial["series"] = series
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(actor=request.user, data=form.cleaned_data)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("活动已创建（草稿），发布后才会公开。"))
            return redirect("console:event", event.pk)
    return _event_form_page(request, form)


@event_view(FORM)
def event_edit(request, event):
    # The form validates on a copy, so a refused edit leaves the page's title and nav intact.
    form = EventForm(request.POST or None, instance=copy.copy(event))
    if request.method == "POST" and form.is_valid():
        try:
            event = event_update(event=event, actor=request.user, data=form.cleaned_data)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("活动已更新。"))
            confirmed = selectors.seats_payload(event)["confirmed"]
            if confirmed > event.capacity:
                messages.warning(
                    request,
                    _("已确认人数（%(confirmed)s）超过新的名额（%(capacity)s），已确认的报名不会被自动取消。")
                    % {"confirmed": confirmed, "capacity": event.capacity},
                )
            return redirect("console:event", event.pk)
    return _event_form_page(request, form, event)


@event_view(READ)
def event_overview(request, event):
    return render(
        request,
        "console/event.html",
        {
            "event": event,
            "seats": selectors.seats_payload(event),
            "sessions": sessions_with_people(event.sessions.all()),
            "conflicts": event_conflicts(event),
            "team": event.team.select_related("user").order_by("user__email"),
            "session_form": SessionForm(event=event),
            "team_form": TeamMemberForm(),
        },
    )


@event_view(WRITE)
def event_status(request, event, action):
    change = {"publish": event_publish, "cancel": event_cancel}[action]
    try:
        change(event=event, actor=request.user)
    except EventError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("活动已发布。") if action == "publish" else _("活动已取消。"))
    return redirect("console:event", event.pk)


@event_view(FORM)
def session_edit(request, event, session_pk=None):
    session = get_object_or_404(Session, pk=session_pk, event=event) if session_pk else None
    form = SessionForm(request.POST or None, instance=copy.copy(session) if session else None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            saved = session_save(event=event, actor=request.user, data=form.cleaned_data, session=session)
        except EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("日程已保存。"))
            for conflict in event_conflicts(event):
                if saved.pk in (conflict.first.pk, conflict.second.pk):
                    messages.warning(request, conflict.message)
            return redirect("console:event", event.pk)
    return render(
        request,
        "console/session_form.html",
        {"form": form, "event": event, "session": session},
        status=_status(request),
    )


@event_view(WRITE)
def session_remove(request, event, session_pk):
    session = get_object_or_404(Session.objects.select_related("event"), pk=session_pk, event=event)
    try:
        session_delete(session=session, actor=request.user)
    except EventError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("日程已删除。"))
    return redirect("console:event", event.pk)


def _after_team_change(request, event):
    # Someone who just took away their own edit right can no longer open the event's page.
    if event_can_edit(request.user, event):
        return redirect("console:event", event.pk)
    return redirect("console:home")


@event_view(WRITE)
def team_edit(request, event):
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("console:event", event.pk)
    member = User.objects.filter(email__iexact=form.cleaned_data["email"].strip()).first()
    if member is None or not member.is_organizer:
        messages.error(request, _("找不到该邮箱对应的主办方账号。"))
        return redirect("console:event", event.pk)
    try:
        team_member_set(
            event=event,
            actor=request.user,
            member=member,
            can_edit=form.cleaned_data["can_edit"],
            can_scan=form.cleaned_data["can_scan"],
        )
    except EventError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("活动团队已更新：%(email)s") % {"email": member.email})
    return _after_team_change(request, event)


@event_view(WRITE)
def team_remove(request, event, member_pk):
    entry = get_object_or_404(EventTeamMember.objects.select_related("user"), event=event, pk=member_pk)
    try:
        team_member_set(event=event, actor=request.user, member=entry.user, can_edit=False, can_scan=False)
    except EventError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已将 %(email)s 移出活动团队。") % {"email": entry.user.email})
    return _after_team_change(request, event)
