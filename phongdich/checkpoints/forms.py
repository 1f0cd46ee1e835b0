from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import OriginChoiceField, PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import origins
from phongdich.lib.bounds import (
    HONEYPOT_MAX_LENGTH,
    ID_MAX,
    PHONE_INPUT_MAX_LENGTH,
    BoundedDateField,
    BoundedDateTimeField,
    max_length,
)
from phongdich.lib.idempotency import SubmissionKeyForm
from phongdich.lib.identity import normalize_phone

from .models import (
    Checkpoint,
    CitizenReport,
    Decision,
    Declaration,
    Direction,
    EpidemicArea,
    ForecastImport,
    Passage,
    Pharmacy,
    PharmacyReport,
    QuarantineCheck,
    TransitEscort,
)
from .services import EXPOSURES, SYMPTOMS

# A declaration's QR payload ("PD1:" + a signed id and nonce) is under 100 characters; a
# scanner's misread may be longer, but nothing past this bound can be one.
QR_MAX_LENGTH = 500


def _phone(value: str) -> str:
    return normalize_phone(value) if value else ""


class DeclarationForm(SubmissionKeyForm):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=max_length(Declaration, "full_name")
    )
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1900, max_value=2030)
    sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("M", _("Nam")), ("F", _("Nữ"))], required=False
    )
    nationality = forms.CharField(
        label=_("Quốc tịch"), initial="Việt Nam", max_length=max_length(Declaration, "nationality")
    )
    id_number = forms.CharField(
        label=_("Số CCCD/CMND/hộ chiếu"),
        max_length=max_length(Declaration, "id_number"),
        required=False,
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=PHONE_INPUT_MAX_LENGTH, required=False
    )
    email = forms.EmailField(
        label=_("Email"), required=False, max_length=max_length(Declaration, "email")
    )
    travel_mode = forms.ChoiceField(label=_("Phương tiện"), choices=Declaration.TravelMode.choices)
    vehicle_number = forms.CharField(
        label=_("Biển số xe / số hiệu chuyến"),
        required=False,
        max_length=max_length(Declaration, "vehicle_number"),
    )
    seat = forms.CharField(
        label=_("Số ghế"), required=False, max_length=max_length(Declaration, "seat")
    )
    departure_date = BoundedDateField(label=_("Ngày khởi hành (dd/mm/yyyy)"), required=False)
    arrival_date = BoundedDateField(label=_("Ngày đến (dd/mm/yyyy)"))
    origin = OriginChoiceField(
        label=_("Đi từ (tỉnh/huyện)"), queryset=AdminUnit.objects.none(), required=False
    )
    origin_text = forms.CharField(
        label=_("Nơi đi (ghi rõ)"),
        required=False,
        max_length=max_length(Declaration, "origin_text"),
    )
    places_visited = forms.CharField(
        label=_("Những nơi đã đến trong 14 ngày"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=max_length(Declaration, "places_visited"),
    )
    destination_commune = PlaceChoiceField(
        label=_("Xã/phường nơi đến trong tỉnh"),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label=_("— Chỉ đi qua tỉnh —"),
    )
    destination_address = forms.CharField(
        label=_("Địa chỉ nơi đến (số nhà, thôn/xóm)"),
        max_length=max_length(Declaration, "destination_address"),
        required=False,
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Trong 14 ngày qua có triệu chứng"),
        choices=list(SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    exposures = forms.MultipleChoiceField(
        label=_("Trong 14 ngày qua có tiếp xúc"),
        choices=list(EXPOSURES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    test_result = forms.ChoiceField(
        label=_("Xét nghiệm gần nhất"), choices=Declaration.TestResult.choices, required=False
    )
    test_taken_at = BoundedDateTimeField(
        label=_("Thời điểm lấy mẫu (dd/mm/yyyy hh:mm)"),
        required=False,
        input_formats=["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y"],
    )
    vaccine_doses = forms.TypedChoiceField(
        label=_("Số mũi vắc xin đã tiêm"),
        choices=[("", _("Không rõ")), (0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    recovered_on = BoundedDateField(label=_("Ngày khỏi COVID-19 (nếu có)"), required=False)
    checkpoint = forms.ModelChoiceField(
        queryset=Checkpoint.objects.filter(active=True),
        required=False,
        widget=forms.HiddenInput,
    )
    # A bot fills every field; people never see this one.
    website = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=HONEYPOT_MAX_LENGTH
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        if province is not None:
            self.fields["destination_commune"].queryset = AdminUnit.objects.filter(
                path__startswith=province.path, kind=AdminUnit.Kind.COMMUNE
            ).select_related("parent")
        self.fields["origin"].queryset = origins()
        for name in ("phone", "full_name", "birth_year"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "phone": "tel",
                "full_name": "name",
                "birth_year": "bday-year",
            }[name]
        self.fields["phone"].widget.input_type = "tel"

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError(_("Không gửi được tờ khai."))
        if not data.get("destination_commune") and not data.get("destination_address"):
            self.add_error("destination_address", _("Ghi nơi đến nếu chỉ đi qua tỉnh."))
        if not data.get("origin") and not data.get("origin_text"):
            self.add_error("origin_text", _("Cho biết nơi đi."))
        arrival = data.get("arrival_date")
        if arrival and (arrival - timezone.localdate()).days > 14:
            self.add_error("arrival_date", _("Ngày đến quá xa."))
        return data


def declaration_initial(declaration: Declaration) -> dict:
    """Prefill for a returning traveller: their last declaration, dates reset."""
    initial = {
        name: getattr(declaration, name)
        for name in (
            "full_name birth_year sex nationality id_number email travel_mode vehicle_number "
            "origin origin_text destination_commune destination_address symptoms exposures "
            "vaccine_doses recovered_on"
        ).split()
    }
    initial["phone"] = declaration.phone and "0" + declaration.phone[3:]
    initial["arrival_date"] = timezone.localdate()
    return initial


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã khai báo (6 ký tự)"),
        max_length=max_length(Declaration, "code"),
        required=False,
    )
    qr = forms.CharField(required=False, widget=forms.HiddenInput, max_length=QR_MAX_LENGTH)
    photo = forms.ImageField(label=_("Hoặc chụp ảnh mã QR"), required=False)


class PassageForm(forms.Form):
    declaration = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=ID_MAX)
    checkpoint = forms.ModelChoiceField(queryset=Checkpoint.objects.none())
    idempotency_key = forms.CharField(
        max_length=max_length(Passage, "idempotency_key"), min_length=8, widget=forms.HiddenInput
    )
    temperature = forms.DecimalField(
        label=_("Nhiệt độ (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=30,
        max_value=45,
        required=False,
    )
    decision = forms.ChoiceField(
        label=_("Quyết định"), choices=Decision.choices, widget=forms.RadioSelect
    )
    exit_checkpoint = forms.ModelChoiceField(
        label=_("Chốt ra khỏi tỉnh (nếu đi qua)"),
        queryset=Checkpoint.objects.none(),
        required=False,
    )
    expected_hours = forms.IntegerField(
        label=_("Dự kiến đến xã sau (giờ)"), min_value=0, max_value=72, initial=3, required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(Passage, "note"), required=False
    )
    # A lockdown zone's checkpoint counts both ways; a province gate leaves it on "in".
    direction = forms.ChoiceField(
        label=_("Chiều qua chốt"), choices=Direction.choices, required=False
    )

    def __init__(self, *args, checkpoints=None, **kwargs):
        super().__init__(*args, **kwargs)
        if checkpoints is not None:
            self.fields["checkpoint"].queryset = checkpoints
            self.fields["exit_checkpoint"].queryset = checkpoints

    def clean_direction(self):
        return self.cleaned_data["direction"] or Direction.IN


class QuarantineCheckForm(SubmissionKeyForm):
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
        label=_("Ghi chú"), max_length=max_length(QuarantineCheck, "note"), required=False
    )


class TransitForm(SubmissionKeyForm):
    vehicle_number = forms.CharField(
        label=_("Biển số xe"), max_length=max_length(TransitEscort, "vehicle_number")
    )
    people_count = forms.IntegerField(label=_("Số người"), min_value=1, max_value=100, initial=1)
    entry_checkpoint = forms.ModelChoiceField(
        label=_("Chốt vào"), queryset=Checkpoint.objects.none()
    )
    exit_checkpoint = forms.ModelChoiceField(label=_("Chốt ra"), queryset=Checkpoint.objects.none())
    hours = forms.IntegerField(
        label=_("Thời gian cho phép (giờ)"), min_value=1, max_value=24, initial=4
    )

    def __init__(self, *args, checkpoints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry_checkpoint"].queryset = checkpoints
        self.fields["exit_checkpoint"].queryset = checkpoints


class ForecastImportForm(SubmissionKeyForm):
    source_association = forms.CharField(
        label=_("Hội đồng hương / nguồn danh sách"),
        max_length=max_length(ForecastImport, "source_association"),
    )
    file = forms.FileField(label=_("Tệp Excel (.xlsx) hoặc CSV"))
    keep_good_rows = forms.BooleanField(
        label=_("Nhập các dòng đúng, bỏ qua dòng lỗi (nếu không chọn: từ chối cả tệp khi có lỗi)"),
        required=False,
        initial=True,
    )


class CitizenReportForm(SubmissionKeyForm):
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    address = forms.CharField(
        label=_("Địa chỉ người về"), max_length=max_length(CitizenReport, "address")
    )
    subject_name = forms.CharField(
        label=_("Tên người về (nếu biết)"),
        max_length=max_length(CitizenReport, "subject_name"),
        required=False,
    )
    arrived_on = BoundedDateField(label=_("Ngày về (nếu biết)"), required=False)
    description = forms.CharField(
        label=_("Nội dung"),
        max_length=max_length(CitizenReport, "description"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anonymous = forms.BooleanField(label=_("Tôi muốn giấu tên"), required=False, initial=True)
    reporter_name = forms.CharField(
        label=_("Tên người báo"),
        max_length=max_length(CitizenReport, "reporter_name"),
        required=False,
    )
    reporter_phone = forms.CharField(
        label=_("Điện thoại người báo"), max_length=PHONE_INPUT_MAX_LENGTH, required=False
    )
    website = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=HONEYPOT_MAX_LENGTH
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    def clean_reporter_phone(self):
        return _phone(self.cleaned_data["reporter_phone"])


class PharmacyForm(SubmissionKeyForm):
    name = forms.CharField(label=_("Tên nhà thuốc"), max_length=max_length(Pharmacy, "name"))
    owner_name = forms.CharField(
        label=_("Người phụ trách"), max_length=max_length(Pharmacy, "owner_name")
    )
    phone = forms.CharField(label=_("Điện thoại"), max_length=PHONE_INPUT_MAX_LENGTH)
    address = forms.CharField(label=_("Địa chỉ"), max_length=max_length(Pharmacy, "address"))
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    website = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=HONEYPOT_MAX_LENGTH
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class PharmacyReportForm(SubmissionKeyForm):
    buyer_name = forms.CharField(
        label=_("Họ tên người mua"), max_length=max_length(PharmacyReport, "buyer_name")
    )
    buyer_phone = forms.CharField(
        label=_("Điện thoại"), max_length=PHONE_INPUT_MAX_LENGTH, required=False
    )
    buyer_address = forms.CharField(
        label=_("Địa chỉ"),
        max_length=max_length(PharmacyReport, "buyer_address"),
        required=False,
    )
    commune = PlaceChoiceField(label=_("Xã/phường nơi ở"), queryset=AdminUnit.objects.none())
    symptoms = forms.MultipleChoiceField(
        label=_("Triệu chứng"),
        choices=list(SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    def clean_buyer_phone(self):
        return _phone(self.cleaned_data["buyer_phone"])


def parse_local_datetime(value: str) -> datetime | None:
    try:
        return timezone.make_aware(datetime.strptime(value, "%d/%m/%Y %H:%M"))
    except (TypeError, ValueError):
        return None


class EpidemicAreaForm(SubmissionKeyForm):
    unit = OriginChoiceField(label=_("Tỉnh/huyện là vùng dịch"), queryset=AdminUnit.objects.none())
    level = forms.TypedChoiceField(
        label=_("Cấp độ dịch"), choices=[(i, str(i)) for i in (1, 2, 3, 4)], coerce=int, initial=3
    )
    valid_from = BoundedDateField(label=_("Từ ngày"))
    valid_to = BoundedDateField(label=_("Đến ngày (để trống nếu chưa rõ)"), required=False)
    note = forms.CharField(
        label=_("Căn cứ / ghi chú"), max_length=max_length(EpidemicArea, "note"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = origins()
