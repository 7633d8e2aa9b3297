"""The HTML of challenge cards, memoised per process by their content.

Rendering the 20 cards of a list page through the template engine was about 12 ms of CPU on the
project's machine, a third of a search request. A card (templates/challenges/_card.html) is now
rendered from a frozen snapshot of exactly the values it shows, and that snapshot is the key of a
per-process memo:
- it cannot go stale: an edit (through the services, the admin or a queryset .update()), a
  company renaming itself, a status change, the deadline passing (`is_open` is computed at
  request time and is part of the snapshot) or another language or time zone is another key,
  so there is nothing to invalidate;
- the template only sees the snapshot, so a field shown on the card is in the key by construction;
- nothing viewer-dependent is on a card (no user, no CSRF token, no follow or application
  state): the views render those around them on every request.

Why a bounded per-process memo (functools.lru_cache) and not Django's cache (Redis): a hit is
a dictionary lookup, whereas Redis would cost a round trip and unpickling per page, about what
rendering costs; and since a key is the content, workers need not share or invalidate anything.
Memory is bounded: CARDS_MAX cards of about 1 KB each (plus their keys).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from .models import Challenge, discipline_label, district_label

CARDS_MAX = 4096


@dataclass(frozen=True)
class CardSnapshot:
    """What a challenge's card shows, plus what formats it."""

    pk: int
    title: str
    summary: str
    company_name: str
    discipline: str
    district: str
    budget_min_wan: Decimal
    budget_max_wan: Decimal
    deadline: datetime
    is_open: bool
    details_confidential: bool
    language: str  # the template's own strings (万元, 截止, 已截止) and the labels
    time_zone: str  # the deadline's date is shown in the current time zone

    @property
    def discipline_label(self) -> str:
        return discipline_label(self.discipline)

    @property
    def district_label(self) -> str:
        return district_label(self.district)


def card_snapshot(challenge: Challenge) -> CardSnapshot:
    return CardSnapshot(
        pk=challenge.pk,
        title=challenge.title,
        summary=challenge.summary,
        company_name=challenge.company.name,
        discipline=challenge.discipline,
        district=challenge.district,
        budget_min_wan=challenge.budget_min_wan,
        budget_max_wan=challenge.budget_max_wan,
        deadline=challenge.deadline,
        is_open=challenge.is_open,
        details_confidential=challenge.details_confidential,
        language=translation.get_language() or "",
        time_zone=timezone.get_current_timezone_name(),
    )


@functools.lru_cache(maxsize=CARDS_MAX)
def _card_html(card: CardSnapshot) -> SafeString:
    # Rendered under the snapshot's language and time zone, which are the current ones.
    return mark_safe(render_to_string("challenges/_card.html", {"c": card}))


def card_html(challenge: Challenge) -> str:
    """The card of `challenge` in the list, the recommendations and the company filter."""
    return _card_html(card_snapshot(challenge))
