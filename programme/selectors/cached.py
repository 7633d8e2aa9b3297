"""The figures as pages read them: from the cache, under a per-series version that every change
of the counters raises (catch-up, outcome review, target edit, origin move). A page view then
costs one cache read; the first view after a change recomputes (a handful of indexed queries).

The TTL bounds what no version bump announces: an event's end passing (it becomes "held") and,
on the console, registrations (read from the events' seat counters, which raise no version here).

An anonymous visitor's whole public page (base.html included) is kept too, by URL slug and
language, under one version that every series' change raises: a view then costs one cache read
and no query (public_page_peek), the floor of the middleware stack being most of what is left.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils import timezone, translation

PUBLIC_TTL_S = 60
CONSOLE_TTL_S = 5


# Raised with every series' own version: the anonymous pages are found by URL slug (no query for
# the series), so they cannot read the version of a series they do not know yet. A year has one
# or two series, so a change to one re-renders the others' pages only that often.
_ALL_VERSION_KEY = "programme:figures-version:all"


def _version_key(series_id: int) -> str:
    return f"programme:figures-version:{int(series_id)}"


def _version_raise(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # Not there (never set, flushed, or evicted while copies made under it live on): start
        # above any value it had, so no surviving copy can match it again.
        cache.set(key, time.time_ns() // 1000, timeout=None)


def figures_changed(series_id: int) -> None:
    _version_raise(_version_key(series_id))
    _version_raise(_ALL_VERSION_KEY)


def _cached(prefix: str, series, ttl: int, compute):
    version = cache.get(_version_key(series.pk), 0)
    # Labels (provinces, kinds, months) are translated: one copy per language.
    key = f"programme:{prefix}:{series.pk}:{version}:{translation.get_language() or ''}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(series)
        cache.set(key, figures, timeout=ttl)
    return figures


def _public_body(series, version, render) -> tuple[float, str]:
    # (when it was rendered, the HTML): the whole-page copy below must not outlive the body it
    # wraps, or the TTL's bound on what no version announces would stack up.
    key = f"programme:public-body:{series.pk}:{version}:{translation.get_language() or ''}"
    body = cache.get(key)
    if body is None:
        body = (time.time(), render(series))
        cache.set(key, body, timeout=PUBLIC_TTL_S)
    return body


def public_body_cached(series, render) -> str:
    """The public page's content, rendered once per figures version and language: the page is
    the same for every visitor (aggregates only, no form), and rendering the figures, their
    JSON and the charts' markup was most of a view's time. `render(series)` -> HTML."""
    return _public_body(series, cache.get(_version_key(series.pk), 0), render)[1]


def _page_key(slug: str, language: str) -> str:
    return f"programme:public-page:{slug}:{language}"


def public_page_peek(slug: str, *, fresh_key: str) -> str | None:
    """The anonymous public page of `slug` in the current language if a current copy is kept,
    else None. One cache round trip, no query. `fresh_key` must be set too: the view passes the
    counters' "caught up recently" mark, without which it has to catch up first (which may
    change the figures) and then ask public_page_cached."""
    page_key = _page_key(slug, translation.get_language() or "")
    found = cache.get_many([fresh_key, _ALL_VERSION_KEY, page_key])
    page = found.get(page_key)
    if page is None or not found.get(fresh_key) or page[0] != found.get(_ALL_VERSION_KEY, 0):
        return None
    return page[1]


def public_page_cached(series, render_body, render_page) -> str:
    """The anonymous public page, from the copy public_page_peek reads or rendered and kept:
    under the versions read before rendering (a change meanwhile leaves a copy that no longer
    matches), and never longer than the body it wraps lives (the TTL's bound on what no version
    announces must not stack up). `render_page(body)` -> (HTML around the cached body, whether
    it may be kept: not when it holds something of this request's own)."""
    page_key = _page_key(series.slug, translation.get_language() or "")
    found = cache.get_many([_ALL_VERSION_KEY, _version_key(series.pk), page_key])
    everything, version, page = (
        found.get(_ALL_VERSION_KEY, 0),
        found.get(_version_key(series.pk), 0),
        found.get(page_key),
    )
    if page is not None and page[0] == everything:
        return page[1]
    rendered_at, body = _public_body(series, version, render_body)
    html, shareable = render_page(body)
    ttl = int(rendered_at + PUBLIC_TTL_S - time.time())
    if shareable and ttl > 0:
        cache.set(page_key, (everything, html), timeout=ttl)
    return html


def public_figures_cached(series) -> dict:
    from .figures import public_figures

    return _cached("public", series, PUBLIC_TTL_S, public_figures)


def console_figures_cached(series) -> dict:
    from .figures import console_figures

    return _cached("console", series, CONSOLE_TTL_S, console_figures)


def console_body_cached(series, figures: dict, variant: str, render) -> str:
    """The console dashboard's figures rendered (their tables were most of a view's CPU), kept
    per copy of the figures: keyed by the copy's own `as_of`, so it is found only while that
    copy is the current one and can never outlive it (no second TTL stacked on the first).
    `variant` names what else the HTML depends on (the viewer's links); `render()` -> HTML."""
    zone = timezone.get_current_timezone_name()
    key = f"programme:console-body:{series.pk}:{figures['as_of']}:{translation.get_language() or ''}:{zone}:{variant}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout=CONSOLE_TTL_S)
    return html
