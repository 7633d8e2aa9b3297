"""Teams of candidates and the projects they sign.

A Team is the one way candidates work together: a challenge application (揭榜) and a
competition entry are both made by a team, led by one person, the others invited by e-mail.
A Project is what a selected application or an awarded entry becomes; the programme counts
projects toward the series' 1,000-projects target. The apps above point down to these rows
(an application's `project`, an entry's `project`); nothing here knows them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    name = models.CharField(_("团队名称"), max_length=120)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teams_led", verbose_name=_("负责人")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("团队")
        verbose_name_plural = _("团队")

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("已邀请")
        ACCEPTED = "accepted", _("已加入")
        DECLINED = "declined", _("已谢绝")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    # Empty while the invitee has not accepted: the invitation may go to someone without an account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="team_memberships"
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_lead = models.BooleanField(_("负责人"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.INVITED)
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["-is_lead", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=Q(is_lead=True), name="team_one_lead"),
            models.UniqueConstraint(fields=["team", "user"], condition=Q(user__isnull=False), name="team_member_once"),
            models.UniqueConstraint(fields=["team", "email"], condition=Q(status="invited"), name="team_invite_once"),
        ]

    def __str__(self):
        return f"{self.team}: {self.email or self.user_id}"


class Project(models.Model):
    class Source(models.TextChoices):
        CHALLENGE = "challenge", _("揭榜领题")
        COMPETITION = "competition", _("创新创业大赛")
        SELECTION = "selection", _("项目评选")
        MANUAL = "manual", _("手工录入")

    class Status(models.TextChoices):
        SIGNED = "signed", _("已签约")
        IN_PROGRESS = "in_progress", _("实施中")
        DELIVERED = "delivered", _("已交付")
        ACCEPTED = "accepted", _("已验收")
        TERMINATED = "terminated", _("已终止")

    series = models.ForeignKey(
        "events.Series", on_delete=models.PROTECT, related_name="projects", verbose_name=_("系列活动")
    )
    title = models.CharField(_("项目名称"), max_length=160)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, db_index=True)
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("签约单位"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects", verbose_name=_("团队")
    )
    signed_on = models.DateField(_("签约日期"))
    # 万元, as companies and the bureau state amounts; two decimals is 100 yuan.
    amount_wan = models.DecimalField(
        _("合同金额（万元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SIGNED, db_index=True)
    summary = models.TextField(_("简介"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["series", "signed_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("projects:detail", args=[self.pk])


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=160)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


class Mentor(models.Model):
    """Someone in the city's mentor pool (导师团队): technology, business model or financing."""

    class Expertise(models.TextChoices):
        TECHNOLOGY = "technology", _("技术")
        BUSINESS = "business", _("商业模式")
        FINANCE = "finance", _("投融资")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="mentor"
    )
    name = models.CharField(_("姓名"), max_length=80)
    organisation = models.CharField(_("单位"), max_length=120)
    title = models.CharField(_("职务/职称"), max_length=80, blank=True)
    expertise = models.CharField(_("方向"), max_length=16, choices=Expertise.choices)
    is_active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("导师")
        verbose_name_plural = _("导师")
        ordering = ["expertise", "name"]

    def __str__(self):
        return self.name


class ProjectMentor(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="mentorships")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("导师团队成员")
        verbose_name_plural = _("导师团队")
        constraints = [models.UniqueConstraint(fields=["project", "mentor"], name="project_mentor_once")]


class MentorSession(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="mentor_sessions")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("辅导日期"))
    minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    note = models.TextField(_("辅导记录"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("辅导记录")
        verbose_name_plural = _("辅导记录")
        ordering = ["-held_on", "-id"]
