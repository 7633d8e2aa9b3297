"""The fair's live map, its directory and a candidate's shortlist; booking from the map."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.disciplines import DISCIPLINES
from accounts.models import Company, Industry, PlatformKind
from config.inputs import int_list_param, int_param
from config.pages import CSRF_PLACEHOLDER, same_for_every_visitor, shareable, with_csrf_token

from .. import selectors
from ..errors import FairError
from ..models import Booth, Fair
from ..permissions import fair_can_manage, fair_visible, member_companies
from ..services import booth_book, shortlist_toggle
from ..services.effects import group_fair


def visible_fair(request, event_id: int, *, held: bool = False) -> Fair:
    # `held`, for the map page and map.json: the process's copy of the row while nothing changed
    # it (selectors.fair_for_map), so they read no database in the steady state. Writes (a
    # booking) read the row itself.
    if held:
        fair = selectors.fair_for_map(event_id)
    else:
        # get(), not filter().first(): no ORDER BY to compile and run.
        try:
            fair = Fair.objects.select_related("event").get(pk=event_id)
        except Fair.DoesNotExist:
            fair = None
    if fair is None:
        raise Http404
    if not fair_visible(fair, request.user):
        raise Http404
    return fair


def acting_company(request) -> Company | None:
    """The company the signed-in member acts for: ?company=<id> among theirs, else the first."""
    companies = member_companies(request.user).order_by("pk")
    wanted = request.POST.get("company") or request.GET.get("company")
    if wanted:
        wanted_id = int_param(wanted)  # "²".isdigit() is True, int("²") fails
        return companies.filter(pk=wanted_id).first() if wanted_id is not None else None
    return companies.first()


@require_GET
def fair_map(request, event_id: int):
    fair = visible_fair(request, event_id, held=True)
    public = selectors.public_map(fair)
    if same_for_every_visitor(request):
        # Signed out, no query string: the page kept by this process, with this response's
        # CSRF token put in (selectors.map_page_cached says what it is kept under).
        def render_page():
            html = render_to_string(
                "fairs/map.html", _map_context(request, fair, public, csrf_token=CSRF_PLACEHOLDER), request=request
            )
            return html, shareable(request)

        return with_csrf_token(request, selectors.map_page_cached(fair, public, render_page))
    return render(request, "fairs/map.html", _map_context(request, fair, public))


def _map_context(request, fair: Fair, public, **extra) -> dict:
    company = acting_company(request) if request.user.is_authenticated else None
    snapshot, _etag = selectors.map_snapshot_json(fair, request.user, public)
    return {
        "fair": fair,
        "event": fair.event,
        "has_halls": public.halls > 0,
        "booking_open": fair.booking_is_open(),
        # Escaped for <script> by the selector (as json_script does), so it is safe to embed as is.
        "snapshot_json": mark_safe(snapshot),
        "company": company,
        "live_topic": group_fair(fair.pk),
        "highlight": int_list_param(request.GET.get("highlight", ""), limit=20),
        "can_manage": fair_can_manage(request.user, fair),
        **extra,
    }


@require_GET
def fair_map_json(request, event_id: int):
    fair = visible_fair(request, event_id, held=True)
    snapshot, etag = selectors.map_snapshot_json(fair, request.user)
    # A client that has this very snapshot gets a 304; the viewer's own booths are part of it,
    # hence private and revalidated every time.
    response = get_conditional_response(request, etag=etag) or HttpResponse(snapshot, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


@login_required
@require_POST
def booth_book_view(request, event_id: int, booth_id: int):
    fair = visible_fair(request, event_id)
    booth = get_object_or_404(Booth.objects.select_related("hall"), pk=booth_id, hall__fair=fair)
    company = acting_company(request)
    back = reverse("fairs:map", args=[fair.pk])
    if company is None:
        messages.error(request, _("请先注册单位，并通过主办方认证后再预订展位。"))
        return redirect(back)
    try:
        booking = booth_book(booth=booth, company=company, actor=request.user)
    except FairError as error:
        messages.error(request, error.message)
        return redirect(back)
    if booking.status == booking.Status.APPROVED:
        messages.success(request, _("已预订展位 %(code)s。") % {"code": booth.code})
    else:
        messages.info(request, _("已申请展位 %(code)s，等待主办方审核。") % {"code": booth.code})
    return redirect(back)


@require_GET
def fair_directory(request, event_id: int):
    fair = visible_fair(request, event_id)
    filters = {
        "discipline": request.GET.get("discipline", "")
        if request.GET.get("discipline", "") in dict(DISCIPLINES)
        else "",
        "industry": request.GET.get("industry", "") if request.GET.get("industry", "") in Industry.values else "",
        "platform_kind": request.GET.get("platform_kind", "")
        if request.GET.get("platform_kind", "") in PlatformKind.values
        else "",
        "keyword": request.GET.get("q", "").strip()[:60],
    }
    companies = selectors.directory(fair, **filters)
    shortlist = selectors.shortlist_ids(request.user, fair)
    only_shortlist = request.GET.get("shortlist") == "1" and request.user.is_authenticated
    if only_shortlist:
        companies = [c for c in companies if c.pk in shortlist]
    return render(
        request,
        "fairs/directory.html",
        {
            "fair": fair,
            "event": fair.event,
            "companies": companies,
            "shortlist": shortlist,
            "filters": filters,
            "only_shortlist": only_shortlist,
            "disciplines": DISCIPLINES,
            "industries": Industry.choices,
            "platform_kinds": PlatformKind.choices,
        },
    )


@login_required
@require_POST
def shortlist_toggle_view(request, event_id: int, company_id: int):
    fair = visible_fair(request, event_id)
    company = get_object_or_404(Company, pk=company_id)
    try:
        listed = shortlist_toggle(user=request.user, fair=fair, company=company)
    except FairError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, (_("已加入我的关注：%(name)s") if listed else _("已取消关注：%(name)s")) % {"name": company.name}
        )
    target = request.POST.get("next", "")
    if not target.startswith(f"/fairs/{fair.pk}/"):
        target = reverse("fairs:directory", args=[fair.pk])
    return redirect(target)
