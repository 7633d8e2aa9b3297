"""The organizer sets a competition up: its settings, rounds and their rubrics."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _lazy

from accounts.services import audit_log
from events.models import Event

from ..errors import CompetitionError
from ..models import Competition, Criterion, Round
from ..permissions import competition_can_manage


def competition_save(
    *,
    event: Event,
    actor,
    tracks: list[str],
    entries_open_at: datetime,
    entry_deadline: datetime,
    kind: str = Competition.Kind.CONTEST,
    positions_total: int = 60,
) -> Competition:
    """Create or update the competition of a "competition" event. Raises forbidden / invalid."""
    from events.permissions import event_can_edit

    if not event_can_edit(actor, event):
        raise CompetitionError("forbidden")
    if event.kind != Event.Kind.COMPETITION:
        raise CompetitionError("invalid", detail=_lazy("活动类型须为创新创业大赛"))
    tracks = [t.strip()[:60] for t in tracks if t.strip()]
    if not tracks or entry_deadline <= entries_open_at or kind not in Competition.Kind.values:
        raise CompetitionError("invalid", detail=_lazy("赛道、报名时间"))
    with transaction.atomic():
        competition, created = Competition.objects.update_or_create(
            event=event,
            defaults={
                "series": event.series,
                "tracks": tracks,
                "entries_open_at": entries_open_at,
                "entry_deadline": entry_deadline,
                "kind": kind,
                "positions_total": max(0, int(positions_total)),
            },
        )
        audit_log(actor=actor, action="competition.create" if created else "competition.update", target=competition)
    return competition


def round_save(
    *,
    competition: Competition,
    actor,
    number: int,
    name: str,
    kind: str = Round.Kind.ONLINE,
    judges_per_entry: int = 3,
    advance_count=None,
    advance_share=None,
    normalise: bool = False,
    tie_break: str = Round.TieBreak.CRITERIA,
    round_: Round | None = None,
) -> Round:
    """Create a round, or change one that has not started. Raises forbidden / status / invalid."""
    if not competition_can_manage(actor, competition):
        raise CompetitionError("forbidden")
    try:
        count = int(advance_count) if advance_count not in (None, "") else None
        share = Decimal(str(advance_share)) if advance_share not in (None, "") else None
        k = int(judges_per_entry)
        number = int(number)
    except (TypeError, ValueError, InvalidOperation):
        raise CompetitionError("invalid", detail=_lazy("数字")) from None
    if share is not None and not share.is_finite():
        share = Decimal(-1)  # NaN and infinities are refused below like any out-of-range share
    if (
        (count is not None and not 0 <= count <= 100000)
        or (share is not None and not (0 <= share <= 1))
        or not (1 <= k <= 30)
        or not (1 <= number <= 100)
    ):
        raise CompetitionError("invalid", detail=_lazy("晋级数量/比例、评委数"))
    if kind not in Round.Kind.values or tie_break not in Round.TieBreak.values or not (name or "").strip():
        raise CompetitionError("invalid", detail=_lazy("名称、形式、同分规则"))
    with transaction.atomic():
        if round_ is None:
            round_ = Round(competition=competition, number=number)
        else:
            round_ = Round.objects.select_for_update().get(pk=round_.pk)
            if round_.status != Round.Status.SETUP:
                raise CompetitionError("status")
        round_.name, round_.kind, round_.judges_per_entry = name.strip()[:40], kind, k
        round_.advance_count = count
        round_.advance_share = share.quantize(Decimal("0.001")) if share is not None else None
        round_.normalise, round_.tie_break = bool(normalise), tie_break
        if Round.objects.filter(competition=competition, number=number).exclude(pk=round_.pk).exists():
            raise CompetitionError("invalid", detail=_lazy("轮次序号已存在"))
        try:
            with transaction.atomic():
                round_.save()
        except IntegrityError:  # the same number added at the same moment
            raise CompetitionError("invalid", detail=_lazy("轮次序号已存在")) from None
        audit_log(actor=actor, action="competition.round_save", target=round_)
    return round_


def criterion_add(*, round_: Round, actor, name: str, weight, scale_max=10) -> Criterion:
    if not competition_can_manage(actor, round_.competition):
        raise CompetitionError("forbidden")
    if round_.status != Round.Status.SETUP:
        raise CompetitionError("status")
    try:
        weight, scale_max = int(weight), int(scale_max)
    except (TypeError, ValueError):
        raise CompetitionError("invalid", detail=_lazy("权重、满分")) from None
    if not (1 <= weight <= 100 and 1 <= scale_max <= 100) or not (name or "").strip():
        raise CompetitionError("invalid", detail=_lazy("评分项、权重（1–100）、满分（1–100）"))
    with transaction.atomic():
        criterion = Criterion.objects.create(
            round=round_, name=name.strip()[:40], weight=weight, scale_max=scale_max, order=round_.criteria.count()
        )
        audit_log(actor=actor, action="competition.criterion_add", target=round_, data={"criterion": criterion.name})
    return criterion


def criterion_remove(*, criterion: Criterion, actor) -> None:
    round_ = criterion.round
    if not competition_can_manage(actor, round_.competition):
        raise CompetitionError("forbidden")
    if round_.status != Round.Status.SETUP:
        raise CompetitionError("status")
    with transaction.atomic():
        audit_log(actor=actor, action="competition.criterion_remove", target=round_, data={"criterion": criterion.name})
        criterion.delete()
