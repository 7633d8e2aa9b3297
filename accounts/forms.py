from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .disciplines import CATEGORIES, DISCIPLINES
from .models import CandidateProfile, Company, User


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up: a name and whether one signs up as a candidate or a company."""

    name = forms.CharField(label=_("姓名"), max_length=80)
    role = forms.ChoiceField(
        label=_("我是"),
        choices=[(User.Role.CANDIDATE, _("博士/博士后候选人")), (User.Role.COMPANY, _("用人单位工作人员"))],
        initial=User.Role.CANDIDATE,
        widget=forms.RadioSelect,
    )

    def signup(self, request, user):
        user.name = self.cleaned_data["name"]
        user.role = self.cleaned_data["role"]
        user.save(update_fields=["name", "role"])


def _grouped_disciplines():
    groups: dict[str, list] = {}
    for code, label in DISCIPLINES:
        groups.setdefault(code[:2], []).append((code, f"{code} {label}"))
    return [("", "---------")] + [(CATEGORIES[key], items) for key, items in groups.items()]


class CandidateProfileForm(forms.ModelForm):
    class Meta:
        model = CandidateProfile
        fields = ["full_name", "phone", "degree", "postdoc_status", "institution", "discipline", "research_field",
                  "graduation_year", "cv", "consent_share"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discipline"].choices = _grouped_disciplines()
        self.fields["graduation_year"].widget = forms.NumberInput(attrs={"min": 1980, "max": date.today().year + 6})
        self.fields["cv"].widget = forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})

    def clean_graduation_year(self):
        year = self.cleaned_data.get("graduation_year")
        if year is not None and not (1980 <= year <= date.today().year + 6):
            raise forms.ValidationError(_("请填写 1980 年至 %(max)d 年之间的毕业年份。"),
                                        params={"max": date.today().year + 6}, code="year_range")
        return year


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(label=_("我了解删除后无法恢复，我的报名将被取消。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不正确。"), code="wrong_password")
        return password


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "credit_code", "industry", "platform_kind", "description", "website"]

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()
