from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import User
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import BoundedDateField, max_length
from phongdich.lib.idempotency import SubmissionKeyForm

from .models import BedType, CapacityChange, Facility, ReadinessPlan, Stay

# No site in a province has more beds than this; the ceiling keeps a typo out.
BEDS_MAX = 20_000


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label() if obj.parent_id else obj.name


def _beds_field(label, required=False):
    return forms.IntegerField(label=label, min_value=0, max_value=BEDS_MAX, required=required)


class FacilityForm(forms.Form):
    """The description of a facility (beds are set on its page, so each change is kept)."""

    name = forms.CharField(label=_("Tên cơ sở"), max_length=max_length(Facility, "name"))
    kind = forms.ChoiceField(label=_("Loại"), choices=Facility.Kind.choices)
    unit = UnitChoiceField(label=_("Địa bàn"), queryset=AdminUnit.objects.none())
    address = forms.CharField(
        label=_("Địa chỉ"), max_length=max_length(Facility, "address"), required=False
    )
    # Landlines (0237 3xxx xxx) as well as mobiles, so kept as typed, not normalised.
    phone = forms.CharField(
        label=_("Điện thoại"), max_length=max_length(Facility, "phone"), required=False
    )
    operator = forms.CharField(
        label=_("Đơn vị quản lý"), max_length=max_length(Facility, "operator"), required=False
    )
    person_in_charge = forms.CharField(
        label=_("Người phụ trách"),
        max_length=max_length(Facility, "person_in_charge"),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), choices=Facility.Status.choices, initial=Facility.Status.OPEN
    )
    opens_on = BoundedDateField(label=_("Ngày hoạt động"), required=False)
    closes_on = BoundedDateField(label=_("Ngày đóng"), required=False)
    health_staff = forms.IntegerField(
        label=_("Nhân lực y tế (người)"),
        min_value=0,
        max_value=100_000,
        initial=0,
        required=False,
    )

    def clean_health_staff(self):
        return self.cleaned_data.get("health_staff") or 0

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            units if units is not None else AdminUnit.objects.none()
        ).select_related("parent")


class FacilityCreateForm(SubmissionKeyForm, FacilityForm):
    """A new facility, with its starting beds by type."""

    beds_regular = _beds_field(_("Giường thường"))
    beds_oxygen = _beds_field(_("Giường có oxy"))
    beds_icu = _beds_field(_("Giường hồi sức tích cực"))
    beds_ventilator = _beds_field(_("Giường thở máy"))

    def answers(self) -> dict:
        values = super().answers()
        values["capacity"] = {t: values.pop(f"beds_{t}") or 0 for t in BedType.values}
        return values


class CapacityForm(forms.Form):
    bed_type = forms.ChoiceField(label=_("Loại giường"), choices=BedType.choices)
    total = _beds_field(_("Số giường"), required=True)
    note = forms.CharField(
        label=_("Ghi chú (lý do thay đổi)"),
        max_length=max_length(CapacityChange, "note"),
        required=False,
    )


class OccupancyReportForm(forms.Form):
    """The day's count of people in beds, by type, for a site not recording every patient."""

    day = BoundedDateField(label=_("Ngày"))
    regular = _beds_field(_("Giường thường đang dùng"))
    oxygen = _beds_field(_("Giường có oxy đang dùng"))
    icu = _beds_field(_("Giường hồi sức tích cực đang dùng"))
    ventilator = _beds_field(_("Giường thở máy đang dùng"))

    def counts(self) -> dict:
        return {t: self.cleaned_data.get(t) for t in BedType.values}


class AdmitForm(forms.Form):
    bed_type = forms.ChoiceField(label=_("Loại giường"), choices=BedType.choices)
    patient_ref = forms.CharField(
        label=_("Số hồ sơ tại cơ sở"), max_length=max_length(Stay, "patient_ref"), required=False
    )


class StaffForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập của cán bộ cơ sở"), max_length=max_length(User, "username")
    )


def _count_field(label, ceiling=1_000_000):
    return forms.IntegerField(label=label, min_value=0, max_value=ceiling, initial=0)


class ReadinessPlanForm(forms.Form):
    scenario = forms.CharField(
        label=_("Tình huống (ví dụ: 30.000 F0 đang điều trị)"),
        max_length=max_length(ReadinessPlan, "scenario"),
    )
    epidemic_level = forms.TypedChoiceField(
        label=_("Cấp độ dịch"),
        choices=[("", "—")] + [(i, str(i)) for i in (1, 2, 3, 4)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    active_cases = _count_field(_("Số F0 đang điều trị dự kiến"), 10_000_000)
    beds_regular = _count_field(_("Giường thường"))
    beds_oxygen = _count_field(_("Giường có oxy"))
    beds_icu = _count_field(_("Giường hồi sức tích cực"))
    beds_ventilator = _count_field(_("Giường thở máy"))
    staff = _count_field(_("Nhân lực y tế"))
    oxygen_kg = _count_field(_("Oxy lỏng (kg)"), 100_000_000)
    medicine_bags = _count_field(_("Túi thuốc"), 10_000_000)
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(ReadinessPlan, "note"), required=False
    )
