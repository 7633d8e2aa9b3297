"""A recruitment fair's floor: halls, booths, bookings by companies, positions and booth visits.

A fair is an `events.Event` (kind "fair"); its booking rules live in `Fair`, one-to-one with it.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.disciplines import DISCIPLINES
from accounts.models import Company
from events.models import Event

SALARY_WAN_MAX = 500  # 万元 a year: 5 million yuan, above any post a fair lists


def salary_wan_validate(value) -> None:
    """A yearly salary in 万元: from 1 to SALARY_WAN_MAX (a figure in yuan is refused, with the unit)."""
    if value is not None and not 1 <= value <= SALARY_WAN_MAX:
        raise ValidationError(
            _("年薪以万元为单位，请填写 1 到 %(max)d 之间的数，如 30 表示 30 万元。"),
            code="salary_range",
            params={"max": SALARY_WAN_MAX},
        )


ACTIVE_BOOKING = ("requested", "approved")


def map_version_start() -> int:
    """A new fair's first map version: random, so that a map cached for a fair that had the same
    id before (a database reset, a test database) can never pass for this fair's."""
    return secrets.randbits(40)


class Fair(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="fair")
    approval_required = models.BooleanField(
        _("预订需主办方审核"), default=True, help_text=_("不勾选则单位选中展位即预订成功。")
    )
    booths_per_company = models.PositiveSmallIntegerField(_("每家单位最多展位数"), default=1)
    booking_open = models.BooleanField(_("开放展位预订"), default=True)
    booking_closes_at = models.DateTimeField(_("展位预订截止"), null=True, blank=True)
    # Raised on commit of every change to the map (services/effects.map_version_bump). The map
    # readers fetch this row anyway, so it tells them for free whether their cached map is
    # current, without asking Redis on every request.
    map_version = models.PositiveBigIntegerField(default=map_version_start, editable=False)

    class Meta:
        verbose_name = _("招聘会设置")
        verbose_name_plural = _("招聘会设置")

    def __str__(self):
        return str(self.event)

    def booking_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.booking_open or self.event.status != Event.Status.PUBLISHED:
            return False
        closes = self.booking_closes_at or self.event.starts_at
        return now < closes


class Hall(models.Model):
    """One floor of a fair: a grid of `columns` × `rows` cells, optionally over a floor image."""

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="halls")
    name = models.CharField(_("展厅名称"), max_length=60)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    columns = models.PositiveSmallIntegerField(_("宽（格）"), default=24)
    rows = models.PositiveSmallIntegerField(_("高（格）"), default=16)
    image = models.ImageField(_("平面图"), upload_to="floorplans/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("展厅")
        verbose_name_plural = _("展厅")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class Booth(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="booths")
    code = models.CharField(_("展位号"), max_length=12)
    x = models.PositiveSmallIntegerField(default=0)
    y = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveSmallIntegerField(_("宽（格）"), default=2)
    height = models.PositiveSmallIntegerField(_("深（格）"), default=2)
    size = models.PositiveSmallIntegerField(_("面积（平方米）"), default=9)
    zone = models.CharField(_("分区"), max_length=40, blank=True)
    is_closed = models.BooleanField(_("关闭"), default=False)
    # Raised under the booth's row lock on every change: a live page drops older pushes.
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("展位")
        verbose_name_plural = _("展位")
        ordering = ["hall", "code"]
        constraints = [models.UniqueConstraint(fields=["hall", "code"], name="booth_code_unique")]

    def __str__(self):
        return self.code


class BoothBooking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审核")
        APPROVED = "approved", _("已确认")
        REJECTED = "rejected", _("未通过")
        CANCELLED = "cancelled", _("已取消")

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="bookings")
    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="bookings")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="booth_bookings")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("展位预订")
        verbose_name_plural = _("展位预订")
        ordering = ["created_at", "id"]
        constraints = [
            # A booth is held (requested) or booked (approved) by at most one company at a time;
            # rejected and cancelled bookings stay as history.
            models.UniqueConstraint(
                fields=["booth"], condition=Q(status__in=ACTIVE_BOOKING), name="booking_one_active_per_booth"
            ),
        ]
        indexes = [models.Index(fields=["fair", "company", "status"], name="booking_fair_company")]

    def __str__(self):
        return f"{self.company} @ {self.booth}"


class Position(models.Model):
    """A postdoc position or R&D job; shown at the fairs where its company has a booth."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(_("岗位名称"), max_length=120)
    discipline = models.CharField(_("学科"), max_length=4, choices=DISCIPLINES)
    headcount = models.PositiveSmallIntegerField(_("招聘人数"), default=1)
    # In 万元 a year: a postdoc's or an R&D post's pay is tens of 万元; 300000 in this field means
    # someone typed yuan, and would be published as "300000 万元/年" (issue 17).
    salary_min = models.PositiveIntegerField(
        _("年薪下限（万元）"), null=True, blank=True, validators=[salary_wan_validate]
    )
    salary_max = models.PositiveIntegerField(
        _("年薪上限（万元）"), null=True, blank=True, validators=[salary_wan_validate]
    )
    location = models.CharField(_("工作地点"), max_length=80, default="青岛")
    requirements = models.TextField(_("岗位要求"), blank=True)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    fairs = models.ManyToManyField(Fair, blank=True, related_name="positions", verbose_name=_("参加的招聘会"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_max__gte=models.F("salary_min")),
                name="position_salary_range",
            ),
        ]

    def __str__(self):
        return self.title


class ShortlistEntry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fair_shortlist")
    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("关注的单位")
        verbose_name_plural = _("关注的单位")
        constraints = [models.UniqueConstraint(fields=["user", "fair", "company"], name="shortlist_unique")]


class BoothVisit(models.Model):
    """A candidate whose ticket a company's staff scanned at the booth (lead retrieval).

    The company sees who it was only while `shared` is true (the candidate's consent at the scan,
    withdrawable later); otherwise the visit only adds to an anonymous count.
    """

    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="visits")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="booth_visits")
    booth = models.ForeignKey(Booth, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booth_visits")
    ticket_id = models.PositiveBigIntegerField(null=True, blank=True)
    shared = models.BooleanField(_("同意展示资料"), default=False)
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    first_seen_at = models.DateTimeField(_("到访时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近扫码"), default=timezone.now)
    scans = models.PositiveSmallIntegerField(default=1)
    note = models.TextField(_("备注"), blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)

    class Meta:
        verbose_name = _("展位到访")
        verbose_name_plural = _("展位到访")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "company", "visitor"], name="visit_unique"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="visit_rating_range"
            ),
        ]
