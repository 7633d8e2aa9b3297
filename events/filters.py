"""Filters of the programme home. Bad values are ignored by the form, never a 500."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Event


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q",
                                  widget=forms.TextInput(attrs={"placeholder": _("搜索活动标题")}))
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Event.Kind.choices, empty_label=_("全部类型"))
    mode = django_filters.ChoiceFilter(label=_("形式"), choices=Event.Mode.choices, empty_label=_("全部形式"))
    month = django_filters.CharFilter(label=_("月份"), method="filter_month",
                                      widget=forms.DateInput(attrs={"type": "month"}))

    class Meta:
        model = Event
        fields = ["q", "kind", "mode", "month"]

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value)) if value else queryset

    def filter_month(self, queryset, name, value):
        try:
            year, month = (int(part) for part in value.split("-", 1))
        except ValueError:
            return queryset  # an unreadable month filters nothing rather than failing
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return queryset
        return queryset.filter(starts_at__year=year, starts_at__month=month)
