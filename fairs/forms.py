from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import grouped_discipline_choices

from .models import SALARY_WAN_MAX, Fair, Hall, Position


class PositionForm(forms.ModelForm):
    required_css_class = "required"
    fairs = forms.ModelMultipleChoiceField(
        label=_("在以下招聘会展示"),
        queryset=Fair.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只能选择贵单位已确认展位的招聘会。"),
    )

    class Meta:
        model = Position
        fields = [
            "title",
            "discipline",
            "headcount",
            "salary_min",
            "salary_max",
            "location",
            "requirements",
            "deadline",
        ]
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 4}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "headcount": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
            "salary_min": forms.NumberInput(attrs={"min": 1, "max": SALARY_WAN_MAX, "inputmode": "numeric"}),
            "salary_max": forms.NumberInput(attrs={"min": 1, "max": SALARY_WAN_MAX, "inputmode": "numeric"}),
        }

    def __init__(self, *args, fair_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discipline"].choices = grouped_discipline_choices()
        self.fields["fairs"].queryset = fair_choices if fair_choices is not None else Fair.objects.none()
        self.fields["fairs"].label_from_instance = lambda fair: fair.event.title
        self.fields["salary_min"].help_text = _("单位：万元/年，如 30。")
        if self.instance.pk:
            self.initial["fairs"] = list(self.instance.fairs.values_list("pk", flat=True))

    def clean(self):
        data = super().clean()
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and high < low:
            self.add_error("salary_max", _("年薪上限不能低于下限。"))
        return data


class FairSettingsForm(forms.ModelForm):
    class Meta:
        model = Fair
        fields = ["approval_required", "booths_per_company", "booking_open", "booking_closes_at"]
        widgets = {
            "booking_closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "booths_per_company": forms.NumberInput(attrs={"min": 1, "max": 20}),
        }

    def clean_booths_per_company(self):
        value = self.cleaned_data["booths_per_company"]
        if not 1 <= value <= 20:
            raise forms.ValidationError(_("请填写 1 到 20 之间的数。"))
        return value


class HallForm(forms.ModelForm):
    image = forms.FileField(
        label=_("平面图（可选）"),
        required=False,
        help_text=_("PNG、JPEG、GIF 或 WebP，不超过 8 MB。不上传则显示网格。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )

    class Meta:
        model = Hall
        fields = ["name", "columns", "rows"]
        widgets = {
            "columns": forms.NumberInput(attrs={"min": 4, "max": 120}),
            "rows": forms.NumberInput(attrs={"min": 4, "max": 120}),
        }


class VisitNoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.TypedChoiceField(
        label=_("评分"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(n, "★" * n) for n in range(1, 6)],
    )
