"""Personal access tokens of the open API.

Only a SHA-256 of the token is stored: the token is shown once, when it is made, and a leaked
database does not hand out working tokens. A token is one organizer's, for one event, read-only
or read-write; what it may do is also capped, on every request, by what its owner may still do
on that event (a person taken off the team loses their tokens' reach at once).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("活动")
    )
    name = models.CharField(_("名称"), max_length=80)
    access = models.CharField(_("权限"), max_length=8, choices=Access.choices, default=Access.READ)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, shown in the console so people can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE
