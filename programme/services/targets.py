"""Targets of a series, set by organizers (audited)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import audit_log
from events.models import Event, Series

from ..errors import ProgrammeError
from ..models import Metric, OutcomeKind, Target
from ..selectors.cached import figures_changed

# The programme's own figures ("十大行动": at least 10 fairs, 4 matchmaking sessions, 10,000
# postdocs, 1,000 projects), offered when a series has no targets yet.
DEFAULTS = [
    (Metric.FAIRS_HELD, "", gettext_lazy("举办专场招聘会"), 10),
    (Metric.MATCHMAKING_HELD, "", gettext_lazy("举办产才对接会"), 4),
    (Metric.PEOPLE_REACHED, "", gettext_lazy("集聚博士/博士后"), 10000),
    (Metric.PROJECTS_SIGNED, "", gettext_lazy("签约项目"), 1000),
    (Metric.OUTCOMES_CONFIRMED, OutcomeKind.OFFER, gettext_lazy("达成录用意向"), 2000),
    (Metric.OUTCOMES_CONFIRMED, OutcomeKind.STATION_ENTRY, gettext_lazy("博士后进站"), 500),
]


def _param_ok(metric: str, param: str) -> bool:
    if metric == Metric.EVENTS_HELD:
        return param in Event.Kind.values
    if metric == Metric.OUTCOMES_CONFIRMED:
        return param == "" or param in OutcomeKind.values
    return param == ""


def target_save(
    *,
    series: Series,
    actor: User,
    metric: str,
    title: str,
    goal: int,
    param: str = "",
    manual_value: int | None = None,
    target: Target | None = None,
    position: int | None = None,
) -> Target:
    """Create or change a target. Raises ProgrammeError: forbidden / metric_invalid /
    param_invalid / goal_invalid / title_required / duplicate."""
    if not actor.is_authenticated or not actor.is_organizer:
        raise ProgrammeError("forbidden", _("只有主办方可以设置目标。"))
    if metric not in Metric.values:
        raise ProgrammeError("metric_invalid", _("统计口径无效。"))
    param = (param or "").strip()
    if not _param_ok(metric, param):
        raise ProgrammeError("param_invalid", _("口径参数与统计口径不符。"))
    if not isinstance(goal, int) or not 0 < goal <= 10_000_000:
        raise ProgrammeError("goal_invalid", _("目标值应为 1 至 10,000,000 之间的整数。"))
    title = (title or "").strip()[:80]
    if not title:
        raise ProgrammeError("title_required", _("请填写目标名称。"))
    if manual_value is not None and (metric != Metric.MANUAL or manual_value < 0):
        raise ProgrammeError("param_invalid", _("只有手工填报的目标可以填写完成值。"))
    try:
        with transaction.atomic():
            created = target is None
            if created:
                target = Target(series=series)
                target.position = position if position is not None else series.targets.count()
            before = {"goal": target.goal, "manual_value": target.manual_value}
            target.metric, target.param, target.title, target.goal = metric, param, title, goal
            target.manual_value = manual_value
            target.save()
            transaction.on_commit(lambda: figures_changed(series.pk))
            audit_log(
                actor=actor,
                action="target.create" if created else "target.update",
                target=target,
                data={
                    "metric": metric,
                    "param": param,
                    "goal": goal,
                    "manual_value": manual_value,
                    "before": None if created else before,
                },
            )
    except IntegrityError:
        raise ProgrammeError("duplicate", _("该系列已有同一口径的目标。")) from None
    return target


def target_delete(*, target: Target, actor: User) -> None:
    if not actor.is_authenticated or not actor.is_organizer:
        raise ProgrammeError("forbidden", _("只有主办方可以设置目标。"))
    with transaction.atomic():
        series_id = target.series_id
        transaction.on_commit(lambda: figures_changed(series_id))
        audit_log(
            actor=actor, action="target.delete", target=target, data={"metric": target.metric, "goal": target.goal}
        )
        target.delete()


def targets_default(*, series: Series, actor: User | None) -> list[Target]:
    """The programme's standard targets for a series that has none (the postdoc goal taken
    from the series' old `target_postdocs` field if it was set)."""
    if series.targets.exists():
        return list(series.targets.all())
    with transaction.atomic():
        for position, (metric, param, title, goal) in enumerate(DEFAULTS):
            if metric == Metric.PEOPLE_REACHED and series.target_postdocs:
                goal = series.target_postdocs
            Target.objects.get_or_create(
                series=series,
                metric=metric,
                param=param,
                defaults={"title": str(title), "goal": goal, "position": position},
            )
        audit_log(actor=actor, action="target.defaults", target=series)
        transaction.on_commit(lambda: figures_changed(series.pk))
    return list(series.targets.all())
