from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import (
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    BoundedDateField,
    max_length,
)
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.people.models import Person

from .forms_teams import TeamChoiceField
from .models import Campaign, Kind, Pool, Result, Sample, SamplingPoint, SamplingTeam


class SampleFieldsForm(forms.Form):
    """What the sampling team types per person: a scanned or typed code first."""

    barcode = forms.CharField(
        label=_("Mã mẫu (quét hoặc gõ)"), max_length=max_length(Sample, "barcode")
    )
    kind = forms.ChoiceField(label=_("Loại xét nghiệm"), choices=Kind.choices)
    # "Reported" is the F0 app's results, never a sample a team takes.
    reason = forms.ChoiceField(
        label=_("Lý do"),
        choices=[c for c in Sample.Reason.choices if c[0] != Sample.Reason.REPORTED],
    )
    place = forms.CharField(
        label=_("Điểm lấy mẫu"), required=False, max_length=max_length(Sample, "place")
    )
    sampling_team = TeamChoiceField(
        label=_("Tổ lấy mẫu"), queryset=SamplingTeam.objects.none(), required=False
    )
    pool_code = forms.CharField(
        label=_("Mã mẫu gộp (nếu gộp)"), required=False, max_length=max_length(Pool, "code")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["sampling_team"].queryset = teams

    def clean_barcode(self):
        value = self.cleaned_data["barcode"].strip()
        if not value:
            raise ValidationError(_("Cần mã mẫu."))
        return value


class SampleForm(SampleFieldsForm):
    """A sample of someone identified by what they show or say (CCCD, phone, name)."""

    id_number = forms.CharField(
        label=_("Số CCCD/CMND"), required=False, max_length=ID_NUMBER_INPUT_MAX_LENGTH
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(Person, "full_name"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900, max_value=2100, required=False
    )
    sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", "—"), ("M", _("Nam")), ("F", _("Nữ"))], required=False
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), required=False, max_length=PHONE_INPUT_MAX_LENGTH
    )
    address = forms.CharField(
        label=_("Địa chỉ"), required=False, max_length=max_length(Person, "address")
    )
    commune = PlaceChoiceField(label=_("Xã/phường cư trú"), queryset=AdminUnit.objects.none())

    field_order = [
        "barcode",
        "id_number",
        "full_name",
        "birth_year",
        "sex",
        "phone",
        "address",
        "commune",
    ]

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
        if not (data.get("id_number") or data.get("phone") or data.get("birth_year")):
            raise ValidationError(
                _("Cần ít nhất số CCCD, số điện thoại hoặc năm sinh để xác định đúng người.")
            )
        return data


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Kết quả"), choices=Result.choices)
    ct_value = forms.DecimalField(
        label=_("Giá trị Ct (RT-PCR)"),
        required=False,
        min_value=0,
        max_value=45,
        max_digits=4,
        decimal_places=1,
    )
    lab = forms.CharField(label=_("Phòng xét nghiệm"), max_length=max_length(Sample, "lab"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do từ chối mẫu"), max_length=max_length(Sample, "rejected_reason")
    )


class PoolForm(forms.Form):
    code = forms.CharField(label=_("Mã mẫu gộp"), max_length=max_length(Pool, "code"))
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    sampling_team = TeamChoiceField(
        label=_("Tổ lấy mẫu"), queryset=SamplingTeam.objects.none(), required=False
    )

    def __init__(self, *args, communes=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes
        if teams is not None:
            self.fields["sampling_team"].queryset = teams


class OrderSampleForm(forms.Form):
    """The individual sample taken on a re-sampling order: only its code."""

    barcode = forms.CharField(label=_("Mã mẫu mới"), max_length=max_length(Sample, "barcode"))


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label()  # always with its district


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Tên đợt"), max_length=max_length(Campaign, "name"))
    kind = forms.ChoiceField(label=_("Loại xét nghiệm"), choices=Kind.choices)
    starts_on = BoundedDateField(label=_("Từ ngày"), initial=timezone.localdate)
    ends_on = BoundedDateField(label=_("Đến ngày"))
    rounds = forms.IntegerField(label=_("Số vòng"), min_value=1, max_value=60, initial=1)
    target_population = forms.IntegerField(
        label=_("Số người cần xét nghiệm"), min_value=1, max_value=100_000_000
    )
    units = UnitsField(
        label=_("Các xã/phường"),
        queryset=AdminUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["units"].queryset = communes

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("Ngày kết thúc trước ngày bắt đầu."))
        return data


class ImportForm(forms.Form):
    MODES = [
        ("keep_good", _("Nhập các dòng đúng, bỏ qua dòng lỗi")),
        ("all_or_nothing", _("Từ chối cả tệp nếu có dòng lỗi")),
    ]
    file = forms.FileField(label=_("Tệp kết quả (.xlsx hoặc .csv)"))
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=MODES, widget=forms.RadioSelect)


class RoundForm(forms.Form):
    starts_on = BoundedDateField(label=_("Từ ngày"), initial=timezone.localdate)
    ends_on = BoundedDateField(label=_("Đến ngày"))
    target_people = forms.IntegerField(
        label=_("Số người cần lấy mẫu"), min_value=0, max_value=100_000_000, initial=0
    )
    target_households = forms.IntegerField(
        label=_("Số hộ cần đến"), min_value=0, max_value=50_000_000, initial=0
    )
    units = UnitsField(
        label=_("Các xã/phường (để trống: cả đợt)"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["units"].queryset = communes

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("Ngày kết thúc trước ngày bắt đầu."))
        return data


class PointForm(forms.Form):
    name = forms.CharField(
        label=_("Tên điểm lấy mẫu"), max_length=max_length(SamplingPoint, "name")
    )
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    address = forms.CharField(
        label=_("Địa chỉ"), required=False, max_length=max_length(SamplingPoint, "address")
    )
    sampling_team = TeamChoiceField(
        label=_("Tổ lấy mẫu"), queryset=SamplingTeam.objects.none(), required=False
    )
    opens_at = forms.TimeField(label=_("Giờ mở (HH:MM)"), required=False)
    closes_at = forms.TimeField(label=_("Giờ đóng (HH:MM)"), required=False)

    def __init__(self, *args, communes=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes
        if teams is not None:
            self.fields["sampling_team"].queryset = teams


class PointSampleForm(SampleForm):
    """A sample taken at a sampling point: the point gives the place, team and round."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("place", "sampling_team"):
            del self.fields[name]
        # Scanned once: the page keeps it for the next member until the pool is full.
        self.fields["pool_code"].help_text = _(
            "Quét mã mẫu gộp một lần; trang giữ mã này cho người tiếp theo đến khi đủ mẫu."
        )
        self.fields["symptomatic"] = forms.BooleanField(
            label=_("Người này có triệu chứng (ho, sốt, đau họng, khó thở…)"), required=False
        )


def add_service_error(form, exc: ValidationError, *, fields: dict[str, str]) -> None:
    """A service's error on the form: its field names mapped to the form's (`fields`), any
    other field's message shown above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = fields.get(name, name)
        form.add_error(name if name in form.fields else None, errors)
