"""Organizer console forms. Times are entered in Asia/Shanghai (the active time zone)."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import CandidateKind

from .models import Action, Event, Series, Session

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SeriesForm(forms.ModelForm):
    class Meta:
        model = Series
        fields = ["title", "slug", "year", "target_postdocs", "description"]


ActionFormSet = inlineformset_factory(
    Series, Action, fields=["number", "title", "description"], extra=1, can_delete=True,
    widgets={"description": forms.Textarea(attrs={"rows": 2})},
)


class EventForm(forms.ModelForm):
    eligibility = forms.MultipleChoiceField(
        label=_("报名对象"), choices=[c for c in CandidateKind.choices if c[0] != CandidateKind.OTHER],
        widget=forms.CheckboxSelectMultiple, required=False, help_text=_("不选表示所有候选人均可报名。"),
    )

    class Meta:
        model = Event
        fields = [
            "series", "action", "kind", "title", "summary", "description", "mode", "city", "venue", "address",
            "online_url", "starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "capacity",
            "waitlist_enabled", "eligibility",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET,
            "registration_opens_at": DATETIME_WIDGET, "registration_closes_at": DATETIME_WIDGET,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.select_related("series")
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        mode = data.get("mode")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
        if opens and closes and opens >= closes:
            self.add_error("registration_closes_at", _("报名截止时间必须晚于报名开始时间。"))
        if closes and ends and closes > ends:
            self.add_error("registration_closes_at", _("报名截止时间不能晚于活动结束时间。"))
        if mode in (Event.Mode.ONLINE, Event.Mode.HYBRID) and not data.get("online_url"):
            self.add_error("online_url", _("线上或线上+线下活动需要填写线上链接。"))
        if mode in (Event.Mode.OFFLINE, Event.Mode.HYBRID) and not data.get("venue"):
            self.add_error("venue", _("线下活动需要填写场馆。"))
        action, series = data.get("action"), data.get("series")
        if action and series and action.series_id != series.pk:
            self.add_error("action", _("所选行动不属于该系列活动。"))
        if data.get("capacity") is not None and data["capacity"] < 1:
            self.add_error("capacity", _("名额至少为 1。"))
        return data


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["title", "speakers", "room", "starts_at", "ends_at", "description"]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET,
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
            elif starts < self.event.starts_at or ends > self.event.ends_at:
                self.add_error("starts_at", _("日程时间必须在活动时间之内。"))
        return data


class TeamMemberForm(forms.Form):
    email = forms.EmailField(label=_("主办方成员邮箱"))
    can_edit = forms.BooleanField(label=_("可编辑"), required=False, initial=True)
    can_scan = forms.BooleanField(label=_("可扫码签到"), required=False, initial=True)


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部")), ("confirmed", _("已确认")), ("waitlisted", _("候补中")), ("cancelled", _("已取消"))],
    )
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名、邮箱或单位")}))
