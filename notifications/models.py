"""What was told to whom: in-app notifications, their e-mail state, preferences, announcements,
and the reminders already sent. Other apps' objects are referred to by plain ids
(`target` = "event:42"), never by foreign key: notifications imports no other app (DESIGN §2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Announcement(models.Model):
    """An organizer's message to a segment of an event's people (registered, checked in, waitlisted)."""

    target = models.CharField(_("对象"), max_length=64, db_index=True)  # "event:42"
    segment = models.CharField(_("发送对象"), max_length=32)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("内容"), max_length=2000)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    emails_queued = models.PositiveIntegerField(_("邮件数"), default=0)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.body[:40]


class Notification(models.Model):
    """One message to one person, rendered once in their language when it was created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=64)
    context = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    target = models.CharField(max_length=64, blank=True)  # "event:42": what it is about, for the event page
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["user", "target", "kind"], name="notification_target"),
        ]

    def __str__(self):
        return self.title


class EmailDelivery(models.Model):
    """The e-mail of one notification. The task claims it with an atomic status change, so a
    retry or a duplicate task after a successful send finds it `sent` and does nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("未发送")  # deliberately not e-mailed (the demo's invented people)

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("邮件发送记录")
        verbose_name_plural = _("邮件发送记录")


class Preference(models.Model):
    """A person's choice for one kind; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_unique")]


class ReminderSent(models.Model):
    """A reminder that went out. The unique constraint is what makes the periodic task send each
    reminder once, across runs, restarts and two beat processes racing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)  # "event:42", "session:7"
    offset = models.CharField(max_length=8)  # "24h", "2h"
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("已发送提醒")
        verbose_name_plural = _("已发送提醒")
        constraints = [models.UniqueConstraint(fields=["user", "key", "offset"], name="reminder_once")]


class OutboxMessage(models.Model):
    """Something that must leave the system (a notice to write, a mail to send), written in the
    same transaction as the change that causes it. notifications/outbox.py hands it to Celery
    after commit and again until it is done, so a lost task, a restarted Redis or a killed worker
    delays it but never loses it; its delivery runs under a row lock in one transaction with the
    `done` mark, so it happens once."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("通知")
        MAIL = "mail", _("邮件")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DONE = "done", _("已完成")
        FAILED = "failed", _("发送失败")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Emptied once done: it may carry an e-mail address or a name (personal data, erasure).
    payload = models.JSONField(default=dict, blank=True)
    # A mail to someone who may have no account (an invitation): erasure finds pending ones by it.
    email = models.EmailField(blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)  # not handed out again before this
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [models.Index(fields=["available_at"], condition=Q(status="pending"), name="outbox_pending")]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.status}"
