"""Scoring arithmetic against hand-computed examples, and a round's life through the services:
open → score → close → compute → adjust → review → publish, audited and announced."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.models import AuditEntry
from competitions import scoring
from competitions.errors import CompetitionError
from competitions.models import Assignment, Result, Round
from competitions.scoring import Card, Rubric
from competitions.services import (
    result_adjust,
    results_compute,
    results_publish,
    results_review,
    round_assign,
    round_close,
    round_entries,
    round_open,
    scorecard_submit,
)
from notifications.models import Notification
from tests.factories import candidate

from .factories import a_competition, a_judge, a_round, an_entry, boss

T0 = datetime(2025, 6, 1, tzinfo=UTC)
TWO = [Rubric(1, 50, 10), Rubric(2, 50, 10)]
# Judge 1 is severe, judge 2 lenient. Totals = (v1 + v2) × 5.
CARDS = [
    Card(1, 101, Decimal(80), {1: 8, 2: 8}),
    Card(1, 102, Decimal(60), {1: 7, 2: 5}),
    Card(1, 103, Decimal(70), {1: 6, 2: 8}),
    Card(2, 101, Decimal(90), {1: 9, 2: 9}),
    Card(2, 102, Decimal(95), {1: 10, 2: 9}),
    Card(2, 103, Decimal(85), {1: 9, 2: 8}),
]
# 103 entered first, then 102, then 101.
ENTRIES = [(101, T0 + timedelta(hours=2)), (102, T0 + timedelta(hours=1)), (103, T0)]


def test_weighted_total_by_hand():
    rubric = [Rubric(1, 40, 10), Rubric(2, 30, 10), Rubric(3, 30, 5)]
    # (40 × 10/10 + 30 × 5/10 + 30 × 2/5) / 100 × 100 = 40 + 15 + 12 = 67
    assert scoring.weighted_total({1: 10, 2: 5, 3: 2}, rubric) == Decimal("67.000")
    assert scoring.weighted_total({1: Decimal("7.5"), 2: 0, 3: 5}, rubric) == Decimal("60.000")


def test_zscores_by_hand():
    z = scoring.zscores(CARDS)
    # Judge 1: mean 70, sd √(200/3) = 8.16497 → 80 is +1.22474; judge 2: mean 90, sd √(50/3) = 4.08248.
    assert z[(1, 101)] == pytest.approx(1.224745, abs=1e-6)
    assert z[(1, 102)] == pytest.approx(-1.224745, abs=1e-6)
    assert z[(1, 103)] == 0.0
    assert z[(2, 101)] == 0.0
    assert z[(2, 102)] == pytest.approx(1.224745, abs=1e-6)
    assert z[(2, 103)] == pytest.approx(-1.224745, abs=1e-6)


def test_zscores_judge_with_one_card_or_flat_scores_counts_zero():
    z = scoring.zscores([Card(1, 1, Decimal(50)), Card(2, 1, Decimal(70)), Card(2, 2, Decimal(70))])
    assert z == {(1, 1): 0.0, (2, 1): 0.0, (2, 2): 0.0}


def order(rows):
    return [(r.entry_id, r.rank) for r in rows]


def test_standings_normalised_by_hand():
    rows = scoring.standings(ENTRIES, CARDS, TWO, normalise=True, tie_break="criteria")
    # z means: 101 (1.22474 + 0)/2 = 0.6124, 102 (−1.22474 + 1.22474)/2 = 0, 103 −0.6124.
    assert order(rows) == [(101, 1), (102, 2), (103, 3)]
    assert [r.normalised for r in rows] == [Decimal("0.6124"), Decimal("0.0000"), Decimal("-0.6124")]
    assert [r.raw for r in rows] == [Decimal("85.000"), Decimal("77.500"), Decimal("77.500")]


def test_standings_raw_tie_broken_by_criteria_in_order():
    # 102 and 103 tie at 77.5. First criterion means: 102 (7 + 10)/2 = 8.5, 103 (6 + 9)/2 = 7.5 → 102 first.
    rows = scoring.standings(ENTRIES, CARDS, TWO, normalise=False, tie_break="criteria")
    assert order(rows) == [(101, 1), (102, 2), (103, 3)]
    assert rows[1].criteria_means == (Decimal("8.500"), Decimal("7.000"))


def test_standings_raw_tie_broken_by_lowest_judge():
    # Lowest judge total: 102 got 60, 103 got 70 → 103 first.
    rows = scoring.standings(ENTRIES, CARDS, TWO, normalise=False, tie_break="min_judge")
    assert order(rows) == [(101, 1), (103, 2), (102, 3)]


def test_standings_raw_tie_broken_by_submission_time():
    rows = scoring.standings(ENTRIES, CARDS, TWO, normalise=False, tie_break="submitted")
    assert order(rows) == [(101, 1), (103, 2), (102, 3)]  # 103 entered an hour before 102


def test_standings_full_tie_falls_back_to_earlier_entry():
    cards = [Card(1, 1, Decimal(50), {1: 5, 2: 5}), Card(1, 2, Decimal(50), {1: 5, 2: 5})]
    rows = scoring.standings(
        [(1, T0 + timedelta(minutes=1)), (2, T0)], cards, TWO, normalise=False, tie_break="criteria"
    )
    assert order(rows) == [(2, 1), (1, 2)]


def test_standings_entry_without_cards_last():
    rows = scoring.standings(ENTRIES + [(104, T0)], CARDS, TWO, normalise=False, tie_break="criteria")
    assert rows[-1].entry_id == 104 and rows[-1].cards == 0


@pytest.mark.parametrize(
    "count,share,total,expected",
    [
        (2, None, 5, 2),
        (9, None, 5, 5),
        (None, Decimal("0.3"), 5, 2),
        (None, Decimal("0.4"), 5, 2),
        (None, Decimal("0.5"), 30, 15),
        (None, Decimal("0.333"), 3, 1),
        (None, None, 5, 0),
    ],
)
def test_advancing_by_number_or_share(count, share, total, expected):
    assert scoring.advancing(count, share, total) == expected


@pytest.mark.django_db
def test_round_life_compute_review_publish(django_capture_on_commit_callbacks):
    competition, organizer = a_competition(), boss()
    entries = [an_entry(competition, organisation=f"大学{i}") for i in range(4)]
    judges = [a_judge(competition, organisation=f"研究院{i}") for i in range(2)]
    round_ = a_round(competition, k=2, advance_count=2, criteria=(("创新性", 50, 10), ("市场", 50, 10)))
    round_assign(round_=round_, actor=organizer)
    with pytest.raises(CompetitionError) as error:
        scorecard_submit(
            assignment=Assignment.objects.filter(round=round_).first(), actor=judges[0].user, values={}, comment=""
        )
    assert error.value.code in {"status", "not_assigned"}
    round_open(round_=round_, actor=organizer)
    assert Notification.objects.filter(kind="competition.judging_assigned").count() == 2
    criteria = list(round_.criteria.all())
    marks = {entries[0].pk: 9, entries[1].pk: 7, entries[2].pk: 5, entries[3].pk: 3}
    for a in Assignment.objects.filter(round=round_).select_related("judge"):
        scorecard_submit(assignment=a, actor=a.judge.user, values={c.pk: marks[a.entry_id] for c in criteria})
    a = Assignment.objects.filter(round=round_).select_related("judge").first()
    for bad in (
        {criteria[0].pk: 11, criteria[1].pk: 5},
        {criteria[0].pk: "x", criteria[1].pk: 5},
        {criteria[0].pk: "7.3", criteria[1].pk: 5},
        {criteria[0].pk: 5},
    ):
        with pytest.raises(CompetitionError) as error:
            scorecard_submit(assignment=a, actor=a.judge.user, values=bad)
        assert error.value.code == "score"
    with pytest.raises(CompetitionError):
        scorecard_submit(assignment=a, actor=candidate(), values={c.pk: 5 for c in criteria})
    with pytest.raises(CompetitionError) as error:
        results_compute(round_=round_, actor=organizer)
    assert error.value.code == "status"  # still judging
    round_close(round_=round_, actor=organizer)
    results_compute(round_=round_, actor=organizer)
    results = list(Result.objects.filter(round=round_).order_by("rank"))
    assert [(r.entry_id, r.raw, r.advances) for r in results] == [
        (entries[0].pk, Decimal("90.000"), True),
        (entries[1].pk, Decimal("70.000"), True),
        (entries[2].pk, Decimal("50.000"), False),
        (entries[3].pk, Decimal("30.000"), False),
    ]
    result_adjust(result=results[2], actor=organizer, advances=True)  # the organizer adds a wildcard
    results_review(round_=round_, actor=organizer)
    with pytest.raises(CompetitionError):
        result_adjust(result=results[3], actor=organizer, advances=True)  # reviewed: frozen
    second = a_round(competition, number=2)  # a next round exists: teams hear advanced / not advanced
    with django_capture_on_commit_callbacks(execute=True):
        results_publish(round_=round_, actor=organizer)
    assert Notification.objects.filter(kind="competition.advanced").count() == 3
    assert Notification.objects.get(kind="competition.not_advanced").user_id == entries[3].lead_id
    assert not Notification.objects.filter(kind="competition.final_result").exists()
    assert set(round_entries(second).values_list("pk", flat=True)) == {entries[0].pk, entries[1].pk, entries[2].pk}
    actions = list(
        AuditEntry.objects.filter(target_id=str(round_.pk), action__startswith="competition.").values_list(
            "action", flat=True
        )
    )
    for action in (
        "competition.round_open",
        "competition.round_close",
        "competition.results_computed",
        "competition.result_adjust",
        "competition.results_reviewed",
        "competition.results_published",
    ):
        assert action in actions
    assert Round.objects.get(pk=round_.pk).status == Round.Status.PUBLISHED
