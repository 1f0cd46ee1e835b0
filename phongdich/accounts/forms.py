from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import max_length
from phongdich.lib.idempotency import SubmissionKeyForm

from .models import ApiToken, Role, User

# Passwords are hashed, never stored; the bound keeps a megabyte "password" from tying up
# the (deliberately slow) hasher.
PASSWORD_MAX_LENGTH = 128


class UserCreateForm(SubmissionKeyForm):
    secret_fields = ("password",)

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=max_length(User, "username"))
    # Split into first_name and last_name by the service: each part fits.
    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(User, "first_name"))
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    jurisdiction = PlaceChoiceField(label=_("Địa bàn"), queryset=AdminUnit.objects.none())
    email = forms.EmailField(label=_("Email"), required=False, max_length=max_length(User, "email"))
    organisation = forms.CharField(
        label=_("Đơn vị công tác"), required=False, max_length=max_length(User, "organisation")
    )
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, max_length=PASSWORD_MAX_LENGTH
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["jurisdiction"].queryset = units


class ApiTokenForm(SubmissionKeyForm):
    name = forms.CharField(
        label=_("Tên hệ thống tích hợp"), max_length=max_length(ApiToken, "name")
    )
    valid_days = forms.TypedChoiceField(
        label=_("Thời hạn"),
        coerce=int,
        initial=90,
        choices=[
            (30, _("30 ngày")),
            (90, _("90 ngày")),
            (180, _("180 ngày")),
            (365, _("365 ngày")),
        ],
    )
