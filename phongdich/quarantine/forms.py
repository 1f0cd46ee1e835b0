from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.checkpoints.services import SYMPTOMS
from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import (
    ID_MAX,
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    BoundedDateField,
    max_length,
)
from phongdich.lib.idempotency import SubmissionKeyForm
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.people.models import Person, Sex

from .models import Basis, DailyCheck, Place, Quarantine


class CheckForm(SubmissionKeyForm):
    """A daily check, by staff on the record page or by the citizen through the link."""

    temperature = forms.DecimalField(
        label=_("Nhiệt độ (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=30,
        max_value=45,
        required=False,
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Triệu chứng hôm nay"),
        choices=list(SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(DailyCheck, "note"), required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=max_length(Quarantine, "end_reason"))


class EndChangeForm(ReasonForm):
    planned_end = BoundedDateField(
        label=_("Ngày kết thúc mới"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AdmitForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Khu cách ly tập trung"), queryset=None)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import sites as quarantine_sites

        self.fields["facility"].queryset = sites if sites is not None else quarantine_sites()


class OpenForm(forms.Form):
    """A quarantine opened from scratch by staff: who (found in the people registry), why,
    from when and where; the dated policy row then gives the end date and the test days."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(Person, "full_name"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900, max_value=2100, required=False
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Sex.choices], required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=PHONE_INPUT_MAX_LENGTH, required=False
    )
    id_number = forms.CharField(
        label=_("CCCD/CMND"), max_length=ID_NUMBER_INPUT_MAX_LENGTH, required=False
    )
    commune = PlaceChoiceField(label=_("Xã/phường nơi cách ly"), queryset=AdminUnit.objects.none())
    address = forms.CharField(
        label=_("Địa chỉ cách ly"), max_length=max_length(Quarantine, "address"), required=False
    )
    basis = forms.ChoiceField(label=_("Lý do cách ly"), choices=Basis.choices)
    exposure_date = BoundedDateField(label=_("Ngày tiếp xúc/ngày đến"), initial=timezone.localdate)
    start = BoundedDateField(label=_("Ngày bắt đầu cách ly"), initial=timezone.localdate)
    doses = forms.IntegerField(
        label=_("Số mũi vắc xin đã tiêm (khi sổ tiêm chủng chưa có)"),
        min_value=0,
        max_value=6,
        required=False,
    )
    recovered_on = BoundedDateField(label=_("Ngày khỏi COVID-19 (nếu có)"), required=False)
    place = forms.ChoiceField(label=_("Nơi cách ly"), choices=Place.choices)
    facility = forms.ModelChoiceField(
        label=_("Khu cách ly tập trung"), queryset=None, required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(Quarantine, "note"), required=False
    )
    planned_end = BoundedDateField(
        label=_("Ngày kết thúc khác quy định (rút ngắn hoặc kéo dài)"), required=False
    )
    reason = forms.CharField(
        label=_("Lý do đổi ngày kết thúc"),
        max_length=max_length(Quarantine, "end_reason"),
        required=False,
    )
    chosen_person = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=ID_MAX
    )
    force_new = forms.BooleanField(label=_("Đây là người khác, thêm người mới"), required=False)

    def __init__(self, *args, communes=None, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import sites as quarantine_sites

        self.fields["commune"].queryset = (
            communes if communes is not None else AdminUnit.objects.none()
        )
        self.fields["facility"].queryset = sites if sites is not None else quarantine_sites()

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value else ""

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return (validate_id_number(value) or "") if value else ""

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for field in ("exposure_date", "start", "recovered_on"):
            if data.get(field) and field != "start" and data[field] > today:
                self.add_error(field, _("Ngày ở tương lai."))
        if (
            data.get("exposure_date")
            and data.get("start")
            and data["exposure_date"] > data["start"]
        ):
            self.add_error(
                "exposure_date", _("Ngày tiếp xúc/ngày đến không thể sau ngày bắt đầu cách ly.")
            )
        if data.get("place") == Place.SITE and not data.get("facility"):
            self.add_error("facility", _("Hãy chọn một khu cách ly tập trung."))
        if data.get("planned_end") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Hãy ghi lý do rút ngắn hoặc kéo dài."))
        return data

    def person_data(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "birth_year": data["birth_year"],
            "sex": data["sex"],
            "phone": data["phone"],
            "id_number": data["id_number"],
            "address": data["address"],
            "commune": data["commune"],
        }

    def open_values(self) -> dict:
        data = self.cleaned_data
        return {
            "basis": data["basis"],
            "start": data["start"],
            "exposure_date": data["exposure_date"],
            "commune": data["commune"],
            "place": data["place"],
            "facility": data["facility"] if data["place"] != Place.HOME else None,
            "address": data["address"],
            "doses": data["doses"],
            "recovered_on": data["recovered_on"],
            "note": data["note"],
        }


class SampleForm(forms.Form):
    """The sample taken against a test day (the code scanned or typed, and the test)."""

    barcode = forms.CharField(label=_("Mã mẫu"), max_length=40)
    kind = forms.ChoiceField(label=_("Loại xét nghiệm"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from phongdich.labtests.models import Kind

        self.fields["kind"].choices = Kind.choices
