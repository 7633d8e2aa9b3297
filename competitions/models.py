"""Competitions and project selection (大赛 / 项目评选): entries, rounds with rubrics, judges
and their declared conflicts, assignments, scorecards, results, the live final and awards.

A Competition hangs on an events.Event of kind "competition" (same primary key) and on its
Series. An entry is always made by a projects.Team (a candidate alone is a team of one), so
invitations and membership live once, in projects.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_business_plan


class Competition(models.Model):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("创新创业大赛")
        SELECTION = "selection", _("项目评选")

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, primary_key=True, related_name="competition", verbose_name=_("活动")
    )
    series = models.ForeignKey(
        "events.Series", on_delete=models.PROTECT, related_name="competitions", verbose_name=_("系列活动")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.CONTEST)
    tracks = models.JSONField(_("赛道"), default=list, help_text=_("产业赛道名称列表。"))
    entries_open_at = models.DateTimeField(_("报名开始"))
    entry_deadline = models.DateTimeField(_("报名截止（截止前可修改）"))
    # 省博新计划 positions the organizer may attach to awards: limited, counted under a lock.
    positions_total = models.PositiveSmallIntegerField(_("“省博新计划”岗位数"), default=60)

    class Meta:
        verbose_name = _("大赛")
        verbose_name_plural = _("大赛")

    def __str__(self):
        return self.event.title

    def get_absolute_url(self):
        return reverse("competitions:detail", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.entries_open_at <= now < self.entry_deadline


class Entry(models.Model):
    class Stage(models.TextChoices):
        IDEA = "idea", _("创意阶段")
        PROTOTYPE = "prototype", _("原型/样机阶段")
        COMPANY = "company", _("已注册企业")

    class Award(models.TextChoices):
        NONE = "", _("无")
        GOLD = "gold", _("金奖")
        SILVER = "silver", _("银奖")
        BRONZE = "bronze", _("铜奖")
        HONOURABLE = "honourable", _("优秀奖")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    # The entry goes with its team (its lead erasing the account takes both, DESIGN: erasure).
    team = models.ForeignKey(
        "projects.Team", on_delete=models.CASCADE, related_name="competition_entries", verbose_name=_("团队")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_entries", verbose_name=_("负责人")
    )
    title = models.CharField(_("项目名称"), max_length=160)
    track = models.CharField(_("赛道"), max_length=60)
    stage = models.CharField(_("项目阶段"), max_length=16, choices=Stage.choices, default=Stage.IDEA)
    company_name = models.CharField(_("企业名称"), max_length=120, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    # Where the team works: a judge of the same organisation never scores the entry.
    organisation = models.CharField(_("依托单位"), max_length=120)
    summary = models.TextField(_("项目简介"), max_length=3000)
    business_plan = models.FileField(
        _("商业计划书（PDF）"), upload_to="competitions/plans/%Y/%m/", blank=True, validators=[validate_business_plan]
    )
    video_url = models.URLField(_("路演视频链接"), blank=True)
    patents = models.JSONField(_("知识产权（专利号）"), default=list, blank=True)
    funding_wan = models.DecimalField(
        _("融资需求（万元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
    )
    award = models.CharField(_("奖项"), max_length=16, choices=Award.choices, blank=True, default="")
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competition_entry",
        verbose_name=_("转化项目"),
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("参赛项目")
        verbose_name_plural = _("参赛项目")
        ordering = ["submitted_at", "id"]
        constraints = [
            # One entry per team (the project), and a person leads at most one entry.
            models.UniqueConstraint(fields=["competition", "team"], name="entry_one_per_team"),
            models.UniqueConstraint(fields=["competition", "lead"], name="entry_one_per_lead"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("competitions:entry", args=[self.pk])


class Round(models.Model):
    class Kind(models.TextChoices):
        ONLINE = "online", _("网络评审")
        ROADSHOW = "roadshow", _("路演评审")
        LIVE = "live", _("现场决赛")

    class Status(models.TextChoices):
        SETUP = "setup", _("准备中")
        JUDGING = "judging", _("评审中")
        CLOSED = "closed", _("评审结束")
        COMPUTED = "computed", _("晋级已计算")
        REVIEWED = "reviewed", _("晋级已复核")
        PUBLISHED = "published", _("结果已公布")

    class TieBreak(models.TextChoices):
        CRITERIA = "criteria", _("按评分项顺序比较单项平均分")
        MIN_JUDGE = "min_judge", _("比较最低评委分，高者优先")
        SUBMITTED = "submitted", _("报名提交时间早者优先")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    name = models.CharField(_("名称"), max_length=40)
    kind = models.CharField(_("形式"), max_length=16, choices=Kind.choices, default=Kind.ONLINE)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SETUP)
    judges_per_entry = models.PositiveSmallIntegerField(
        _("每个项目评委数 K"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    advance_count = models.PositiveIntegerField(_("晋级数量"), null=True, blank=True)
    advance_share = models.DecimalField(
        _("晋级比例"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    normalise = models.BooleanField(_("按评委标准化（z 分数）"), default=False)
    tie_break = models.CharField(_("同分规则"), max_length=16, choices=TieBreak.choices, default=TieBreak.CRITERIA)
    # The live final: who presents now, the timer, and whether the results are on the screen.
    live_position = models.PositiveSmallIntegerField(null=True, blank=True)
    timer_seconds = models.PositiveSmallIntegerField(_("每队时长（秒）"), default=480)
    timer_started_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    # Raised on every live change so screens drop a push older than what they show.
    live_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["competition", "number"]
        constraints = [models.UniqueConstraint(fields=["competition", "number"], name="round_number_once")]

    def __str__(self):
        return f"{self.competition} · {self.name}"

    @property
    def scores_released(self) -> bool:
        """Judges may see each other's scores from here on (the round is closed)."""
        return self.status not in (self.Status.SETUP, self.Status.JUDGING)


