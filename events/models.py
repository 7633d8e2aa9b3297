"""The programme: series and their actions, events of every kind, timetables, registrations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import CandidateKind


class Series(models.Model):
    """A programme such as the 2025 "ten actions" (十大行动)."""

    title = models.CharField(_("名称"), max_length=120)
    slug = models.SlugField(_("标识"), unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("简介"), blank=True)
    target_postdocs = models.PositiveIntegerField(_("年度集聚目标（人）"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("系列活动")
        verbose_name_plural = _("系列活动")
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title


class Action(models.Model):
    """One of the series' actions (行动), e.g. 博聚英才 recruitment."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("行动")
        verbose_name_plural = _("行动")
        ordering = ["series", "number"]
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="action_number_unique")]

    def __str__(self):
        return self.title


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def visible(self):
        """What the public may open: published, and cancelled ones so links keep working."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now())


# Written only under the event's row lock by events/services/registration.py (see Event.save).
LOCKED_FIELDS = frozenset({"registration_version", "seats_confirmed", "seats_waitlisted"})


class Event(models.Model):
    class Kind(models.TextChoices):
        FAIR = "fair", _("专场招聘会")
        MATCHMAKING = "matchmaking", _("产才对接")
        FORUM = "forum", _("学术研讨")
        COMPETITION = "competition", _("创新创业大赛")
        TRAINING = "training", _("政策培训")
        ROADSHOW = "roadshow", _("巡回招聘/路演")

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")
        HYBRID = "hybrid", _("线上+线下")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="events", verbose_name=_("系列活动"))
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("所属行动")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=160)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    description = models.TextField(_("详情"), blank=True)
    mode = models.CharField(_("形式"), max_length=16, choices=Mode.choices, default=Mode.OFFLINE)
    city = models.CharField(_("城市"), max_length=40, default="青岛")
    venue = models.CharField(_("场馆"), max_length=160, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    registration_opens_at = models.DateTimeField(_("报名开始"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("报名截止"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    waitlist_enabled = models.BooleanField(_("满额后候补"), default=True)
    eligibility = models.JSONField(_("报名对象"), default=list, blank=True, help_text=_("留空表示所有候选人均可报名。"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Kept by events.questions.services: true while the event has registration questions (hidden
    # ones too), so that pages and registrations of an event without any cost no query for them.
    has_questions = models.BooleanField(default=False, editable=False)
    # Raised under the event's row lock on every registration change, so live clients can
    # drop a seat count that arrives after a newer one.
    registration_version = models.PositiveIntegerField(default=0, editable=False)
    # Seats taken and places on the waiting list, kept by events/services/registration.py in
    # the same transaction and under the same row lock as every status change, so counting the
    # seats costs the same for 10 or 10,000 registrations. `manage.py seats_recount` checks them.
    seats_confirmed = models.PositiveIntegerField(default=0, editable=False)
    seats_waitlisted = models.PositiveIntegerField(default=0, editable=False)
    # The iCalendar SEQUENCE: raised on every change people's calendars must pick up (time,
    # place, link, title, cancellation), so calendar apps update the entry instead of adding one.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        permissions = [("manage_all_events", _("可管理全部活动"))]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The counters and the version belong to the registration services, which change them
        # with an UPDATE under the event's row lock. A plain save() of an event loaded earlier
        # (a console form, the admin) must not write stale figures back over newer ones.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in LOCKED_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    @property
    def seats_left(self) -> int:
        """Needs the `confirmed_count` annotation of selectors.with_seat_counts."""
        return max(0, self.capacity - self.confirmed_count)

    def eligibility_labels(self) -> list[str]:
        labels = dict(CandidateKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.eligibility]

    def eligibility_text(self) -> str:
        # The list separator is a translatable string: "、" in Chinese, ", " in English.
        return gettext("、").join(self.eligibility_labels())

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        closes = self.registration_closes_at or self.starts_at
        return now < closes


class Session(models.Model):
    """A slot in an event's timetable (a talk, a panel, a matchmaking round)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("标题"), max_length=160)
    speakers = models.CharField(_("主讲/嘉宾"), max_length=300, blank=True)
    room = models.CharField(_("地点/会议室"), max_length=80, blank=True)
    # The entities (events.speakers); the free-text fields above stay as the fallback for
    # sessions without them (and were read into entities by migration 0004).
    place = models.ForeignKey(
        "events.Room",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("会议室"),
    )
    presenters = models.ManyToManyField(
        "events.Speaker", through="events.SessionSpeaker", blank=True, related_name="sessions", verbose_name=_("嘉宾")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    description = models.TextField(_("说明"), blank=True)
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("日程")
        verbose_name_plural = _("日程")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def speaker_list(self) -> list:
        """The session's speakers in order (events.speakers.selectors.sessions_with_people
        prefetches them for lists)."""
        return [link.speaker for link in self.speaker_links.all()] if self.pk else []

    @property
    def speaker_names(self) -> str:
        """Who speaks, as one line: the speaker entities, else the old free text."""
        people = self.speaker_list()
        if people:
            return "；".join(f"{p.organisation} {p.display_name}".strip() for p in people)
        return self.speakers

    @property
    def room_label(self) -> str:
        """Where: the room entity's name, else the old free text."""
        return self.place.name if self.place_id else self.room


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Registration.Status.WAITLISTED)

    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        WAITLISTED = "waitlisted", _("候补中")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        constraints = [
            # One active registration per person and event; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["event", "user"], condition=~Q(status="cancelled"), name="registration_one_active"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "id"], name="registration_event_status"),
            # The API's registration pages walk an event's registrations in sign-up order.
            models.Index(fields=["event", "created_at", "id"], name="registration_event_created"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.event}"


class EventTeamMember(models.Model):
    """An organizer's rights on one event: edit it (and see its registrations) and/or scan tickets."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_teams")
    can_edit = models.BooleanField(_("可编辑"), default=True)
    can_scan = models.BooleanField(_("可扫码签到"), default=True)

    class Meta:
        verbose_name = _("活动团队成员")
        verbose_name_plural = _("活动团队成员")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="team_member_unique")]


class CalendarFeed(models.Model):
    """A person's secret calendar subscription URL. Revoking replaces the token, so the old URL
    stops working at once (404) and only the new one shows the person's programme."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")


from .questions.models import Answer, Question  # noqa: E402,F401  (models of this app, in their own module)
from .speakers.models import Room, SessionSpeaker, Speaker  # noqa: E402,F401
