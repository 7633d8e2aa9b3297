"""Filters of the programme home.

A value the form cannot read (unknown kind, month 13, a NUL byte) makes that one field
invalid, and django-filter then leaves the field out, so bad input narrows nothing and is
never a 500. The view shows the form's errors next to the fields.
"""

from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import Event

MONTHS_AHEAD = 12


class MonthField(forms.CharField):
    """YYYY-MM, validated here so a bad month shows as a field error instead of filtering."""

    default_error_messages = {"invalid": _("请选择有效的月份。")}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return ""
        parts = value.split("-", 1)
        # ASCII digits of a sane length first: int() takes "²" and date() overflows on 9999999999.
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            year, month = (int(part) for part in parts)
            date(year, month, 1)
        except (ValueError, OverflowError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return f"{year:04d}-{month:02d}"


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


def upcoming_months(today: date, count: int = MONTHS_AHEAD) -> list[tuple[str, str]]:
    """The next `count` months as select options; computed, not queried, to keep the page at one query."""
    choices = []
    year, month = today.year, today.month
    for _step in range(count):
        first = date(year, month, 1)
        choices.append((f"{year:04d}-{month:02d}", formats.date_format(first, "YEAR_MONTH_FORMAT")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return choices


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_q",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("搜索活动标题"), "type": "search"}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("类型"),
        choices=Event.Kind.choices,
        empty_label=_("全部类型"),
        error_messages={"invalid_choice": _("请选择有效的活动类型。")},
    )
    mode = django_filters.ChoiceFilter(
        label=_("形式"),
        choices=Event.Mode.choices,
        empty_label=_("全部形式"),
        error_messages={"invalid_choice": _("请选择有效的活动形式。")},
    )
    month = MonthFilter(label=_("月份"), method="filter_month", widget=forms.Select)

    class Meta:
        model = Event
        fields = ["q", "kind", "mode", "month"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        months = [("", _("全部月份")), *upcoming_months(timezone.localdate())]
        chosen = self.data.get("month", "") if self.data else ""
        # A shared link may name a month beyond the list; keep it visible as the chosen option.
        if isinstance(chosen, str) and chosen not in dict(months):
            try:
                months.append((MonthField().clean(chosen), chosen))
            except forms.ValidationError:
                pass  # the form reports it; no option for a month that does not exist
        self.form.fields["month"].widget.choices = months

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value)) if value else queryset

    def filter_month(self, queryset, name, value):
        # __year/__month are evaluated in the current time zone (Asia/Shanghai), so an event at
        # 00:30 on the 1st in Qingdao belongs to that month although it is still the 30th in UTC.
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(starts_at__year=year, starts_at__month=month)