class Criterion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("权重"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    scale_max = models.PositiveSmallIntegerField(
        _("满分"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["round", "order", "id"]

    def __str__(self):
        return self.name


class Judge(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("已邀请")
        ACCEPTED = "accepted", _("已接受")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="judges")
    # SET_NULL: a judge who deletes their account leaves their scores (and the round's results) intact;
    # the eraser blanks the name and e-mail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="judgings"
    )
    email = models.EmailField(_("电子邮箱"))
    name = models.CharField(_("姓名"), max_length=80)
    organisation = models.CharField(_("工作单位"), max_length=120, blank=True)
    expertise = models.CharField(_("擅长赛道"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.INVITED)
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评委")
        verbose_name_plural = _("评委")
        ordering = ["competition", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["competition", "email"], name="judge_once")]

    def __str__(self):
        return self.name


class Conflict(models.Model):
    """A conflict of interest the judge declared (their own organisation counts without one)."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("指定参赛项目")
        ORGANISATION = "organisation", _("单位")
        COAUTHOR = "coauthor", _("合作者（共同作者）")

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts")
    value = models.CharField(_("单位或姓名"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("利益冲突申报")
        verbose_name_plural = _("利益冲突申报")


class Assignment(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="assignments")
    manual = models.BooleanField(_("人工调整"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        constraints = [models.UniqueConstraint(fields=["round", "judge", "entry"], name="assignment_once")]


class Scorecard(models.Model):
    """One judge's scores for one entry in one round: {criterion id: value} and the weighted total."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scorecard")
    values = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=7, decimal_places=3)  # 0..100
    comment = models.TextField(_("评语"), max_length=1000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")


class Result(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="results")
    raw = models.DecimalField(max_digits=7, decimal_places=3)
    normalised = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField()
    advances = models.BooleanField(default=False)
    adjusted = models.BooleanField(_("人工调整"), default=False)

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")
        ordering = ["round", "rank"]
        constraints = [models.UniqueConstraint(fields=["round", "entry"], name="result_once")]


class LiveSlot(models.Model):
    """The running order of the live final."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="slots")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="slot_position_once"),
            models.UniqueConstraint(fields=["round", "entry"], name="slot_entry_once"),
        ]


class Honour(models.Model):
    """What an award means for a person (以赛代评): a support plan class, a 省博新计划 position."""

    class Plan(models.TextChoices):
        NONE = "", _("无")
        A = "A", _("山东省博士后创新人才支持计划 A 类")
        B = "B", _("山东省博士后创新人才支持计划 B 类")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="honours")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="honours")
    award = models.CharField(_("奖项"), max_length=16, choices=Entry.Award.choices)
    support_plan = models.CharField(_("支持计划"), max_length=1, choices=Plan.choices, blank=True, default="")
    position = models.BooleanField(_("“省博新计划”岗位"), default=False)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("获奖待遇")
        verbose_name_plural = _("获奖待遇")
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="honour_once"),
            models.UniqueConstraint(fields=["entry"], condition=Q(position=True), name="honour_one_position"),
        ]
