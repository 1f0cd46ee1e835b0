"""Forms of the sampling teams: a team with its members, and a team's shift at a point."""

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import User
from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import BoundedDateField, max_length
from phongdich.lib.identity import normalize_phone

from .models import SamplingTeam, TeamMember, TeamShift
from .teams import MAX_NAMED_MEMBERS, NamedMember

NAMED_MAX_LENGTH = 4000  # 30 lines of a name and a phone, with room for spaces


class AccountsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.get_role_display()})"


class AccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Tên tổ"), max_length=max_length(SamplingTeam, "name"))
    unit = PlaceChoiceField(
        label=_("Thuộc xã/phường hoặc quận/huyện"), queryset=AdminUnit.objects.none()
    )
    leader = AccountField(
        label=_("Tổ trưởng (tài khoản)"), queryset=User.objects.none(), required=False
    )
    accounts = AccountsField(
        label=_("Thành viên có tài khoản"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    named = forms.CharField(
        label=_("Thành viên không có tài khoản (mỗi dòng: họ tên, số điện thoại)"),
        required=False,
        max_length=NAMED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args, units=None, accounts=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if accounts is not None:
            self.fields["accounts"].queryset = accounts
            self.fields["leader"].queryset = accounts
        if editing:
            # A team keeps its unit: its samples were taken in that unit's name.
            del self.fields["unit"]

    def clean_named(self):
        people = []
        lines = [line.strip() for line in self.cleaned_data["named"].splitlines()]
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            name, _sep, phone = line.rpartition(",") if "," in line else (line, "", "")
            name, phone = name.strip(), phone.strip()
            if not name:
                raise ValidationError(_("Dòng %(n)s: cần họ tên trước dấu phẩy.") % {"n": number})
            if len(name) > max_length(TeamMember, "full_name"):
                raise ValidationError(
                    _("Dòng %(n)s: họ tên dài quá %(max)s ký tự.")
                    % {"n": number, "max": max_length(TeamMember, "full_name")}
                )
            if phone:
                try:
                    phone = normalize_phone(phone)
                except ValidationError:
                    raise ValidationError(
                        _("Dòng %(n)s: số điện thoại %(phone)s không hợp lệ.")
                        % {"n": number, "phone": phone[:20]}
                    ) from None
            people.append(NamedMember(full_name=name, phone=phone))
        if len(people) > MAX_NAMED_MEMBERS:
            raise ValidationError(
                _("Tối đa %(n)s người không có tài khoản.") % {"n": MAX_NAMED_MEMBERS}
            )
        return people


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.unit.name})"


class ShiftForm(forms.Form):
    team = TeamChoiceField(label=_("Tổ lấy mẫu"), queryset=SamplingTeam.objects.none())
    day = BoundedDateField(label=_("Ngày"))
    starts = forms.TimeField(label=_("Từ giờ (HH:MM)"))
    ends = forms.TimeField(
        label=_("Đến giờ (HH:MM)"),
        help_text=_("Giờ kết thúc sớm hơn giờ bắt đầu là sang ngày hôm sau (ca đêm)."),
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] == data["starts"]:
            # An end before the start is the next day (a night shift); the same time would
            # be a shift of no length or of a whole day, which no team works.
            self.add_error("ends", _("Giờ kết thúc ca phải khác giờ bắt đầu."))
        return data

    def window(self):
        """The valid form's shift as two aware moments in local time (start, end): an end
        earlier than the start is on the next day, so a shift past midnight is one shift."""
        data = self.cleaned_data
        end_day = data["day"] + timedelta(days=1) if data["ends"] < data["starts"] else data["day"]
        return (
            timezone.make_aware(datetime.combine(data["day"], data["starts"])),
            timezone.make_aware(datetime.combine(end_day, data["ends"])),
        )


VERSION_MAX_LENGTH = 100  # "team pk|start ISO|end ISO", see teams.shift_version


class ShiftEditForm(ShiftForm):
    """A shift's team and hours, with the version of the shift the editor was shown."""

    based_on = forms.CharField(widget=forms.HiddenInput, max_length=VERSION_MAX_LENGTH)


class ShiftCancelForm(forms.Form):
    based_on = forms.CharField(widget=forms.HiddenInput, max_length=VERSION_MAX_LENGTH)
    reason = forms.CharField(
        label=_("Lý do hủy (không bắt buộc)"),
        required=False,
        max_length=max_length(TeamShift, "cancel_reason"),
    )


class TeamLinkForm(forms.Form):
    """Link one free-text name of a commune, in a campaign, to a team record."""

    commune = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), widget=forms.HiddenInput)
    name = forms.CharField(
        widget=forms.HiddenInput, max_length=max_length(SamplingTeam, "name"), strip=False
    )
    team = TeamChoiceField(label=_("Tổ lấy mẫu"), queryset=SamplingTeam.objects.none())

    def __init__(self, *args, communes=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes
        if teams is not None:
            self.fields["team"].queryset = teams
