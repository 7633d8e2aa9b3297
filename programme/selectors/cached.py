"""The figures as pages read them: from the cache, under a per-series version that every change
of the counters raises (catch-up, outcome review, target edit, origin move). A page view then
costs one cache read; the first view after a change recomputes (a handful of indexed queries).

The TTL bounds what no version bump announces: an event's end passing (it becomes "held") and,
on the console, registrations (read from the events' seat counters, which raise no version here).
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import translation

PUBLIC_TTL_S = 60
CONSOLE_TTL_S = 5


def _version_key(series_id: int) -> str:
    return f"programme:figures-version:{int(series_id)}"


def figures_changed(series_id: int) -> None:
    key = _version_key(series_id)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or the cache was flushed): any new value will do
        cache.set(key, 1, timeout=None)


def _cached(prefix: str, series, ttl: int, compute):
    version = cache.get(_version_key(series.pk), 0)
    # Labels (provinces, kinds, months) are translated: one copy per language.
    key = f"programme:{prefix}:{series.pk}:{version}:{translation.get_language() or ''}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(series)
        cache.set(key, figures, timeout=ttl)
    return figures


def public_body_cached(series, render) -> str:
    """The public page's content, rendered once per figures version and language: the page is
    the same for every visitor (aggregates only, no form), and rendering the figures, their
    JSON and the charts' markup was most of a view's time. `render(series)` -> HTML."""
    return _cached("public-html", series, PUBLIC_TTL_S, render)


def public_figures_cached(series) -> dict:
    from .figures import public_figures

    return _cached("public", series, PUBLIC_TTL_S, public_figures)


def console_figures_cached(series) -> dict:
    from .figures import console_figures

    return _cached("console", series, CONSOLE_TTL_S, console_figures)
