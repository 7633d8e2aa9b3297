"""Speakers, rooms, and which speakers a session has."""

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Speaker(models.Model):
    name = models.CharField(_("姓名"), max_length=80)
    title = models.CharField(_("职称/头衔"), max_length=40, blank=True, help_text=_("例如：院士、教授、研究员"))
    organisation = models.CharField(_("单位"), max_length=120, blank=True)
    # Always a PNG re-encoded by accounts.services.image_png_checked, never the upload itself.
    photo = models.ImageField(_("照片"), upload_to="speakers/%Y/%m/", blank=True)
    bio_zh = models.TextField(_("简介（中文）"), blank=True)
    bio_en = models.TextField(_("简介（英文）"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("嘉宾")
        verbose_name_plural = _("嘉宾")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name}{self.title and ' ' + self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("events:speaker", args=[self.pk])

    @property
    def display_name(self) -> str:
        """ "王海 教授"; "王教授" stays as it is (old free text had the title in the name)."""
        if not self.title or self.name.endswith(self.title):
            return self.name
        return f"{self.name} {self.title}"

    @property
    def bio(self) -> str:
        """The bio in the page's language, the other one when it is missing."""
        english = (get_language() or "").startswith("en")
        return (self.bio_en or self.bio_zh) if english else (self.bio_zh or self.bio_en)


class Room(models.Model):
    venue = models.CharField(_("场馆"), max_length=160)
    name = models.CharField(_("会议室"), max_length=80)
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议室")
        verbose_name_plural = _("会议室")
        ordering = ["venue", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="room_unique_in_venue")]

    def __str__(self):
        return f"{self.venue} · {self.name}" if self.venue else self.name


class SessionSpeaker(models.Model):
    session = models.ForeignKey("events.Session", on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "speaker"], name="session_speaker_unique")]
