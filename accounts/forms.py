from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


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
