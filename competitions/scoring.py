"""The arithmetic of judging, free of the database so it can be checked by hand.

- A scorecard's total is the weighted mean of its criteria, each scaled to its maximum, on 0–100.
- Per-judge normalisation (z-score): each judge's totals in the round are centred on the
  judge's mean and divided by the judge's (population) standard deviation, so a severe judge
  and a lenient one count alike. A judge with fewer than two cards, or who gave everyone the
  same total, contributes 0 (their cards carry no information about order).
- An entry's score is the mean over its judges (raw totals, or z-scores when normalising).
- Ties on that score are broken by the round's declared rule, then by the earlier entry.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

PLACES = Decimal("0.001")
Z_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Rubric:
    criterion_id: int
    weight: int
    scale_max: int


def weighted_total(values: dict[int, Decimal | int], rubric: list[Rubric]) -> Decimal:
    weights = sum(r.weight for r in rubric)
    total = sum(Decimal(r.weight) * Decimal(values[r.criterion_id]) / Decimal(r.scale_max) for r in rubric)
    return (total * 100 / Decimal(weights)).quantize(PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Card:
    judge_id: int
    entry_id: int
    total: Decimal
    values: dict = field(default_factory=dict)  # criterion id -> value


def zscores(cards: list[Card]) -> dict[tuple[int, int], float]:
    by_judge: dict[int, list[Card]] = defaultdict(list)
    for card in cards:
        by_judge[card.judge_id].append(card)
    z = {}
    for judge_id, own in by_judge.items():
        totals = [float(c.total) for c in own]
        mean = sum(totals) / len(totals)
        sd = math.sqrt(sum((t - mean) ** 2 for t in totals) / len(totals))
        for card in own:
            z[(judge_id, card.entry_id)] = 0.0 if len(own) < 2 or sd == 0 else (float(card.total) - mean) / sd
    return z


@dataclass
class Standing:
    entry_id: int
    submitted_at: datetime
    raw: Decimal
    normalised: Decimal | None
    criteria_means: tuple[Decimal, ...]
    min_judge: Decimal
    cards: int
    rank: int = 0


def standings(
    entries: list[tuple[int, datetime]], cards: list[Card], rubric: list[Rubric], *, normalise: bool, tie_break: str
) -> list[Standing]:
    """Entries in rank order (rank 1 first). `entries`: (id, submitted_at) of everyone in the round."""
    z = zscores(cards) if normalise else {}
    by_entry: dict[int, list[Card]] = defaultdict(list)
    for card in cards:
        by_entry[card.entry_id].append(card)
    rows = []
    for entry_id, submitted_at in entries:
        own = by_entry.get(entry_id, [])
        n = len(own)
        raw = (sum((c.total for c in own), Decimal(0)) / n).quantize(PLACES, ROUND_HALF_UP) if n else Decimal(0)
        normalised = None
        if normalise:
            normalised = Decimal(str(sum(z[(c.judge_id, entry_id)] for c in own) / n if n else -99.0)).quantize(
                Z_PLACES, ROUND_HALF_UP
            )
        means = tuple(
            (
                sum(
                    (Decimal(c.values.get(r.criterion_id, c.values.get(str(r.criterion_id), 0))) for c in own),
                    Decimal(0),
                )
                / n
            ).quantize(PLACES, ROUND_HALF_UP)
            if n
            else Decimal(0)
            for r in rubric
        )
        low = min((c.total for c in own), default=Decimal(0))
        rows.append(Standing(entry_id, submitted_at, raw, normalised, means, low, n))

    def key(row: Standing):
        primary = row.normalised if normalise else row.raw
        if tie_break == "criteria":
            second = tuple(-m for m in row.criteria_means)
        elif tie_break == "min_judge":
            second = (-row.min_judge,)
        else:  # "submitted": the later fallbacks decide alone
            second = ()
        return (-primary, *second, row.submitted_at, row.entry_id)

    rows.sort(key=key)
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows


def advancing(count: int | None, share: Decimal | None, total: int) -> int:
    """How many advance: the set number, or the share of entries rounded up; never more than all."""
    if count is not None:
        return min(count, total)
    if share is not None:
        return min(total, math.ceil(Decimal(share) * total - Decimal("1e-9")))
    return 0
