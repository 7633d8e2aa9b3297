"""A round's life: setup → judging → closed → computed → reviewed → published, scorecards while
judging, and the advancement computed from them (competitions/scoring.py). Every step audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_log
from notifications.services import notify_many
from projects.services import team_member_ids

from .. import scoring
from ..errors import CompetitionError
from ..models import Assignment, Competition, Criterion, Result, Round, Scorecard
from ..permissions import competition_can_manage
from .awards import entry_to_project
from .judging import round_entries
from .live import live_changed

S = Round.Status


def rubric_of(round_: Round) -> list[scoring.Rubric]:
    return [scoring.Rubric(c.pk, c.weight, c.scale_max) for c in Criterion.objects.filter(round=round_)]


def _step(round_: Round, actor, *, allowed: set, to: str, action: str, data: dict | None = None) -> Round:
    if not competition_can_manage(actor, round_.competition):
        raise CompetitionError("forbidden")
    round_ = Round.objects.select_for_update().select_related("competition__event").get(pk=round_.pk)
    if round_.status not in allowed:
        raise CompetitionError("status")
    old = round_.status
    round_.status = to
    round_.save(update_fields=["status"])
    audit_log(actor=actor, action=action, target=round_, data={"from": old, "to": to, **(data or {})})
    return round_


def round_open(*, round_: Round, actor) -> Round:
    """Judging starts. On commit: every assigned judge hears of their entries.
    Raises forbidden / status / rubric / no_entries."""
    with transaction.atomic():
        if not rubric_of(round_) or sum(r.weight for r in rubric_of(round_)) <= 0:
            raise CompetitionError("rubric")
        if not Assignment.objects.filter(round=round_).exists():
            raise CompetitionError("no_entries")
        round_ = _step(round_, actor, allowed={S.SETUP}, to=S.JUDGING, action="competition.round_open")
        users = set(
            Assignment.objects.filter(round=round_, judge__user__isnull=False).values_list("judge__user_id", flat=True)
        )
        notify_many(
            user_ids=users,
            kind="competition.judging_assigned",
            context={
                "round": round_.name,
                "competition": round_.competition.event.title,
                "event_id": round_.competition_id,
                "url": "/competitions/judging/",
            },
        )
        if round_.kind == Round.Kind.LIVE:
            live_changed(round_)
    return round_


def round_close(*, round_: Round, actor) -> Round:
    """No more scores; judges may now see each other's. Raises forbidden / status."""
    with transaction.atomic():
        round_ = _step(round_, actor, allowed={S.JUDGING}, to=S.CLOSED, action="competition.round_close")
        if round_.kind == Round.Kind.LIVE:
            live_changed(round_)
    return round_


def _parse_values(round_: Round, values: dict) -> tuple[dict[int, Decimal], list[scoring.Rubric]]:
    """The values checked against the rubric (read once: the live final's hot path), and the rubric."""
    parsed, rubric = {}, []
    for criterion in Criterion.objects.filter(round=round_):
        rubric.append(scoring.Rubric(criterion.pk, criterion.weight, criterion.scale_max))
        raw = values.get(criterion.pk, values.get(str(criterion.pk)))
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError, TypeError):
            raise CompetitionError("score", detail=criterion.name) from None
        if not value.is_finite() or value < 0 or value > criterion.scale_max or (value * 2) % 1 != 0:
            raise CompetitionError("score", detail=f"{criterion.name}（0–{criterion.scale_max}）")
        parsed[criterion.pk] = value
    if not parsed:
        raise CompetitionError("rubric")
    return parsed, rubric


def scorecard_submit(*, assignment: Assignment, actor, values: dict, comment: str = "") -> Scorecard:
    """The assigned judge scores (or re-scores) an entry while the round is judging.

    On commit (live final): the screen hears how many judges have scored, never the scores.
    Raises CompetitionError: not_assigned / status / score / rubric.
    """
    if not actor.is_authenticated or assignment.judge.user_id != actor.pk:
        raise CompetitionError("not_assigned")
    with transaction.atomic():
        # Only the assignment row is locked; the round, competition and event come along for the audit line.
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("round__competition__event")
            .get(pk=assignment.pk)
        )
        round_ = assignment.round
        if round_.status != S.JUDGING:
            raise CompetitionError("status")
        parsed, rubric = _parse_values(round_, values)
        total = scoring.weighted_total(parsed, rubric)
        card, created = Scorecard.objects.update_or_create(
            assignment=assignment,
            defaults={
                "values": {str(k): str(v) for k, v in parsed.items()},
                "total": total,
                "comment": (comment or "").strip()[:1000],
                "submitted_at": timezone.now(),
            },
        )
        # The total stays out of the audit trail's data: the trail is readable by more people than scores.
        audit_log(
            actor=actor,
            action="competition.score" if created else "competition.rescore",
            target=round_,
            data={"assignment_id": assignment.pk},
        )
        if round_.kind == Round.Kind.LIVE:
            live_changed(round_)
    return card


