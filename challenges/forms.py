"""Forms of challenges: the public filters, the company's challenge form, the application form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.disciplines import DISCIPLINES

from .models import Application, Challenge, District

BUDGETS = [
    ("", _("全部预算")),
    ("lt50", _("50 万元以下")),
    ("50-200", _("50–200 万元")),
    ("200-500", _("200–500 万元")),
    ("gt500", _("500 万元以上")),
]
DEADLINES = [("", _("揭榜中")), ("7", _("7 天内截止")), ("30", _("30 天内截止")), ("all", _("全部（含已截止）"))]


class ConstantChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are module constants, shared by every form instance. Django
    deep-copies a field's choices into each new form in case the form changes its own; the
    filter form is built on every list request and copying its ~130 choices (the 110-odd
    disciplines) was about 2 ms of CPU. Nobody changes these choices after import."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class ChallengeFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("搜索难题，如：海洋、氢能、材料"), "type": "search"}),
    )
    discipline = ConstantChoiceField(label=_("学科"), required=False, choices=[("", _("全部学科"))] + list(DISCIPLINES))
    budget = ConstantChoiceField(label=_("预算"), required=False, choices=BUDGETS)
    deadline = ConstantChoiceField(label=_("截止时间"), required=False, choices=DEADLINES)
    district = ConstantChoiceField(
        label=_("区市"), required=False, choices=[("", _("全部区市"))] + list(District.choices)
    )
    company = forms.IntegerField(
        label=_("发榜单位"), required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )


class ChallengeForm(forms.ModelForm):
    deadline = forms.DateTimeField(
        label=_("揭榜截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    class Meta:
        model = Challenge
        fields = [
            "title",
            "discipline",
            "district",
            "keywords",
            "summary",
            "problem",
            "outcome",
            "acceptance",
            "details_confidential",
            "budget_min_wan",
            "budget_max_wan",
            "winners_max",
            "deadline",
        ]
        widgets = {
            key: forms.Textarea(attrs={"rows": rows})
            for key, rows in (("summary", 3), ("problem", 6), ("outcome", 4), ("acceptance", 4))
        }


class ApplicationForm(forms.ModelForm):
    team_name = forms.CharField(
        label=_("团队名称"),
        required=False,
        max_length=120,
        help_text=_("个人揭榜可留空；填写则组建新团队，提交后可邮件邀请成员。"),
    )
    file = forms.FileField(label=_("方案 PDF（可选）"), required=False)

    class Meta:
        model = Application
        fields = ["proposal", "approach", "timeline", "price_wan", "share_cv"]
        widgets = {
            "proposal": forms.Textarea(attrs={"rows": 6}),
            "approach": forms.Textarea(attrs={"rows": 4}),
            "timeline": forms.Textarea(attrs={"rows": 3}),
        }


class PresentForm(forms.Form):
    at = forms.DateTimeField(
        label=_("路演时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("地点"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class SelectForm(forms.Form):
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount_wan = forms.DecimalField(
        label=_("合同金额（万元）"), min_value=0, max_value=100000, decimal_places=2, max_digits=10
    )
