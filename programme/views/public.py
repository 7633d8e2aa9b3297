"""The public progress page: aggregates only (DESIGN: no name on a public page)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events.models import Series

from ..counting.freshness import catch_up_if_stale
from ..live import group_programme
from ..selectors.cached import public_body_cached, public_figures_cached


@require_GET
def latest(request):
    series = Series.objects.order_by("-year", "-id").first()
    if series is None:
        raise Http404
    return redirect("programme:progress", slug=series.slug)


@require_GET
def progress(request, slug: str):
    series = get_object_or_404(Series, slug=slug)
    catch_up_if_stale()

    def body(series):
        context = {"series": series, "figures": public_figures_cached(series), "topic": group_programme(series.pk)}
        return render_to_string("programme/_progress_body.html", context)

    # base.html is rendered per request (header, language form with its CSRF token); the body is
    # the same for everyone and comes from the cache.
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
