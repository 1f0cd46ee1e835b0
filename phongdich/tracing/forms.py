from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import (
    ID_MAX,
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    BoundedDateField,
    max_length,
)
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.people.models import Person, Sex

from . import rules
from .models import Cluster, Contact, ContactStatus, Criterion, Setting


class ContactForm(forms.Form):
    """A contact typed by a tracer on the F0's (or F1's) page."""

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
    address = forms.CharField(
        label=_("Địa chỉ"), max_length=max_length(Person, "address"), required=False
    )
    commune = PlaceChoiceField(label=_("Xã/phường nơi ở"), queryset=AdminUnit.objects.none())
    exposure_date = BoundedDateField(label=_("Ngày tiếp xúc"), initial=timezone.localdate)
    setting = forms.ChoiceField(label=_("Nơi tiếp xúc"), choices=Setting.choices)
    criterion = forms.ChoiceField(label=_("Tiêu chí F1 (11042/BYT-DP)"), choices=Criterion.choices)
    relationship = forms.CharField(
        label=_("Quan hệ với nguồn"), max_length=max_length(Contact, "relationship"), required=False
    )
    place = forms.CharField(
        label=_("Địa điểm tiếp xúc"), max_length=max_length(Contact, "place"), required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(Contact, "note"), required=False
    )
    chosen_person = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=ID_MAX
    )
    force_new = forms.BooleanField(label=_("Đây là người khác, thêm người mới"), required=False)

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value else ""

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return (validate_id_number(value) or "") if value else ""

    def clean_exposure_date(self):
        value = self.cleaned_data["exposure_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Ngày tiếp xúc ở tương lai."))
        return value


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái mới"), choices=ContactStatus.choices)
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(Contact, "note"), required=False
    )


class QuarantineForm(forms.Form):
    # A centralised site needs its facility chosen (the quarantine app's own page does it).
    PLACES = [("home", _("Tại nhà")), ("hotel", _("Khách sạn (tự chi trả)"))]
    start = BoundedDateField(label=_("Bắt đầu cách ly"), required=False)
    place = forms.ChoiceField(label=_("Nơi cách ly"), choices=PLACES)


class ImportForm(forms.Form):
    MODES = [
        ("keep_good", _("Nhập các dòng đúng, bỏ qua dòng lỗi")),
        ("all_or_nothing", _("Từ chối cả tệp nếu có dòng lỗi")),
    ]
    file = forms.FileField(label=_("Tệp danh sách tiếp xúc (.xlsx hoặc .csv)"))
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=MODES, widget=forms.RadioSelect)


class ClusterForm(forms.Form):
    name = forms.CharField(label=_("Tên ổ dịch"), max_length=max_length(Cluster, "name"))
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    place = forms.CharField(
        label=_("Địa điểm"), max_length=max_length(Cluster, "place"), required=False
    )
    opened_on = BoundedDateField(label=_("Ngày mở"), initial=timezone.localdate)
    close_after_days = forms.TypedChoiceField(
        label=_("Đóng sau số ngày không có ca mới (chưa đối chiếu văn bản)"),
        choices=[(d, str(d)) for d in rules.CLOSE_AFTER_CHOICES],
        coerce=int,
        initial=rules.CLOSE_AFTER_DEFAULT,
    )
    source_note = forms.CharField(
        label=_("Nguồn lây"), max_length=max_length(Cluster, "source_note"), required=False
    )
    source_not_found = forms.BooleanField(label=_("Chưa tìm ra nguồn lây"), required=False)

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes


class ClusterCaseForm(forms.Form):
    reference = forms.CharField(label=_("Mã ca F0 (ví dụ F0-0212-7KQ3AB)"), max_length=20)


class ClusterSourceForm(forms.Form):
    source_note = forms.CharField(
        label=_("Nguồn lây"), max_length=max_length(Cluster, "source_note"), required=False
    )
    source_not_found = forms.BooleanField(label=_("Chưa tìm ra nguồn lây"), required=False)
