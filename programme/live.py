"""The public progress page's live topic: `programme.<series id>`, open to everyone.

Its messages carry public_figures() only (numbers and labels, no person); the test suite
checks that no name, e-mail or phone number ever appears in them.
"""

from __future__ import annotations

import logging

from events.models import Series
from notifications.live import publish

logger = logging.getLogger(__name__)


def group_programme(series_id: int) -> str:
    return f"programme.{int(series_id)}"


def authorize_programme_topic(user, series_id: int, audience: str) -> bool:
    return audience == "" and Series.objects.filter(pk=series_id).exists()


def figures_payload(series: Series) -> dict:
    from .selectors.cached import public_figures_cached

    return {"type": "programme.figures", "series": series.pk, "figures": public_figures_cached(series)}


def figures_push(series_id: int) -> None:
    """Send the series' public figures to open progress pages (called on commit)."""
    from .selectors.cached import figures_changed

    figures_changed(series_id)
    series = Series.objects.filter(pk=series_id).first()
    if series is not None:
        publish(group_programme(series_id), _json_ready(figures_payload(series)))


def _json_ready(value):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
