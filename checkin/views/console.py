"""Organizer pages: the live dashboard and its snapshot, scanner devices, lists, badge sheet.

The dashboard is for everyone who may scan at the event; devices, lists and badges for its
editors. Anyone else gets 404 for every URL, like the rest of the console (DESIGN §5.6).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.console import organizer_required
from accounts.models import CandidateProfile
from config.inputs import int_param
from events.models import Event, Session
from events.permissions import event_can_edit, event_can_scan

from ..errors import CheckinError
from ..models import CheckinList, ScannerDevice, Ticket
from ..selectors import dashboard_snapshot
from ..services import (
    checkin_list_default,
    checkin_list_save,
    checkin_rehearsal_end,
    checkin_rehearsal_start,
    device_create,
    device_revoke,
)
from ..tickets import ticket_code, ticket_for_registration, ticket_qr_svg


def _event_view(*, edit: bool, methods=("GET", "HEAD")):
    def decorate(view):
        @organizer_required
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            event = get_object_or_404(Event.objects.select_related("series"), pk=pk)
            allowed = event_can_edit(request.user, event) if edit else event_can_scan(request.user, event)
            if not allowed:
                raise Http404
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, event, *args, **kwargs)

        return wrapper

    return decorate


@_event_view(edit=False)
def dashboard(request, event):
    return render(request, "checkin/dashboard.html", {"event": event, "can_edit": event_can_edit(request.user, event)})


@_event_view(edit=False)
def snapshot(request, event):
    response = JsonResponse(dashboard_snapshot(event), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@_event_view(edit=True, methods=("GET", "HEAD", "POST"))
def devices(request, event):
    pairing = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip() or _("扫码设备")
        device, code = device_create(actor=request.user, name=name, events=[event])
        pair_url = request.build_absolute_uri(reverse("checkin:pair")) + "?code=" + code
        pairing = {"device": device, "code": code, "url": pair_url, "qr": ticket_qr_svg(pair_url)}
    listed = ScannerDevice.objects.filter(events=event).order_by("-created_at")
    return render(request, "checkin/devices.html", {"event": event, "devices": listed, "pairing": pairing})


@_event_view(edit=True, methods=("POST",))
def device_revoke_view(request, event, device_pk):
    device = get_object_or_404(ScannerDevice.objects.filter(events=event), pk=device_pk)
    device_revoke(device=device, actor=request.user)
    messages.success(request, _("设备已停用：%(name)s") % {"name": device.name})
    return redirect("checkin:devices", event.pk)


@_event_view(edit=True, methods=("GET", "HEAD", "POST"))
def lists(request, event):
    if request.method == "POST":
        session = None
        if request.POST.get("session"):
            session = get_object_or_404(
                Session.objects.filter(event=event), pk=int_param(request.POST.get("session")) or 0
            )
        if request.POST.get("rehearsal") in ("start", "end"):
            return _rehearsal(request, event, session, request.POST["rehearsal"])
        try:
            minutes = int(request.POST.get("opens_minutes_before", "120"))
        except ValueError:
            minutes = -1
        if not 0 <= minutes <= 7 * 24 * 60:
            messages.error(request, _("提前开放时间须为 0 到 10080 分钟。"))
        else:
            try:
                checkin_list_save(
                    event=event,
                    actor=request.user,
                    session=session,
                    name=(request.POST.get("name") or "").strip(),
                    opens_minutes_before=minutes,
                    allow_reentry=request.POST.get("allow_reentry") == "on",
                )
                messages.success(request, _("签到名单已保存。"))
            except CheckinError as error:
                messages.error(request, error.message)
        return redirect("checkin:lists", event.pk)
    existing = {lst.session_id: lst for lst in CheckinList.objects.filter(event=event)}
    rows = [(None, existing.get(None))] + [(s, existing.get(s.pk)) for s in event.sessions.all()]
    return render(request, "checkin/lists.html", {"event": event, "rows": rows})


def _rehearsal(request, event, session, action):
    """Start or end a rehearsal on the whole-event list or a session's (an existing one)."""
    if session is None:
        checkin_list = checkin_list_default(event_id=event.pk)
    else:
        checkin_list = get_object_or_404(CheckinList.objects.filter(event=event), session=session)
    if action == "start":
        checkin_rehearsal_start(checkin_list=checkin_list, actor=request.user)
        messages.success(
            request,
            _("彩排签到已开放，至 %(until)s。结束彩排时会删除彩排期间的签到记录。")
            % {"until": date_format(localtime(checkin_list.rehearsal_until), "Y-m-d H:i")},
        )
    else:
        removed = checkin_rehearsal_end(checkin_list=checkin_list, actor=request.user)
        messages.success(request, _("彩排已结束，删除了 %(n)s 条彩排签到。") % {"n": removed})
    return redirect("checkin:lists", event.pk)


@_event_view(edit=True)
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def badges(request, event):
    """A printable sheet of badges (name, institution, QR) for every confirmed registration."""
    registrations = list(event.registrations.confirmed().select_related("user").order_by("user__name", "pk"))
    institutions = dict(
        CandidateProfile.objects.filter(user__in=[r.user_id for r in registrations]).values_list(
            "user_id", "institution"
        )
    )
    cards = []
    for registration in registrations:
        ticket = ticket_for_registration(registration)
        cards.append(
            {
                "name": registration.user.display_name,
                "institution": institutions.get(registration.user_id, ""),
                "qr": ticket_qr_svg(ticket_code(ticket)),
                "ticket": ticket.pk,
            }
        )
    return render(
        request,
        "checkin/badges.html",
        {
            "event": event,
            "cards": cards,
            "count": Ticket.objects.filter(event=event, registration__status="confirmed").count(),
        },
    )
