"""Targets of a series, outcomes people report, and the counters kept toward the targets.

The counters (Tally) are kept incrementally from the facts other apps record: check-ins
(programme.counting.catch_up reads new check-in rows, however they were written: the Django
service, offline sync or the door's raw-SQL fast lane), projects, and outcomes confirmed here.
Reach and Attendance are the "counted once" records: a person is reached once per series
(unique constraint), and attends an event once, however many check-ins they have.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    FAIRS_HELD = "fairs_held", _("举办招聘会（场）")
    MATCHMAKING_HELD = "matchmaking_held", _("举办产才对接会（场）")
    EVENTS_HELD = "events_held", _("举办某类活动（场）")
    PEOPLE_REACHED = "people_reached", _("集聚博士/博士后（人）")
    PROJECTS_SIGNED = "projects_signed", _("签约项目（个）")
    OUTCOMES_CONFIRMED = "outcomes_confirmed", _("确认的成果（项）")
    MANUAL = "manual", _("手工填报")


class Target(models.Model):
    """A figure the organizer commits to for a series, and the fact that counts toward it.

    `param` narrows the fact: the event kind for events_held, the outcome kind for
    outcomes_confirmed (offers accepted, station entries...). A manual target is counted by
    hand (`manual_value`), for facts no app records.
    """

    series = models.ForeignKey(
        "events.Series", on_delete=models.CASCADE, related_name="targets", verbose_name=_("系列活动")
    )
    metric = models.CharField(_("统计口径"), max_length=24, choices=Metric.choices)
    param = models.CharField(_("口径参数"), max_length=24, blank=True)
    title = models.CharField(_("目标名称"), max_length=80)
    goal = models.PositiveIntegerField(_("目标值"))
    manual_value = models.PositiveIntegerField(_("手工填报值"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["series", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "metric", "param"], condition=~Q(metric="manual"), name="target_one_per_fact"
            ),
            models.CheckConstraint(condition=Q(goal__gt=0), name="target_goal_positive"),
        ]

    def __str__(self):
        return self.title


class OutcomeKind(models.TextChoices):
    OFFER = "offer", _("录用意向")
    HIRE = "hire", _("正式录用")
    STATION_ENTRY = "station_entry", _("博士后进站")
    JOB = "job", _("在青就业")
    PROJECT = "project", _("在青创业/项目落地")


# Who may report which kind: companies report what they offer; candidates report the rest.
COMPANY_KINDS = (OutcomeKind.OFFER, OutcomeKind.HIRE)
CANDIDATE_KINDS = (OutcomeKind.STATION_ENTRY, OutcomeKind.JOB, OutcomeKind.PROJECT)


class Outcome(models.Model):
    """An offer, a hire, a station entry... reported by a company or the candidate.

    A company's report waits for the candidate to confirm it, then (like a candidate's own
    report) for an organizer to confirm or reject it. Only confirmed outcomes count.
    """

    class Status(models.TextChoices):
        AWAITING_CANDIDATE = "awaiting_candidate", _("待本人确认")
        AWAITING_REVIEW = "awaiting_review", _("待主办方审核")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未通过")
        DECLINED = "declined", _("本人否认")

    series = models.ForeignKey(
        "events.Series", on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("系列活动")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=OutcomeKind.choices)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("候选人")
    )
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("单位"),
    )
    event = models.ForeignKey(
        "events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("促成活动")
    )
    happened_on = models.DateField(_("发生日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("成果")
        verbose_name_plural = _("成果")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["series", "status", "kind"], name="outcome_series_status")]
        constraints = [
            # A company reports one offer (or hire) per person; a second report would count twice.
            models.UniqueConstraint(
                fields=["series", "kind", "candidate", "company"],
                condition=~Q(status__in=["rejected", "declined"]),
                name="outcome_once",
            ),
            models.UniqueConstraint(
                fields=["series", "kind", "candidate"],
                condition=Q(company__isnull=True) & ~Q(status__in=["rejected", "declined"]),
                name="outcome_once_own",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Tally(models.Model):
    """One counter: (series, metric, key) -> value, e.g. ("people.month", "2025-05") -> 812."""

    series = models.ForeignKey("events.Series", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40)
    key = models.CharField(max_length=40, blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("计数器")
        verbose_name_plural = _("计数器")
        constraints = [models.UniqueConstraint(fields=["series", "metric", "key"], name="tally_unique")]


class Reach(models.Model):
    """A person counted toward a series: once (the constraint), at their earliest check-in."""

    series = models.ForeignKey("events.Series", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField()
    first_checkin_id = models.BigIntegerField()
    first_event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # YYYY-MM in Asia/Shanghai
    # The origin as counted (kept equal to the profile: a profile change moves the counts).
    province = models.CharField(max_length=16, blank=True)
    university_type = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "user"], name="reach_once_per_series")]
        indexes = [models.Index(fields=["series", "month"], name="reach_series_month")]


class Attendance(models.Model):
    """A person at an event: once (the constraint), however many check-ins (sessions, re-entry)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey("events.Series", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="attendance_once")]


class CountedProject(models.Model):
    """A project already counted (so reading a project twice cannot count it twice)."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey("events.Series", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    district = models.CharField(max_length=6, blank=True)


class Cursor(models.Model):
    """How far the counters have read a source table (check-ins, projects), by id.

    Ids are handed out before commit, so a row with a lower id can become visible after a
    higher one: ids skipped when reading are kept in `holes` (id -> first seen, epoch s) and
    read again until they appear or HOLE_TTL_S passes (a rolled-back insert never appears).
    """

    name = models.CharField(max_length=20, unique=True)
    last_id = models.BigIntegerField(default=0)
    holes = models.JSONField(default=dict, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)
