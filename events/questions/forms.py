"""The answers form a candidate fills in, built from the event's questions.

Django's form fields do the checking, so every refusal comes with a translated message next
to its question; `answers()` turns the cleaned data into what the service writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.validators import validate_cv

from .models import Question

Kind = Question.Kind
TEXT_MAX = {Kind.SHORT_TEXT: 200, Kind.LONG_TEXT: 2000}
NUMBER_LIMIT = Decimal("1e12")


@dataclass
class AnswerInput:
    question: Question
    value: Any
    text: str
    file: UploadedFile | None = None
    keep_file: bool = False  # an edit that leaves an earlier upload in place


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise forms.ValidationError(_("内容包含无效字符。"), code="null_characters_not_allowed")


def field_for(question: Question, *, has_file: bool = False) -> forms.Field:
    common = {"label": question.label, "help_text": question.help_text, "required": question.required}
    kind = question.kind
    if kind in TEXT_MAX:
        widget = forms.Textarea(attrs={"rows": 4}) if kind == Kind.LONG_TEXT else forms.TextInput
        return forms.CharField(max_length=TEXT_MAX[kind], widget=widget, validators=[_no_nul], **common)
    if kind == Kind.ONE_CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in question.choices]], **common)
    if kind == Kind.MANY_CHOICES:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == Kind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("", "—"), ("yes", _("是")), ("no", _("否"))],
            coerce=lambda v: v == "yes",
            empty_value=None,
            **common,
        )
    if kind == Kind.NUMBER:
        return forms.DecimalField(
            max_digits=18, decimal_places=4, min_value=-NUMBER_LIMIT, max_value=NUMBER_LIMIT, **common
        )
    if kind == Kind.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), input_formats=["%Y-%m-%d"], **common
        )
    if kind == Kind.FILE:
        # An earlier upload satisfies "required" when answers are edited.
        common["required"] = question.required and not has_file
        return forms.FileField(
            validators=[validate_cv], widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}), **common
        )
    if kind == Kind.CONSENT:
        common["label"] = question.consent_text or question.label
        common["help_text"] = question.help_text
        return forms.BooleanField(**common)
    raise ValueError(f"unknown question kind {kind}")


def _text(question: Question, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if question.kind == Kind.MANY_CHOICES:
        return "、".join(value)
    if question.kind in (Kind.YES_NO, Kind.CONSENT):
        return _("是") if value else _("否")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize())
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral() else float(normal)
    return value


class AnswersForm(forms.Form):
    """One field per question, named q<id>; `initial` from earlier answers when editing."""

    prefix = "answers"

    def __init__(self, questions: list[Question], *args, existing: dict[int, Any] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        existing = existing or {}
        for question in questions:
            answer = existing.get(question.pk)
            name = f"q{question.pk}"
            self.fields[name] = field_for(question, has_file=bool(answer and answer.file))
            if answer is not None and question.kind != Kind.FILE:
                value = answer.value
                if question.kind == Kind.YES_NO and value is not None:
                    value = "yes" if value else "no"
                self.initial[name] = value
        self.existing = existing
        self.label_suffix = ""

    def answers(self) -> list[AnswerInput]:
        """What the service writes; call after is_valid()."""
        result = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == Kind.FILE:
                earlier = self.existing.get(question.pk)
                if value:
                    result.append(AnswerInput(question, value.name, value.name, file=value))
                elif earlier is not None and earlier.file and value is not False:
                    result.append(AnswerInput(question, earlier.value, earlier.text, keep_file=True))
                else:
                    result.append(AnswerInput(question, None, ""))
                continue
            result.append(AnswerInput(question, _json(value), _text(question, value)))
        return result


class QuestionForm(forms.ModelForm):
    """The organizer's form for one question; options one per line."""

    choices_text = forms.CharField(
        label=gettext_lazy("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("单选、多选题每行一个选项。"),
    )

    class Meta:
        model = Question
        fields = ["kind", "label", "help_text", "required", "audience", "consent_text"]
        widgets = {"consent_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])
        for field in self.fields.values():
            field.validators.append(_no_nul)

    def clean(self):
        data = super().clean()
        options = [line.strip() for line in (data.get("choices_text") or "").splitlines() if line.strip()]
        kind = data.get("kind")
        if kind in (Kind.ONE_CHOICE, Kind.MANY_CHOICES):
            if len(options) < 2:
                self.add_error("choices_text", _("单选、多选题至少需要两个选项。"))
            if len(set(options)) != len(options):
                self.add_error("choices_text", _("选项不能重复。"))
            if any(len(o) > 100 for o in options) or len(options) > 50:
                self.add_error("choices_text", _("最多 50 个选项，每个不超过 100 个字符。"))
        else:
            options = []
        if kind == Kind.CONSENT and not (data.get("consent_text") or "").strip():
            self.add_error("consent_text", _("同意条款题需要填写条款内容。"))
        data["choices"] = options
        return data
