"""The public progress page: aggregates only (DESIGN: no name on a public page)."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


# Stands in for the language form's CSRF token in the anonymous page's cached copy; each
# response gets its own token (and cookie) in its place, as a freshly rendered page would.
CSRF_PLACEHOLDER = "programme-csrf-token-placeholder"


@require_GET
def progress(request, slug: str):
    anonymous = _same_for_every_visitor(request)
    if anonymous:
        # The whole page from the cache, found by slug: no query, one cache read; what is left
        # per request is the middleware. Not cache_page: it keys on the Cookie header (Vary:
        # Cookie), so every visitor holding a csrftoken cookie would get a copy of their own; it
        # refuses to store a response that sets a cookie (a first visit's csrftoken); it would
        # serve one CSRF token to everyone; and it knows no figures version (only a TTL, so a
        # check-in would show late).
        html = public_page_peek(slug, fresh_key=RECENT_KEY)
        if html is not None:
            return _with_csrf_token(request, html)
    series = get_object_or_404(Series, slug=slug)
    catch_up_if_stale()

    def body(series):
        context = {"series": series, "figures": public_figures_cached(series), "topic": group_programme(series.pk)}
        return render_to_string("programme/_progress_body.html", context)

    if anonymous:

        def page(body_html):
            context = {"series": series, "body": mark_safe(body_html), "csrf_token": CSRF_PLACEHOLDER}
            html = render_to_string("programme/progress.html", context, request=request)
            # A CSP nonce would be this response's own (none today: every script is a file);
            # such a page is served but not kept. bool() tells whether the page asked for one.
            return html, not getattr(request, "csp_nonce", None)

        return _with_csrf_token(request, public_page_cached(series, body, page))
    # Signed in (their name and menus in the header; no-store), or a message to show, or a query
    # string: base.html per request, the body from the cache.
    return render(
        request, "programme/progress.html", {"series": series, "body": mark_safe(public_body_cached(series, body))}
    )


def _with_csrf_token(request, html: str) -> HttpResponse:
    # get_token as {% csrf_token %} would call it: a new masked token each time, and the cookie
    # set (by CsrfViewMiddleware) when the visitor has none yet.
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def _same_for_every_visitor(request) -> bool:
    """Whether base.html would come out the same as for any anonymous visitor of this URL in this
    language (LocaleMiddleware has chosen it), but for the CSRF token: signed out, no message to
    show (looking does not consume them), no query string (the language form sends the visitor
    back to the full path). A session cookie is read here as the normal path would."""
    return not request.META.get("QUERY_STRING") and not request.user.is_authenticated and not len(get_messages(request))


@require_GET
@never_cache
def progress_json(request, slug: str):
    series = get_object_or_404(Series, slug=slug)
    catch_up_if_stale()
    return JsonResponse(
        public_figures_cached(series), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
