from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import (
    ID_MAX,
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    max_length,
)
from phongdich.lib.identity import normalize_phone, validate_id_number

from .models import Person, Sex


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(Person, "full_name"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900, max_value=2100, required=False
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"), required=False, max_length=PHONE_INPUT_MAX_LENGTH
    )
    id_number = forms.CharField(
        label=_("Số CCCD/CMND"), required=False, max_length=ID_NUMBER_INPUT_MAX_LENGTH
    )
    address = forms.CharField(
        label=_("Địa chỉ (số nhà, thôn/xóm)"),
        required=False,
        max_length=max_length(Person, "address"),
    )
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    force_new = forms.BooleanField(
        label=_("Vẫn tạo người mới (không phải những người trên)"), required=False
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value else ""

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return validate_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("id_number") and not data.get("birth_year"):
            raise ValidationError(
                _("Cần ít nhất số điện thoại, số CCCD hoặc năm sinh để tránh trùng hồ sơ.")
            )
        return data


class MergeForm(forms.Form):
    duplicate_id = forms.IntegerField(
        label=_("Mã hồ sơ trùng"), widget=forms.HiddenInput, min_value=1, max_value=ID_MAX
    )


class ReferralForm(forms.Form):
    decision = forms.ChoiceField(choices=[("merge", "merge"), ("dismiss", "dismiss")])
