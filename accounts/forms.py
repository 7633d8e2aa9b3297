from datetime import date

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .disciplines import CATEGORIES, DISCIPLINES
from .models import CandidateProfile, Company, User
from .validators import phone_normalize

GRADUATION_YEAR_MIN = 1980
GRADUATION_YEARS_AHEAD = 6  # a PhD student may enter the year they expect to graduate


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up: a name and whether one signs up as a candidate or a company."""

    # allauth orders its sign-up form by this attribute; who you are comes before the password.
    field_order = ["name", "role", "email", "password1", "password2"]

    name = forms.CharField(label=_("姓名"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "name"}))
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


def grouped_discipline_choices():
    """First-level disciplines grouped under their category, for a <select> with <optgroup>s."""
    groups: dict[str, list] = {}
    for code, label in DISCIPLINES:
        groups.setdefault(code[:2], []).append((code, f"{code} {label}"))
    return [("", _("请选择一级学科"))] + [(CATEGORIES[key], items) for key, items in groups.items()]


def graduation_year_choices():
    last = date.today().year + GRADUATION_YEARS_AHEAD
    return [("", _("请选择"))] + [(year, str(year)) for year in range(last, GRADUATION_YEAR_MIN - 1, -1)]


class CandidateProfileForm(forms.ModelForm):
    required_css_class = "required"
    graduation_year = forms.TypedChoiceField(
        label=_("毕业年份"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("在读博士请填写预计毕业年份。"),
    )

    class Meta:
        model = CandidateProfile
        fields = [
            "full_name",
            "phone",
            "degree",
            "postdoc_status",
            "institution",
            "province",
            "university_type",
            "discipline",
            "research_field",
            "graduation_year",
            "cv",
            "consent_share",
        ]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
            "cv": forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discipline"].choices = grouped_discipline_choices()
        self.fields["graduation_year"].choices = graduation_year_choices()
        self.fields["phone"].help_text = _("仅用于活动通知，不会公开。境外号码请加国家/地区代码，如 +1 415 555 0100。")
        self.fields["cv"].help_text = _("仅限 PDF 文件，不超过 %(mb)d MB。") % {
            "mb": max(1, settings.BOJU_CV_MAX_BYTES // (1024 * 1024))
        }

    def clean_phone(self):
        return phone_normalize(self.cleaned_data["phone"])


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("我了解删除后无法恢复，我的报名将被取消。"),
        error_messages={"required": _("请勾选确认后再删除。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不正确。"), code="wrong_password")
        return password


class CompanyForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Company
        fields = ["name", "credit_code", "industry", "platform_kind", "description", "website", "contact"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "credit_code": forms.TextInput(
                attrs={
                    "autocapitalize": "characters",
                    "spellcheck": "false",
                    "maxlength": 18,
                    "placeholder": "91370200XXXXXXXXXX",
                }
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {
            "credit_code": _("营业执照上的 18 位代码。"),
        }
        error_messages = {
            "credit_code": {"unique": _("该统一社会信用代码已注册。如您是该单位员工，请联系单位管理员将您加为成员。")},
        }

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class CompanyLogoForm(forms.Form):
    # A plain FileField: the image checks (and their messages) are accounts.services' own.
    logo = forms.FileField(
        label=_("单位标志"),
        help_text=_("PNG、JPEG、GIF 或 WebP，不超过 2 MB；将缩放到 512×512 像素以内。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )


class CompanyInviteForm(forms.Form):
    email = forms.EmailField(label=_("同事的工作邮箱"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class CompanyProfileForm(forms.ModelForm):
    """What a verified company may change itself; name, code, industry and platform were verified."""

    class Meta:
        model = Company
        fields = ["description", "website", "contact"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
        }