def results_compute(*, round_: Round, actor) -> list[Result]:
    """Rank the round's entries and mark who advances (set number or share). Replaces earlier
    results of the round; may be run again until reviewed. Raises forbidden / status."""
    with transaction.atomic():
        round_ = _step(
            round_, actor, allowed={S.CLOSED, S.COMPUTED}, to=S.COMPUTED, action="competition.results_compute"
        )
        entries = list(round_entries(round_).values_list("pk", "submitted_at"))
        cards = [
            scoring.Card(
                a.judge_id, a.entry_id, a.scorecard.total, {int(k): Decimal(v) for k, v in a.scorecard.values.items()}
            )
            for a in Assignment.objects.filter(round=round_, scorecard__isnull=False).select_related("scorecard")
        ]
        rows = scoring.standings(
            entries, cards, rubric_of(round_), normalise=round_.normalise, tie_break=round_.tie_break
        )
        n = scoring.advancing(round_.advance_count, round_.advance_share, len(rows))
        Result.objects.filter(round=round_).delete()
        results = Result.objects.bulk_create(
            [
                Result(
                    round=round_,
                    entry_id=row.entry_id,
                    raw=row.raw,
                    normalised=row.normalised,
                    rank=row.rank,
                    advances=row.rank <= n,
                )
                for row in rows
            ]
        )
        audit_log(
            actor=actor,
            action="competition.results_computed",
            target=round_,
            data={"entries": len(rows), "advancing": n, "normalise": round_.normalise, "tie_break": round_.tie_break},
        )
        if round_.kind == Round.Kind.LIVE:
            live_changed(round_)
    return results


def result_adjust(*, result: Result, actor, advances: bool) -> Result:
    """The organizer changes who advances before review (audited, marked adjusted). Raises forbidden / status."""
    with transaction.atomic():
        round_ = result.round
        if not competition_can_manage(actor, round_.competition):
            raise CompetitionError("forbidden")
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if round_.status != S.COMPUTED:
            raise CompetitionError("status")
        result = Result.objects.select_for_update().get(pk=result.pk)
        if result.advances != advances:
            result.advances, result.adjusted = advances, True
            result.save(update_fields=["advances", "adjusted"])
            audit_log(
                actor=actor,
                action="competition.result_adjust",
                target=round_,
                data={"entry_id": result.entry_id, "advances": advances},
            )
    return result


def results_review(*, round_: Round, actor) -> Round:
    with transaction.atomic():
        return _step(
            round_,
            actor,
            allowed={S.COMPUTED},
            to=S.REVIEWED,
            action="competition.results_reviewed",
            data={"advancing": Result.objects.filter(round=round_, advances=True).count()},
        )


def results_publish(*, round_: Round, actor) -> Round:
    """Publish the advancement. On commit: every team hears whether it advanced (in the last
    round: its final rank). In a project selection the last round's selected entries become
    projects (counted toward the series' target).
    Raises forbidden / status."""
    with transaction.atomic():
        round_ = _step(round_, actor, allowed={S.REVIEWED}, to=S.PUBLISHED, action="competition.results_published")
        title = round_.competition.event.title
        last = not Round.objects.filter(competition_id=round_.competition_id, number__gt=round_.number).exists()
        for result in Result.objects.filter(round=round_).select_related("entry__team"):
            people = team_member_ids(result.entry.team)
            if last:  # no next round to advance to: the final ranking
                kind = "competition.final_result"
            else:
                kind = "competition.advanced" if result.advances else "competition.not_advanced"
            notify_many(
                user_ids=people,
                kind=kind,
                context={
                    "entry": result.entry.title,
                    "round": round_.name,
                    "competition": title,
                    "rank": result.rank,
                    "event_id": round_.competition_id,
                    "url": result.entry.get_absolute_url(),
                },
            )
            if last and result.advances and round_.competition.kind == Competition.Kind.SELECTION:
                # 项目评选: being selected (advancing in the last round) makes the entry a project.
                entry_to_project(entry=result.entry, actor=actor)
    return round_
