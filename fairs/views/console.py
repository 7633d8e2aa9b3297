"""Organizers: the floor-plan editor (halls, booths as JSON) and booking decisions.

Every view finds the fair among those the organizer may edit: anyone else gets 404 (403 for
non-organizers, from organizer_required), whatever the method.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.console import organizer_required
from config.inputs import int_param, request_json
from events.models import Event
from events.permissions import events_editable_by

from .. import selectors
from ..errors import FairError
from ..forms import FairSettingsForm, HallForm
from ..models import ACTIVE_BOOKING, Booth, BoothBooking, Hall
from ..permissions import fair_for_manager
from ..services import (
    booking_cancel,
    booking_decide,
    booking_move,
    booth_create,
    booth_delete,
    booth_update,
    fair_ensure,
    fair_settings_save,
    hall_save,
)


def _event(request, event_id: int) -> Event:
    return get_object_or_404(events_editable_by(request.user), pk=event_id)


@organizer_required
@require_http_methods(["GET", "POST"])
def floor_plan(request, event_id: int):
    event = _event(request, event_id)
    try:
        fair = fair_ensure(event=event, actor=request.user)
    except FairError as error:
        messages.error(request, error.message)
        return redirect("console:event", event.pk)
    settings_form = FairSettingsForm(request.POST if request.POST.get("form") == "settings" else None, instance=fair)
    hall_form = HallForm(
        request.POST if request.POST.get("form") == "hall" else None,
        request.FILES if request.POST.get("form") == "hall" else None,
    )
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "settings" and settings_form.is_valid():
                fair_settings_save(fair=fair, actor=request.user, data=settings_form.cleaned_data)
                messages.success(request, _("招聘会设置已保存。"))
                return redirect("fairs:console_floor", event.pk)
            if request.POST.get("form") == "hall" and hall_form.is_valid():
                data = hall_form.cleaned_data
                hall = None
                if request.POST.get("hall"):
                    hall = get_object_or_404(Hall, pk=int_param(request.POST["hall"]) or 0, fair=fair)
                hall_save(
                    fair=fair,
                    actor=request.user,
                    name=data["name"],
                    columns=data["columns"],
                    rows=data["rows"],
                    hall=hall,
                    image=data.get("image") or None,
                )
                messages.success(request, _("展厅已保存。"))
                return redirect("fairs:console_floor", event.pk)
        except FairError as error:
            messages.error(request, error.message)
        status = 400
    return render(
        request,
        "fairs/console_floor.html",
        {
            "event": event,
            "fair": fair,
            "settings_form": settings_form,
            "hall_form": hall_form,
            "snapshot": selectors.map_snapshot(fair),
            "halls": list(fair.halls.all()),
        },
        status=status,
    )


def _json_body(request) -> dict:
    try:
        data = request_json(request)  # no RecursionError, no NUL, not a form (config/inputs.py)
    except ValueError:
        raise FairError("invalid", detail="JSON") from None
    if not isinstance(data, dict):
        raise FairError("invalid", detail="JSON")
    return data


def _json_error(error: FairError) -> JsonResponse:
    return JsonResponse({"ok": False, "code": error.code, "message": str(error.message)}, status=error.status_code)


@organizer_required
@require_POST
def booth_create_view(request, event_id: int):
    fair = fair_for_manager(request.user, event_id)
    try:
        data = _json_body(request)
        hall_id = data.get("hall")
        if not isinstance(hall_id, int):
            raise FairError("invalid", detail="hall")
        hall = get_object_or_404(Hall, pk=hall_id, fair=fair)
        booth = booth_create(hall=hall, actor=request.user, data=data)
    except FairError as error:
        return _json_error(error)
    return JsonResponse({"ok": True, "booth": selectors.booth_state(booth)}, status=201)


@organizer_required
@require_POST
def booth_update_view(request, event_id: int, booth_id: int):
    fair = fair_for_manager(request.user, event_id)
    booth = get_object_or_404(Booth.objects.select_related("hall"), pk=booth_id, hall__fair=fair)
    try:
        data = _json_body(request)
        if data.get("delete"):
            booth_delete(booth=booth, actor=request.user)
            return JsonResponse({"ok": True, "deleted": booth_id})
        booth = booth_update(booth=booth, actor=request.user, data=data)
    except FairError as error:
        return _json_error(error)
    return JsonResponse({"ok": True, "booth": selectors.booth_state(booth)})


@organizer_required
def bookings(request, event_id: int):
    fair = fair_for_manager(request.user, event_id)
    rows = (
        BoothBooking.objects.filter(fair=fair)
        .select_related("booth__hall", "company", "requested_by", "decided_by")
        .order_by("status", "-created_at", "-id")
    )
    taken = set(BoothBooking.objects.filter(fair=fair, status__in=ACTIVE_BOOKING).values_list("booth_id", flat=True))
    free = [b for b in Booth.objects.filter(hall__fair=fair, is_closed=False).order_by("code") if b.pk not in taken]
    return render(
        request,
        "fairs/console_bookings.html",
        {
            "event": fair.event,
            "fair": fair,
            "rows": rows,
            "free_booths": free,
        },
    )


@organizer_required
@require_POST
def booking_act(request, event_id: int, pk: int, action: str):
    fair = fair_for_manager(request.user, event_id)
    booking = get_object_or_404(
        BoothBooking.objects.select_related("fair__event", "booth__hall", "company"), pk=pk, fair=fair
    )
    try:
        if action in ("approve", "reject"):
            booking_decide(booking=booking, actor=request.user, approve=action == "approve")
        elif action == "cancel":
            booking_cancel(booking=booking, actor=request.user)
        else:  # move
            booth = get_object_or_404(
                Booth.objects.select_related("hall"), pk=int_param(request.POST.get("booth")) or 0, hall__fair=fair
            )
            booking_move(booking=booking, to_booth=booth, actor=request.user)
    except FairError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已处理 %(company)s 的展位 %(code)s。") % {"company": booking.company.name, "code": booking.booth.code},
        )
    return redirect("fairs:console_bookings", fair.pk)
