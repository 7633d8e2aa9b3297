"""1:1 meetings (洽谈) at an event: the grid (slots × tables), who is there when, who wants to meet
whom, the meetings themselves, feedback, and the optimiser's runs.

A meeting holds one table in one slot from the moment it is requested: a request is a claim on
that cell, like a requested booth. Two partial unique constraints make the core invariant a fact
of the database: among active meetings (requested or accepted) no candidate and no table appears
twice in one slot.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from events.models import Event

ACTIVE = ("requested", "accepted")


class MeetingSetup(models.Model):
    """Turns 1:1 meetings on for an event and holds its rules."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="meeting_setup")
    meeting_minutes = models.PositiveSmallIntegerField(_("每场洽谈时长（分钟）"), default=15)
    requests_open_at = models.DateTimeField(_("预约开始"), null=True, blank=True)
    requests_close_at = models.DateTimeField(_("预约截止"), null=True, blank=True)
    max_per_candidate = models.PositiveSmallIntegerField(_("每位候选人最多洽谈数"), default=4)
    max_per_company = models.PositiveSmallIntegerField(_("每家单位最多洽谈数"), default=12)
    lapse_hours = models.PositiveSmallIntegerField(_("未答复的预约在多少小时后失效"), default=24)
    # Raised on every change of a meeting of the event, so live pages drop stale pushes.
    version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("洽谈设置")
        verbose_name_plural = _("洽谈设置")

    def __str__(self):
        return str(self.event)

    def requests_are_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.event.status != Event.Status.PUBLISHED:
            return False
        if self.requests_open_at and now < self.requests_open_at:
            return False
        closes = self.requests_close_at or self.event.starts_at
        return now < closes


class Slot(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_slots")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("洽谈时段")
        verbose_name_plural = _("洽谈时段")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="mm_slot_unique_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="mm_slot_ends_after_start"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{local:%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class Table(models.Model):
    """A place where meetings happen: a numbered table in a hall, a room, or an online link.
    The organizer creates it and hands it to a company; the company names who sits there."""

    class Kind(models.TextChoices):
        TABLE = "table", _("洽谈桌")
        ROOM = "room", _("洽谈室")
        ONLINE = "online", _("线上")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_tables")
    hall = models.CharField(_("区域/展厅"), max_length=60, default="A")
    number = models.PositiveSmallIntegerField(_("桌号"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.TABLE)
    online_url = models.URLField(_("线上链接"), blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_tables",
        verbose_name=_("使用单位"),
    )
    label = models.CharField(_("接待代表"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("洽谈桌")
        verbose_name_plural = _("洽谈桌")
        ordering = ["hall", "number", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "hall", "number"], name="mm_table_unique_number")]

    def __str__(self):
        return f"{self.hall}-{self.number}"


class Participation(models.Model):
    """A company takes part in an event's meetings, and in which slots it is there."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_participations")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="meeting_participations")
    slots = models.ManyToManyField(Slot, blank=True, related_name="participations", verbose_name=_("在场时段"))

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        constraints = [models.UniqueConstraint(fields=["event", "company"], name="mm_participation_unique")]


class Interest(models.Model):
    """One side wants to meet the other: priority 1 (most) to 3."""

    class Side(models.TextChoices):
        CANDIDATE = "candidate", _("候选人")
        COMPANY = "company", _("用人单位")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_interests")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="meeting_interests")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_interests")
    side = models.CharField(_("意向方"), max_length=12, choices=Side.choices)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    position_title = models.CharField(_("意向岗位"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("洽谈意向")
        verbose_name_plural = _("洽谈意向")
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "company", "candidate", "side"], name="mm_interest_unique"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=3), name="mm_interest_priority"),
        ]


class SchedulerRun(models.Model):
    """One run of the optimiser: a draft until an organizer publishes it; kept afterwards."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被替换")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_runs")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # The solver's report (objective, bound, gap, seconds) and the preview statistics.
    report = models.JSONField(default=dict)
    stats = models.JSONField(default=dict)
    # [[candidate id, company id, slot id, table id], ...]: what publishing books.
    assignments = models.JSONField(default=list)

    class Meta:
        verbose_name = _("排程结果")
        verbose_name_plural = _("排程结果")
        ordering = ["-created_at", "-id"]


class Meeting(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("待确认")
        ACCEPTED = "accepted", _("已确认")
        DECLINED = "declined", _("已婉拒")
        LAPSED = "lapsed", _("已失效")
        CANCELLED = "cancelled", _("已取消")

    class Origin(models.TextChoices):
        HAND = "hand", _("双方预约")
        SCHEDULER = "scheduler", _("智能排程")
        ORGANIZER = "organizer", _("主办方安排")

    class Attendance(models.TextChoices):
        PENDING = "pending", _("未标记")
        HELD = "held", _("已洽谈")
        NO_SHOW = "no_show", _("未到场")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="meetings")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="meetings")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="meetings")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetings")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    origin = models.CharField(_("来源"), max_length=12, choices=Origin.choices, default=Origin.HAND)
    requested_by_side = models.CharField(max_length=12, choices=Interest.Side.choices, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("留言"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("答复截止"), null=True, blank=True)
    pinned = models.BooleanField(_("锁定"), default=False)
    run = models.ForeignKey(SchedulerRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    attendance = models.CharField(_("到场"), max_length=12, choices=Attendance.choices, default=Attendance.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The iCalendar SEQUENCE: raised on every move or cancellation.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("洽谈")
        verbose_name_plural = _("洽谈")
        ordering = ["slot__starts_at", "table__hall", "table__number", "id"]
        constraints = [
            # A person never holds two meetings in one slot, and a table never hosts two.
            models.UniqueConstraint(
                fields=["slot", "candidate"], condition=Q(status__in=ACTIVE), name="mm_meeting_one_per_candidate_slot"
            ),
            models.UniqueConstraint(
                fields=["slot", "table"], condition=Q(status__in=ACTIVE), name="mm_meeting_one_per_table_slot"
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="mm_meeting_event_status")]

    def __str__(self):
        return f"{self.company} × {self.candidate} @ {self.slot}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class Feedback(models.Model):
    class Outcome(models.TextChoices):
        NONE = "none", _("暂无")
        INTERVIEW = "interview", _("进入面试")
        OFFER = "offer", _("发放录用意向")
        PROJECT = "project", _("开展合作项目")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    side = models.CharField(max_length=12, choices=Interest.Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    rating = models.PositiveSmallIntegerField(_("评分"))
    outcome = models.CharField(_("后续"), max_length=12, choices=Outcome.choices, default=Outcome.NONE)
    comment = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("洽谈反馈")
        verbose_name_plural = _("洽谈反馈")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "side"], name="mm_feedback_one_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="mm_feedback_rating"),
        ]
