"""Organizer console forms.

Times are typed into datetime-local inputs as Beijing time (Asia/Shanghai) whatever the
active time zone, stored in UTC, and shown back in Beijing time.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CandidateKind
from config.inputs import int_param

from .models import Action, Event, Series, Session

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ShanghaiDateTimeField(forms.DateTimeField):
    """A datetime-local input read and shown as Beijing time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "input_formats", [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(SHANGHAI)
        return value

    def to_python(self, value):
        with timezone.override(SHANGHAI):
            return super().to_python(value)


class SeriesForm(forms.ModelForm):
    class Meta:
        model = Series
        fields = ["title", "slug", "year", "target_postdocs", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"slug": _("用于网址，只能包含字母、数字、连字符，例如 ten-actions-2025。")}


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["number", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].min_value = 1
        self.fields["number"].widget.attrs["min"] = 1


class BaseActionFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        return _("行动序号不能重复。")


def action_formset(*, extra: int):
    return inlineformset_factory(
        Series, Action, form=ActionForm, formset=BaseActionFormSet, extra=extra, can_delete=True
    )


class ActionSelect(forms.Select):
    """Options carry their series id, so console.js can hide other series' actions."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-series"] = instance.series_id
        return option


class EventForm(forms.ModelForm):
    eligibility = forms.MultipleChoiceField(
        label=_("报名对象"),
        choices=CandidateKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选表示所有候选人均可报名。"),
    )
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100000)

    class Meta:
        model = Event
        fields = [
            "series",
            "action",
            "kind",
            "title",
            "summary",
            "description",
            "mode",
            "city",
            "venue",
            "address",
            "online_url",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "waitlist_enabled",
            "eligibility",
        ]
        field_classes = {
            "starts_at": ShanghaiDateTimeField,
            "ends_at": ShanghaiDateTimeField,
            "registration_opens_at": ShanghaiDateTimeField,
            "registration_closes_at": ShanghaiDateTimeField,
        }
        widgets = {
            "action": ActionSelect,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.select_related("series").order_by("series", "number")
        self.fields["action"].help_text = _("只列出所选系列活动的行动。")
        self.fields["registration_opens_at"].help_text = _("留空表示发布后即可报名。")
        self.fields["registration_closes_at"].help_text = _("留空表示活动开始时截止。")
        series = self._series_id()
        if series:
            self.fields["action"].queryset = self.fields["action"].queryset.filter(series_id=series)

    def _series_id(self):
        if self.is_bound:
            value = self.data.get(self.add_prefix("series"), "")
            return int_param(value)  # "²".isdigit() is True, int("²") fails
        return self.instance.series_id or self.initial.get("series")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        mode = data.get("mode")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
        if closes and ends and closes >= ends:
            self.add_error("registration_closes_at", _("报名截止时间必须早于活动结束时间。"))
        # Without a closing time registration closes when the event starts.
        if opens and (closes or starts) and opens >= (closes or starts):
            self.add_error("registration_opens_at", _("报名开始时间必须早于报名截止时间。"))
        if mode in (Event.Mode.ONLINE, Event.Mode.HYBRID) and not data.get("online_url"):
            self.add_error("online_url", _("线上或线上+线下活动需要填写线上链接。"))
        if mode in (Event.Mode.OFFLINE, Event.Mode.HYBRID) and not data.get("venue"):
            self.add_error("venue", _("线下或线上+线下活动需要填写场馆。"))
        action, series = data.get("action"), data.get("series")
        if action and series and action.series_id != series.pk:
            self.add_error("action", _("所选行动不属于该系列活动。"))
        return data


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["title", "presenters", "place", "speakers", "room", "starts_at", "ends_at", "description"]
        field_classes = {"starts_at": ShanghaiDateTimeField, "ends_at": ShanghaiDateTimeField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "presenters": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {"speakers": _("没有嘉宾资料时显示这里的文字。"), "room": _("没有选择会议室时显示这里的文字。")}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["speakers"].label = _("主讲/嘉宾（文字）")
        self.fields["room"].label = _("地点/会议室（文字）")
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("starts_at", event.starts_at)
            self.initial.setdefault("ends_at", event.ends_at)

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
    can_edit = forms.BooleanField(
        label=_("可编辑"), required=False, initial=True, help_text=_("可修改活动、查看和管理报名名单。")
    )
    can_scan = forms.BooleanField(label=_("可扫码签到"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        if not (data.get("can_edit") or data.get("can_scan")):
            raise forms.ValidationError(_("请至少勾选一项权限。"), code="no_rights")
        return data


class RegistrationFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("全部")),
        ("confirmed", _("已确认")),
        ("waitlisted", _("候补中")),
        ("cancelled", _("已取消")),
    ]

    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、邮箱或单位"), "type": "search"}),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if questions:  # filter by answer: only events with registration questions show it
            self.fields["question"] = forms.ChoiceField(
                label=_("按回答筛选"),
                required=False,
                choices=[("", _("选择问题")), *[(str(q.pk), q.label) for q in questions]],
            )
            self.fields["answer"] = forms.CharField(
                label=_("回答包含"),
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("回答内容")}),
            )
