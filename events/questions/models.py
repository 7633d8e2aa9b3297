"""Questions of an event's registration form and people's answers."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CandidateKind
from accounts.validators import validate_cv

# Audience of a question, read from CandidateProfile.kind.
AUDIENCE_KINDS = {
    "phd": {CandidateKind.PHD_CANDIDATE, CandidateKind.PHD},
    "postdoc": {CandidateKind.POSTDOC, CandidateKind.POSTDOC_ALUMNI},
}


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("单行文字")
        LONG_TEXT = "long_text", _("多行文字")
        ONE_CHOICE = "one_choice", _("单选")
        MANY_CHOICES = "many_choices", _("多选")
        YES_NO = "yes_no", _("是/否")
        NUMBER = "number", _("数字")
        DATE = "date", _("日期")
        FILE = "file", _("文件（PDF）")
        CONSENT = "consent", _("同意条款")

    class Audience(models.TextChoices):
        ALL = "all", _("所有报名者")
        PHD = "phd", _("仅博士（含在读）")
        POSTDOC = "postdoc", _("仅博士后（含出站）")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("题型"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("问题"), max_length=200)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    required = models.BooleanField(_("必答"), default=False)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    consent_text = models.TextField(_("条款内容"), blank=True)
    audience = models.CharField(_("适用对象"), max_length=8, choices=Audience.choices, default=Audience.ALL)
    position = models.PositiveIntegerField(_("排序"), default=0)
    hidden = models.BooleanField(_("已隐藏"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("报名问题")
        verbose_name_plural = _("报名问题")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["event", "position"], name="question_event_position")]

    def __str__(self):
        return self.label

    def applies_to(self, kind: str | None) -> bool:
        if self.audience == self.Audience.ALL:
            return True
        return kind in AUDIENCE_KINDS.get(self.audience, set())


class Answer(models.Model):
    """One person's answer to one question. `value` is the typed answer (JSON); `text` the same
    as people read it, for the console list, its filter and the exports."""

    registration = models.ForeignKey("events.Registration", on_delete=models.CASCADE, related_name="answers")
    # RESTRICT: a question that has answers can be hidden, never deleted on its own (the ORM
    # refuses even outside the service); deleting the whole event still takes both with it.
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    text = models.TextField(blank=True)
    # Under cv/ like CVs: never served as plain media, only through the organizer's download.
    file = models.FileField(upload_to="cv/answers/%Y/%m/", blank=True, validators=[validate_cv])
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("报名回答")
        verbose_name_plural = _("报名回答")
        constraints = [models.UniqueConstraint(fields=["registration", "question"], name="answer_unique")]
        indexes = [models.Index(fields=["question", "registration"], name="answer_question")]
