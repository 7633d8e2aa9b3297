"""Pages for people: a candidate's ticket, the scanner and its pairing page, the public count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import CandidateProfile
from events.models import Event, Registration

from ..selectors import checkin_opens_at, inside_count, scanner_events
from ..tickets import ticket_code, ticket_for_registration, ticket_qr_png, ticket_qr_svg


def _own_confirmed(request, pk) -> Registration:
    """The signed-in person's own confirmed registration `pk`, else 404 (a guessed id shows nothing)."""
    return get_object_or_404(
        Registration.objects.select_related("event", "user"),
        pk=pk,
        user=request.user,
        status=Registration.Status.CONFIRMED,
    )


@login_required
@require_GET
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def ticket(request, pk):
    registration = _own_confirmed(request, pk)
    ticket = ticket_for_registration(registration)
    code = ticket_code(ticket)
    profile = CandidateProfile.objects.filter(user=registration.user).first()
    return render(
        request,
        "checkin/ticket.html",
        {
            "registration": registration,
            "event": registration.event,
            "ticket": ticket,
            "code": code,
            "qr": ticket_qr_svg(code),
            "institution": profile.institution if profile else "",
            # What the ticket says about the door follows the list's real window (issue 17); an
            # online event has no door.
            "online": registration.event.mode == Event.Mode.ONLINE,
            "opens_at": checkin_opens_at(registration.event),
        },
    )


@login_required
@require_GET
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def ticket_png(request, pk):
    registration = _own_confirmed(request, pk)
    png = ticket_qr_png(ticket_code(ticket_for_registration(registration)), box_size=12)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="ticket-{registration.event_id}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def scanner(request):
    """The phone scanner. A paired device brings its token (kept by the page); a signed-in
    organizer may scan for the events they can scan at."""
    events = []
    user = request.user
    if user.is_authenticated and user.is_organizer:
        events = [{"id": e.pk, "title": e.title} for e in scanner_events(user)]
    return render(
        request,
        "checkin/scanner.html",
        {"session_events": events, "is_organizer": user.is_authenticated and user.is_organizer},
    )


@require_GET
def pair(request):
    return render(request, "checkin/pair.html", {"code": (request.GET.get("code") or "")[:20]})


@require_GET
def inside(request, pk):
    event = get_object_or_404(Event.objects.visible(), pk=pk)
    response = JsonResponse({"event": event.pk, "inside": inside_count(event.pk)})
    response["Cache-Control"] = "no-store"
    return response
