"""Calendar downloads and feeds (.ics). Thin: the files are built by events/calendar.py.

Feeds are read by calendar apps that cannot log in, so the personal feed is found by its
secret token alone (unknown or revoked token: 404); everything else is public data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .. import calendar
from ..models import CalendarFeed, Event, Registration
from .public import _visible_event


def _ics(content: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    return response


@require_GET
def event_calendar(request, pk: int):
    event = _visible_event(request, pk)
    seat = (
        request.user.is_authenticated
        and Registration.objects.filter(event=event, user=request.user, status=Registration.Status.CONFIRMED).exists()
    )
    return _ics(calendar.event_ics(event, show_link=seat), calendar.event_ics_filename(event), private=seat)


@require_GET
def programme_feed(request):
    """The whole public programme; `?kind=fair&kind=forum` (or `kind=fair,forum`) narrows it."""
    kinds = [k for value in request.GET.getlist("kind") for k in value.split(",") if k]
    known = set(Event.Kind.values)
    unknown = [k for k in kinds if k not in known]
    if unknown:
        return HttpResponse(
            _("未知的活动类型：%(kinds)s") % {"kinds": ", ".join(unknown[:5])[:200]},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    name = _("博聚活动日程")
    if kinds:
        labels = dict(Event.Kind.choices)
        name = f"{name} · {'、'.join(str(labels[k]) for k in kinds)}"
    return _ics(calendar.programme_ics(calendar.programme_events(kinds), name=name), "boju-programme.ics")


@require_GET
def personal_feed(request, token: str):
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return _ics(calendar.personal_ics(feed.user), "boju-my-events.ics", private=True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache  # personal: no shared or browser cache keeps it (issue 13)
def my_calendar(request):
    """The person's subscription link: make it, copy it, or revoke it (a new one replaces it)."""
    if request.method == "POST":
        had = CalendarFeed.objects.filter(user=request.user).exists()
        calendar.calendar_feed_rotate(user=request.user)
        messages.success(request, _("已生成新的订阅链接，旧链接已失效。") if had else _("订阅链接已生成。"))
        return redirect("events:my_calendar")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    https_url = webcal_url = ""
    if feed is not None:
        https_url = request.build_absolute_uri(reverse("events:personal_feed", args=[feed.token]))
        webcal_url = "webcal://" + https_url.split("://", 1)[1]
    kinds = Event.Kind.choices
    return render(
        request,
        "notifications/calendar.html",
        {
            "feed": feed,
            "https_url": https_url,
            "webcal_url": webcal_url,
            "kinds": kinds,
            # webcal:// so a tap subscribes (the calendar app then refreshes it) instead of importing once.
            "programme_url": "webcal://"
            + request.build_absolute_uri(reverse("events:programme_feed")).split("://", 1)[1],
        },
    )
