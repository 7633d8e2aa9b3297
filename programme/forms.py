"""Forms of the programme's pages (thin: the rules are in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from events.models import Event

from .models import CANDIDATE_KINDS, COMPANY_KINDS, Metric, OutcomeKind, Target


class OwnOutcomeForm(forms.Form):
    """A candidate reports their own outcome."""

    kind = forms.ChoiceField(label=_("类型"), choices=[(k.value, k.label) for k in CANDIDATE_KINDS])
    company = forms.ModelChoiceField(
        label=_("单位（设站单位/用人单位）"),
        required=False,
        queryset=Company.objects.filter(status=Company.Status.VERIFIED).order_by("name"),
    )
    happened_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate()


class CompanyOutcomeForm(forms.Form):
    """A company reports an offer or a hire for someone who visited its booth."""

    kind = forms.ChoiceField(label=_("类型"), choices=[(k.value, k.label) for k in COMPANY_KINDS])
    candidate = forms.ModelChoiceField(label=_("候选人"), queryset=None)
    happened_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("岗位/说明"), max_length=300, required=False)

    def __init__(self, *args, visitors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = visitors
        self.fields["candidate"].label_from_instance = lambda user: user.display_name
        self.fields["happened_on"].initial = timezone.localdate()


class TargetForm(forms.Form):
    title = forms.CharField(label=_("目标名称"), max_length=80)
    metric = forms.ChoiceField(label=_("统计口径"), choices=Metric.choices)
    param = forms.ChoiceField(
        label=_("口径参数"),
        required=False,
        choices=[
            # Lazy, so each request shows them in its own language (an f-string froze the language
            # of whoever imported the module first).
            ("", "—"),
            *[(k, format_lazy("{}: {}", _("活动"), label)) for k, label in Event.Kind.choices],
            *[(k, format_lazy("{}: {}", _("成果"), label)) for k, label in OutcomeKind.choices],
        ],
    )
    goal = forms.IntegerField(label=_("目标值"), min_value=1, max_value=10_000_000)
    manual_value = forms.IntegerField(label=_("手工填报值"), min_value=0, required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=160)
    company = forms.ModelChoiceField(
        label=_("签约单位"),
        required=False,
        queryset=Company.objects.filter(status=Company.Status.VERIFIED).order_by("name"),
    )
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount_wan = forms.DecimalField(label=_("合同金额（万元）"), required=False, max_digits=10, decimal_places=2)
    summary = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


__all__ = ["CompanyOutcomeForm", "OwnOutcomeForm", "ProjectForm", "Target", "TargetForm"]
