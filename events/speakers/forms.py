"""Console forms for speakers and rooms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Room, Speaker


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise forms.ValidationError(_("内容包含无效字符。"), code="null_characters_not_allowed")


class SpeakerForm(forms.ModelForm):
    photo_upload = forms.ImageField(label=_("照片"), required=False, help_text=_("JPG 或 PNG，将统一转为 PNG 保存。"))

    class Meta:
        model = Speaker
        fields = ["name", "title", "organisation", "bio_zh", "bio_en"]
        widgets = {"bio_zh": forms.Textarea(attrs={"rows": 4}), "bio_en": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "photo_upload":
                field.validators.append(_no_nul)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["venue", "name", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(_no_nul)
