"""The live final (决赛): running order, who presents, the timer, and the reveal.

Everything the public screen shows goes through `live_state`, the one place that decides what
is public: the running order, who presents, the timer and how many judges have scored the team
on stage, never a score, until the organizer reveals the results. The same dict is the
snapshot (screen.json) and the push on the topic `competition.<id>`, so a score cannot leak by
one path and not the other.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from accounts.services import audit_log
from notifications import live

from ..errors import CompetitionError
from ..models import Assignment, Entry, LiveSlot, Result, Round, Scorecard
from ..permissions import competition_can_manage


def group_competition(competition_id: int) -> str:
    return f"competition.{int(competition_id)}"


def final_round(competition) -> Round | None:
    return Round.objects.filter(competition=competition, kind=Round.Kind.LIVE).order_by("-number").first()


def live_state(round_: Round) -> dict:
    """What the public screen may know now (see the module's docstring)."""
    slots = list(LiveSlot.objects.filter(round=round_).select_related("entry").order_by("position"))
    order = [
        {
            "position": s.position,
            "entry": s.entry_id,
            "title": s.entry.title,
            "track": s.entry.track,
            "organisation": s.entry.organisation,
        }
        for s in slots
    ]
    current = next((s for s in slots if s.position == round_.live_position), None)
    progress = {"scored": 0, "judges": 0}
    if current is not None:
        assignments = Assignment.objects.filter(round=round_, entry_id=current.entry_id)
        progress = {
            "judges": assignments.count(),
            "scored": Scorecard.objects.filter(assignment__in=assignments).count(),
        }
    state = {
        "type": "final.state",
        "version": round_.live_version,
        "round": round_.pk,
        "name": round_.name,
        "status": round_.status,
        "order": order,
        "current": round_.live_position,
        "timer": {
            "started_at": round_.timer_started_at.isoformat() if round_.timer_started_at else None,
            "seconds": round_.timer_seconds,
        },
        "progress": progress,
        "revealed": round_.revealed_at is not None,
        "results": [],
    }
    if round_.revealed_at is not None:
        state["results"] = [
            {
                "rank": r.rank,
                "title": r.entry.title,
                "organisation": r.entry.organisation,
                "score": str(r.raw),
                "award": r.entry.get_award_display() if r.entry.award else "",
            }
            for r in Result.objects.filter(round=round_).select_related("entry").order_by("rank")
        ]
    return state


def live_changed(round_: Round) -> None:
    """Inside a transaction: raise the version now, push the fresh state on commit."""
    Round.objects.filter(pk=round_.pk).update(live_version=F("live_version") + 1)
    round_id, competition_id = round_.pk, round_.competition_id

    def push():
        fresh = Round.objects.filter(pk=round_id).first()
        if fresh is not None:
            live.publish(group_competition(competition_id), live_state(fresh))

    transaction.on_commit(push)


def _live_round(round_: Round, actor) -> Round:
    if not competition_can_manage(actor, round_.competition):
        raise CompetitionError("forbidden")
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.kind != Round.Kind.LIVE:
        raise CompetitionError("status")
    return round_


def live_order_set(*, round_: Round, actor, entry_ids: list[int] | None = None) -> list[LiveSlot]:
    """The running order: `entry_ids` as given, or by default the previous round's rank reversed
    (the strongest presents last). Only before judging starts. Raises forbidden / status / invalid."""
    from .judging import round_entries

    with transaction.atomic():
        round_ = _live_round(round_, actor)
        if round_.status != Round.Status.SETUP:
            raise CompetitionError("status")
        allowed = list(round_entries(round_).values_list("pk", flat=True))
        if entry_ids is None:
            previous = (
                Round.objects.filter(competition_id=round_.competition_id, number__lt=round_.number)
                .order_by("-number")
                .first()
            )
            rank = dict(Result.objects.filter(round=previous).values_list("entry_id", "rank")) if previous else {}
            entry_ids = sorted(allowed, key=lambda pk: (-rank.get(pk, 0), pk))
        if sorted(entry_ids) != sorted(allowed):
            raise CompetitionError("invalid", detail=_lazy("出场顺序须包含全部决赛项目"))
        LiveSlot.objects.filter(round=round_).delete()
        slots = LiveSlot.objects.bulk_create(
            [LiveSlot(round=round_, entry_id=pk, position=i) for i, pk in enumerate(entry_ids, start=1)]
        )
        audit_log(actor=actor, action="competition.live_order", target=round_, data={"order": list(entry_ids)})
        live_changed(round_)
    return slots


def live_advance(*, round_: Round, actor, position: int) -> Round:
    """Put the team at `position` on stage and start its timer. Raises forbidden / status / invalid."""
    with transaction.atomic():
        round_ = _live_round(round_, actor)
        if round_.status != Round.Status.JUDGING:
            raise CompetitionError("status")
        if not LiveSlot.objects.filter(round=round_, position=position).exists():
            raise CompetitionError("invalid", detail=_lazy("出场序号"))
        round_.live_position, round_.timer_started_at = position, timezone.now()
        round_.save(update_fields=["live_position", "timer_started_at"])
        audit_log(actor=actor, action="competition.live_advance", target=round_, data={"position": position})
        live_changed(round_)
    return round_


def live_timer(*, round_: Round, actor, run: bool) -> Round:
    """Restart (run) or stop the current team's timer. Raises forbidden / status."""
    with transaction.atomic():
        round_ = _live_round(round_, actor)
        if round_.status != Round.Status.JUDGING or round_.live_position is None:
            raise CompetitionError("status")
        round_.timer_started_at = timezone.now() if run else None
        round_.save(update_fields=["timer_started_at"])
        live_changed(round_)
    return round_


def live_reveal(*, round_: Round, actor) -> Round:
    """Show the results on the screen. Only once they are computed (the round is closed).
    Raises forbidden / status."""
    with transaction.atomic():
        round_ = _live_round(round_, actor)
        if round_.status not in (Round.Status.COMPUTED, Round.Status.REVIEWED, Round.Status.PUBLISHED):
            raise CompetitionError("status")
        round_.revealed_at = timezone.now()
        round_.live_position, round_.timer_started_at = None, None
        round_.save(update_fields=["revealed_at", "live_position", "timer_started_at"])
        audit_log(actor=actor, action="competition.live_reveal", target=round_)
        live_changed(round_)
    return round_


def entries_on_stage(round_: Round) -> list[Entry]:
    return [s.entry for s in LiveSlot.objects.filter(round=round_).select_related("entry").order_by("position")]
