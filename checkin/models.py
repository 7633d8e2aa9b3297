"""Tickets, signing keys, check-in lists, scanner devices, check-ins and the scan log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An event's Ed25519 key pair. The id is the key id in ticket codes.

    The private key is stored encrypted with a key derived from SECRET_KEY (checkin.keys) and
    never leaves the server; scanners get only `public_key`. Rotation adds a new key that signs
    from then on; the old one keeps verifying codes already sent until it is retired.
    """

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="signing_keys")
    public_key = models.BinaryField(max_length=32)
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["event", "-created_at", "-id"]

    def __str__(self):
        return f"key {self.pk} of event {self.event_id}"

    def is_active(self, now=None) -> bool:
        return self.retired_at is None or self.retired_at > (now or timezone.now())


class Ticket(models.Model):
    """One per confirmed registration (the OneToOne is the DB constraint). Revoked whenever the
    registration is no longer confirmed: derived from its status, never stored twice."""

    registration = models.OneToOneField("events.Registration", on_delete=models.CASCADE, related_name="ticket")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="tickets")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("电子票")
        verbose_name_plural = _("电子票")

    def __str__(self):
        return f"ticket {self.pk}"

    @property
    def is_revoked(self) -> bool:
        return self.registration.status != "confirmed"


class CheckinList(models.Model):
    """What a scan counts towards: the whole event (session empty) or one session."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="checkin_lists")
    session = models.ForeignKey(
        "events.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="checkin_lists"
    )
    name = models.CharField(_("名称"), max_length=80)
    opens_minutes_before = models.PositiveIntegerField(_("提前开放（分钟）"), default=120)
    allow_reentry = models.BooleanField(_("允许再次入场"), default=False)
    # A rehearsal opens scanning now, whatever the regular window says, until this time (issue 17:
    # a team tries its phones days before the event). Check-ins made before the regular opening
    # are removed when the rehearsal ends (checkin_rehearsal_end).
    rehearsal_until = models.DateTimeField(_("彩排签到截止"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("签到名单")
        verbose_name_plural = _("签到名单")
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(session__isnull=True), name="checkin_list_one_whole_event"
            ),
            models.UniqueConstraint(
                fields=["session"], condition=Q(session__isnull=False), name="checkin_list_one_per_session"
            ),
        ]

    def __str__(self):
        return self.name

    def window(self):
        """(opens, closes) of scanning for this list."""
        from datetime import timedelta

        start, end = (
            (self.session.starts_at, self.session.ends_at)
            if self.session_id
            else (self.event.starts_at, self.event.ends_at)
        )
        return start - timedelta(minutes=self.opens_minutes_before), end


class ScannerDevice(models.Model):
    """A phone or handheld paired by an organizer; its token works only for `events`."""

    name = models.CharField(_("设备名称"), max_length=80)
    events = models.ManyToManyField("events.Event", related_name="scanner_devices")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    pairing_code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    pairing_expires_at = models.DateTimeField(null=True, blank=True)
    paired_at = models.DateTimeField(_("配对时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("扫码设备")
        verbose_name_plural = _("扫码设备")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Checkin(models.Model):
    """The check-in of a ticket on a list: at most one (the constraint), the earliest scan."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checkins")
    checkin_list = models.ForeignKey(CheckinList, on_delete=models.CASCADE, related_name="checkins")
    scanned_at = models.DateTimeField(_("扫码时间"))
    gate = models.CharField(_("入口"), max_length=40, blank=True)
    device = models.ForeignKey(ScannerDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offline = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        constraints = [models.UniqueConstraint(fields=["ticket", "checkin_list"], name="checkin_one_per_list")]
        indexes = [models.Index(fields=["checkin_list", "scanned_at"], name="checkin_list_time")]


class Scan(models.Model):
    """Every scan that reached the server, with its answer. The nonce makes a retry return the
    first answer instead of scanning again; `flagged` marks a duplicate for the dashboard."""

    # "d<device id>:<nonce>" or "u<user id>:<nonce>": one scanner cannot replay another's nonce.
    nonce = models.CharField(max_length=100, unique=True)
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    checkin_list = models.ForeignKey(CheckinList, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="scans")
    result = models.CharField(max_length=24)
    gate = models.CharField(max_length=40, blank=True)
    scanned_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    offline = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False)
    device = models.ForeignKey(ScannerDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("扫码日志")
        verbose_name_plural = _("扫码日志")
        indexes = [models.Index(fields=["event", "-received_at"], name="scan_event_recent")]
