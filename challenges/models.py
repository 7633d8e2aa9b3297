"""The enterprise challenge list (揭榜领题): a company's technical problem, reviewed by the series'
organizers and published; candidates follow it and apply (揭榜) as a team; the company shortlists,
invites to present and selects winners, each selection becoming a `projects.Project`.

Files (attachments, proposals) live in private storage and are only ever served through views
that check who is asking (see storage.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.disciplines import DISCIPLINES

from .storage import private_storage, private_upload_to


class District(models.TextChoices):
    # Qingdao's seven districts and three county-level cities.
    SHINAN = "shinan", _("市南区")
    SHIBEI = "shibei", _("市北区")
    LICANG = "licang", _("李沧区")
    LAOSHAN = "laoshan", _("崂山区")
    XIHAIAN = "xihaian", _("西海岸新区")
    CHENGYANG = "chengyang", _("城阳区")
    JIMO = "jimo", _("即墨区")
    JIAOZHOU = "jiaozhou", _("胶州市")
    PINGDU = "pingdu", _("平度市")
    LAIXI = "laixi", _("莱西市")


_DISCIPLINE_LABELS = dict(DISCIPLINES)
_DISTRICT_LABELS = dict(District.choices)


def discipline_label(code: str) -> str:
    return str(_DISCIPLINE_LABELS.get(code, code))


def district_label(code: str) -> str:
    return str(_DISTRICT_LABELS.get(code, code))


class ChallengeQuerySet(models.QuerySet):
    def listed(self):
        """What the public list shows: published challenges (open or past their deadline)."""
        return self.filter(status__in=[Challenge.Status.PUBLISHED, Challenge.Status.CLOSED])

    def open(self, now=None):
        return self.filter(status=Challenge.Status.PUBLISHED, deadline__gt=now or timezone.now())


class Challenge(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过待发布")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已结束")

    series = models.ForeignKey(
        "events.Series", on_delete=models.PROTECT, related_name="challenges", verbose_name=_("系列活动")
    )
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="challenges", verbose_name=_("发榜单位")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("榜单名称"), max_length=160)
    discipline = models.CharField(_("一级学科"), max_length=4, choices=DISCIPLINES)
    district = models.CharField(_("所在区市"), max_length=16, choices=District.choices)
    keywords = models.CharField(
        _("关键词"), max_length=200, blank=True, help_text=_("用逗号或空格分隔，用于检索和推荐。")
    )
    summary = models.TextField(_("公开摘要"), max_length=1000)
    problem = models.TextField(_("技术难题"), max_length=8000)
    outcome = models.TextField(_("预期成果"), max_length=4000)
    acceptance = models.TextField(_("验收标准"), max_length=4000)
    details_confidential = models.BooleanField(
        _("详情保密"), default=False, help_text=_("勾选后，难题详情和附件仅对签署保密声明的已登录候选人可见。")
    )
    # 万元, as companies state budgets.
    budget_min_wan = models.DecimalField(_("预算下限（万元）"), max_digits=9, decimal_places=2)
    budget_max_wan = models.DecimalField(_("预算上限（万元）"), max_digits=9, decimal_places=2)
    winners_max = models.PositiveSmallIntegerField(
        _("拟揭榜团队数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # Kept by the selection service under the challenge's row lock; the check constraint is the backstop.
    winners_count = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateTimeField(_("揭榜截止时间"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # jieba's words of the public fields, space-separated with a space at each end: written on every
    # save by the services, so a search never segments stored text (PostgreSQL indexes it, GIN).
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业难题")
        verbose_name_plural = _("企业难题")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="challenge_status_deadline"),
            models.Index(fields=["status", "-published_at"], name="challenge_status_published"),
            models.Index(fields=["discipline", "status"], name="challenge_discipline"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(winners_count__lte=F("winners_max")), name="challenge_winners_cap"),
            models.CheckConstraint(
                condition=Q(budget_min_wan__gte=0) & Q(budget_min_wan__lte=F("budget_max_wan")),
                name="challenge_budget_range",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("challenges:detail", args=[self.pk])

    # get_discipline_display() hashes every one of the ~110 lazy labels on each call (Django's
    # make_hashable over the choices): a list of 20 cards spent most of its time there.
    @property
    def discipline_label(self) -> str:
        return discipline_label(self.discipline)

    @property
    def district_label(self) -> str:
        return district_label(self.district)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.deadline > timezone.now()

    @property
    def is_listed(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.CLOSED)


class ChallengeAttachment(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=private_upload_to, max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("难题附件")
        verbose_name_plural = _("难题附件")
        ordering = ["id"]

    def __str__(self):
        return self.name


class ConfidentialityAcceptance(models.Model):
    """A candidate accepted the confidentiality statement of one challenge: recorded once, with when."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    statement = models.TextField()  # the text as shown, so a later wording change does not rewrite history

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="challenge_nda_once")]


class Follow(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="challenge_follow_once")]


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已揭榜")
        SHORTLISTED = "shortlisted", _("入围")
        SELECTED = "selected", _("揭榜成功")
        NOT_SELECTED = "not_selected", _("未入选")
        WITHDRAWN = "withdrawn", _("已撤回")

    ACTIVE = (Status.SUBMITTED, Status.SHORTLISTED)

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="applications")
    # Always a team: applying alone is a team of one, so "one per team and challenge" is one rule.
    team = models.ForeignKey("projects.Team", on_delete=models.CASCADE, related_name="challenge_applications")
    solo = models.BooleanField(_("个人揭榜"), default=False)
    proposal = models.TextField(_("解决方案"), max_length=8000)
    approach = models.TextField(_("技术路线"), max_length=4000)
    timeline = models.TextField(_("进度安排"), max_length=2000)
    price_wan = models.DecimalField(_("报价（万元）"), max_digits=9, decimal_places=2)
    proposal_pdf = models.FileField(
        _("方案 PDF"), storage=private_storage, upload_to=private_upload_to, max_length=200, blank=True
    )
    share_cv = models.BooleanField(_("向发榜单位展示负责人简历"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    presentation_at = models.DateTimeField(_("路演时间"), null=True, blank=True)
    presentation_place = models.CharField(_("路演地点"), max_length=200, blank=True)
    presentation_note = models.CharField(_("邀请说明"), max_length=500, blank=True)
    project = models.OneToOneField(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="challenge_application"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("揭榜申请")
        verbose_name_plural = _("揭榜申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "team"], name="application_one_per_team"),
        ]
        indexes = [models.Index(fields=["challenge", "status"], name="application_challenge_status")]

    def __str__(self):
        return f"{self.team} → {self.challenge}"

    def get_absolute_url(self):
        return reverse("challenges:application", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
