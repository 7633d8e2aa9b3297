"""The public progress page: aggregates only (DESIGN: no name on a public page)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.pages import CSRF_PLACEHOLDER, same_for_every_visitor, shareable, with_csrf_token
from events.models import Series

from ..counting.catch_up import RECENT_KEY
from ..counting.freshness import catch_up_if_stale
from ..live import group_programme
from ..selectors.cached import public_body_cached, public_figures_cached, public_page_cached, public_page_peek


@require_GET
def latest(request):
    series = Series.objects.order_by("-year", "-id").first()
    if series is None:
        raise Http404
    return redirect("programme:progress", slug=series.slug)


@require_GET
def progress(request, slug: str):
    anonymous = same_for_every_visitor(request)
    if anonymous:
        # The whole page from the cache, found by slug: no query, one cache read; what is left
        # per request is the middleware. Not cache_page: it keys on the Cookie header (Vary:
        # Cookie), so every visitor holding a csrftoken cookie would get a copy of their own; it
        # refuses to store a response that sets a cookie (a first visit's csrftoken); it would
        # serve one CSRF token to everyone; and it knows no figures version (only a TTL, so a
        # check-in would show late).
        html = public_page_peek(slug, fresh_key=RECENT_KEY)
        if html is not None:
            return with_csrf_token(request, html)
    series = get_object_or_404(Series, slug=slug)
    catch_up_if_stale()

    def body(series):
        context = {"series": series, "figures": public_figures_cached(series), "topic": group_programme(series.pk)}
        return render_to_string("programme/_progress_body.html", context)

    if anonymous:

        def page(body_html):
            context = {"series": series, "body": mark_safe(body_html), "csrf_token": CSRF_PLACEHOLDER}
            html = render_to_string("programme/progress.html", context, request=request)
            return html, shareable(request)

        return with_csrf_token(request, public_page_cached(series, body, page))
    # Signed in (their name and menus in the header; no-store), or a message to show, or a query
    # string: base.html per request, the body from the cache.
    return render(
        request, "programme/progress.html", {"series": series, "body": mark_safe(public_body_cached(series, body))}
    )


@require_GET
@never_cache
def progress_json(request, slug: str):
    series = get_object_or_404(Series, slug=slug)
    catch_up_if_stale()
    return JsonResponse(
        public_figures_cached(series), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
