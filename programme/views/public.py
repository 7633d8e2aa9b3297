"""The public progress page: aggregates only (DESIGN: no name on a public page)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events.models import Series

from ..counting.freshness import catch_up_if_stale
from ..live import group_programme
from ..selectors.cached import public_figures_cached


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
    return render(
        request,
        "programme/progress.html",
        {"series": series, "figures": public_figures_cached(series), "topic": group_programme(series.pk)},
    )


@require_GET
@never_cache
def progress_json(request, slug: str):
    series = get_object_or_404(Series, slug=slug)
    catch_up_if_stale()
    return JsonResponse(
        public_figures_cached(series), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
