from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.facilities.models import BedType
from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.labtests.models import Sample
from phongdich.lib.bounds import (
    HONEYPOT_MAX_LENGTH,
    ID_MAX,
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    BoundedDateField,
    BoundedDateTimeField,
    max_length,
)
from phongdich.lib.idempotency import SubmissionKeyForm
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.people.models import Person

from . import rules
from .models import (
    Alert,
    Case,
    CaseLinkSend,
    DailyReport,
    Death,
    DetectionSetting,
    HealthCheck,
    MedicineBag,
    MobileStationVisit,
    OccupationGroup,
    Transfer,
    TreatmentPlace,
    Vaccination,
)

# 261 monitoring checklist, in the words on the paper form.
SYMPTOM_LABELS = {
    "fatigue": _("Mệt mỏi"),
    "cough": _("Ho"),
    "sputum": _("Ho có đờm"),
    "chills": _("Ớn lạnh, gai rét"),
    "red_eyes": _("Viêm kết mạc (mắt đỏ)"),
    "loss_of_taste_smell": _("Mất vị giác hoặc khứu giác"),
    "diarrhoea": _("Tiêu chảy"),
    "coughing_blood": _("Ho ra máu"),
    "breathlessness": _("Khó thở, thở hụt hơi"),
    "chest_pain": _("Đau tức ngực kéo dài"),
    "drowsiness": _("Lơ mơ, không tỉnh táo"),
    "cyanosis": _("Tím môi, tím đầu móng tay, móng chân"),
    "child_chest_indrawing": _("(Trẻ em) thở rên, rút lõm lồng ngực, phập phồng cánh mũi"),
    "child_poor_feeding": _("(Trẻ em) không uống được, bú kém"),
    "other": _("Triệu chứng khác"),
}
NO_SYMPTOMS = "none"
SYMPTOM_CHOICES = [(key, SYMPTOM_LABELS[key]) for key in rules.ALL_SYMPTOMS]
REGISTRATION_SYMPTOMS = [
    ("fever", _("Sốt")),
    ("cough", _("Ho")),
    ("sore_throat", _("Đau họng")),
    ("runny_nose", _("Sổ mũi, nghẹt mũi")),
    ("fatigue", _("Mệt mỏi")),
    ("headache", _("Đau đầu")),
    ("muscle_pain", _("Đau mỏi cơ")),
    ("diarrhoea", _("Tiêu chảy")),
    ("loss_of_taste_smell", _("Mất vị giác, khứu giác")),
    ("breathlessness", _("Khó thở")),
    ("chest_pain", _("Đau ngực")),
]


EMPTY_CHOICE = _("— Chọn —")
RAT_BY = [
    ("health_staff", _("Nhân viên y tế làm")),
    ("supervised", _("Tự làm, nhân viên y tế giám sát (trực tiếp hoặc từ xa)")),
    ("self", _("Tự làm, không có nhân viên y tế giám sát")),
]
RAT_SUPERVISED = {"health_staff", "supervised"}


class SymptomBoxes(forms.CheckboxSelectMultiple):
    """Checkboxes where "no symptoms" is marked data-exclusive for cases/forms.js."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value == NO_SYMPTOMS:
            option["attrs"]["data-exclusive"] = "true"
        return option


def _required_choice(label, choices, message) -> forms.ChoiceField:
    """A required choice with an empty first option, so nothing is chosen until someone does."""
    return forms.ChoiceField(
        label=label,
        choices=[("", EMPTY_CHOICE), *choices],
        error_messages={"required": message},
    )


def _phone(value: str) -> str:
    return normalize_phone(value) if value else ""


class PersonFieldsMixin(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(Person, "full_name"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900, max_value=2100, required=False
    )
    birth_date = BoundedDateField(label=_("Ngày sinh (trẻ dưới 5 tuổi: bắt buộc)"), required=False)
    sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", "—"), ("M", _("Nam")), ("F", _("Nữ"))], required=False
    )
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

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return validate_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("id_number") or data.get("birth_year")):
            raise ValidationError(
                _("Cần ít nhất số điện thoại, số CCCD hoặc năm sinh để tránh trùng hồ sơ.")
            )
        return data


class CaseRegisterForm(PersonFieldsMixin):
    commune = PlaceChoiceField(label=_("Xã/phường quản lý"), queryset=AdminUnit.objects.none())
    # Every required choice starts empty: a preset ("student", "RT-PCR") is silently saved
    # for whoever the worker forgot to ask about, e.g. a 68-year-old recorded as a student.
    test_kind = _required_choice(
        _("Loại xét nghiệm dương tính"),
        [("pcr", _("RT-PCR")), ("rat", _("Test nhanh kháng nguyên"))],
        _("Chọn loại xét nghiệm."),
    )
    tested_at = BoundedDateTimeField(label=_("Thời điểm lấy mẫu"), initial=timezone.now)
    # RT-PCR only: the laboratory and its sample number.
    lab = forms.CharField(
        label=_("Nơi xét nghiệm RT-PCR"), required=False, max_length=max_length(Sample, "lab")
    )
    sample_id = forms.CharField(
        label=_("Mã mẫu"), required=False, max_length=max_length(Sample, "lab_sample_id")
    )
    # Rapid test only: who did it decides whether 11042 counts it as supervised.
    rat_by = forms.ChoiceField(
        label=_("Ai làm test nhanh"), choices=[("", EMPTY_CHOICE), *RAT_BY], required=False
    )
    second_rat_at = BoundedDateTimeField(
        label=_("Thời điểm test nhanh lần 2 (nếu có)"), required=False
    )
    is_f1 = forms.BooleanField(label=_("Là F1"), required=False)
    has_epi_link = forms.BooleanField(label=_("Có yếu tố dịch tễ"), required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("Triệu chứng"),
        choices=REGISTRATION_SYMPTOMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    spo2 = forms.IntegerField(label=_("SpO2 (%)"), min_value=50, max_value=100, required=False)
    respiratory_rate = forms.IntegerField(
        label=_("Nhịp thở (lần/phút)"), min_value=5, max_value=90, required=False
    )
    detection = _required_choice(
        _("Nơi phát hiện"), DetectionSetting.choices, _("Chọn nơi phát hiện ca bệnh.")
    )
    occupation = _required_choice(
        _("Nhóm nghề nghiệp"), OccupationGroup.choices, _("Chọn nhóm nghề nghiệp.")
    )
    vaccination = _required_choice(
        _("Tiêm chủng"), Vaccination.choices, _("Chọn tình trạng tiêm chủng.")
    )
    comorbidities = forms.CharField(
        label=_("Bệnh nền (nếu có)"), required=False, max_length=max_length(Case, "comorbidities")
    )
    comorbidity_stable = forms.BooleanField(label=_("Bệnh nền điều trị ổn định"), required=False)
    pregnant = forms.BooleanField(label=_("Đang mang thai"), required=False)
    can_self_care = forms.BooleanField(
        label=_("Tự chăm sóc được hoặc có người chăm sóc"), required=False, initial=True
    )
    treatment_place = forms.ChoiceField(
        label=_("Nơi điều trị"),
        choices=TreatmentPlace.choices,
        initial=TreatmentPlace.HOME,
        required=False,
    )
    facility = forms.ModelChoiceField(
        label=_("Cơ sở điều trị (khi nhập viện hoặc vào khu cách ly)"),
        queryset=AdminUnit.objects.none(),
        required=False,
    )

    def __init__(self, *args, communes=None, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes
        if facilities is not None:
            self.fields["facility"].queryset = facilities

    # Fields shown only for one test kind (data-show-when in the template, cases/register.js).
    PCR_FIELDS = ("lab", "sample_id")
    RAT_FIELDS = ("rat_by", "second_rat_at")

    def clean(self):
        data = super().clean()
        kind = data.get("test_kind")
        if kind == "pcr":
            if not data.get("lab"):
                self.add_error("lab", _("Nhập nơi xét nghiệm RT-PCR."))
            # A rapid-test answer left from an earlier choice must not be saved with a PCR.
            data["rat_by"], data["second_rat_at"] = "", None
        elif kind == "rat":
            if not data.get("rat_by"):
                self.add_error("rat_by", _("Chọn ai đã làm test nhanh."))
            data["lab"], data["sample_id"] = "", ""
        data["supervised"] = kind == "pcr" or data.get("rat_by") in RAT_SUPERVISED
        place = data["treatment_place"] = data.get("treatment_place") or TreatmentPlace.HOME
        facility = data.get("facility")
        if place and place != TreatmentPlace.HOME and facility is None:
            self.add_error("facility", _("Chọn cơ sở điều trị."))
        if place == TreatmentPlace.HOME:
            data["facility"] = None
        return data

    def clean_tested_at(self):
        value = self.cleaned_data["tested_at"]
        if value > timezone.now():
            raise ValidationError(_("Thời điểm lấy mẫu không thể ở tương lai."))
        return value


class ImportForm(forms.Form):
    MODES = [
        ("keep_good", _("Nhập các dòng đúng, bỏ qua dòng lỗi")),
        ("all_or_nothing", _("Từ chối cả tệp nếu có dòng lỗi")),
    ]
    file = forms.FileField(label=_("Tệp kết quả xét nghiệm (.xlsx hoặc .csv)"))
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=MODES, widget=forms.RadioSelect)
    lab = forms.CharField(label=_("Nơi xét nghiệm"), max_length=max_length(Sample, "lab"))


class CheckForm(forms.Form):
    submission_key = forms.CharField(
        widget=forms.HiddenInput, max_length=max_length(HealthCheck, "submission_key")
    )
    temperature = forms.DecimalField(
        label=_("Nhiệt độ (°C)"), min_value=34, max_value=43, decimal_places=1, required=False
    )
    spo2 = forms.IntegerField(label=_("SpO2 (%)"), min_value=50, max_value=100, required=False)
    respiratory_rate = forms.IntegerField(
        label=_("Nhịp thở (lần/phút)"), min_value=5, max_value=90, required=False
    )
    pulse = forms.IntegerField(
        label=_("Mạch (lần/phút)"), min_value=20, max_value=250, required=False
    )
    bp_systolic = forms.IntegerField(
        label=_("Huyết áp tối đa (nếu đo được)"), min_value=40, max_value=260, required=False
    )
    bp_diastolic = forms.IntegerField(
        label=_("Huyết áp tối thiểu (nếu đo được)"), min_value=20, max_value=160, required=False
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Triệu chứng hiện có"),
        # "none" is an answer of its own: an empty list cannot tell "no symptoms" from
        # "did not answer". It excludes the others (server-side here, in the page by JS).
        choices=[(NO_SYMPTOMS, _("Không có triệu chứng")), *SYMPTOM_CHOICES],
        required=False,
        widget=SymptomBoxes,
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=max_length(HealthCheck, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        measured = [
            data.get(name)
            for name in ("temperature", "spo2", "respiratory_rate", "pulse")
            if data.get(name) is not None
        ]
        symptoms = data.get("symptoms") or []
        if NO_SYMPTOMS in symptoms:
            if len(symptoms) > 1:
                self.add_error(
                    "symptoms",
                    _("Đã chọn «Không có triệu chứng» thì không chọn thêm triệu chứng khác."),
                )
                return data
            # Saved as an empty list; the answer itself counts as filling the form in.
            data["symptoms"] = []
            return data
        if not measured and not symptoms:
            raise ValidationError(
                _("Nhập ít nhất một chỉ số, một triệu chứng hoặc chọn «Không có triệu chứng».")
            )
        return data


class AlertActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("acknowledge", "acknowledge"), ("resolve", "resolve"), ("escalate", "escalate")]
    )
    note = forms.CharField(required=False, max_length=max_length(Alert, "note"))
    outcome = forms.ChoiceField(required=False, choices=Alert.Outcome.choices)


class AlertResolveForm(forms.Form):
    """The confirmation step before an alert is closed: what was done, and a note. The
    "transferred" outcome is not offered: a transfer is recorded on the transfer page, which
    closes the alert itself."""

    outcome = forms.ChoiceField(
        label=_("Kết quả xử lý"),
        widget=forms.RadioSelect,
        choices=[
            (value, label)
            for value, label in Alert.Outcome.choices
            if value and value != Alert.Outcome.TRANSFERRED
        ],
    )
    note = forms.CharField(
        label=_("Ghi chú (đã làm gì, dặn F0 điều gì)"),
        max_length=max_length(Alert, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, alert: Alert | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if alert is not None and alert.kind != Alert.Kind.DANGER:
            self.fields["outcome"].required = False
            self.fields["note"].required = False


class TransferOverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do không chuyển tuyến"),
        max_length=max_length(Case, "transfer_need_note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _FacilitySelect(forms.Select):
    """Full facilities are listed (so staff see them) but cannot be chosen."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and getattr(instance, "free_beds", 1) <= 0:
            option["attrs"]["disabled"] = True
        return option


class TransferForm(forms.Form):
    # Starts empty: a preset "Tại nhà" could be sent by mistake for a patient going up.
    to_place = forms.ChoiceField(
        label=_("Chuyển đến"), choices=[("", "—"), *TreatmentPlace.choices]
    )
    facility = forms.ModelChoiceField(
        label=_("Cơ sở (xếp theo số giường trống)"),
        queryset=None,
        required=False,
        empty_label="—",
        widget=_FacilitySelect,
    )
    reason = forms.CharField(label=_("Lý do"), max_length=max_length(Transfer, "reason"))
    # Chosen above the form (the list is re-sorted by it), carried here so the bed taken is
    # the one the list showed free.
    bed_type = forms.ChoiceField(
        choices=BedType.choices, widget=forms.HiddenInput, required=False
    )
    alert_id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=ID_MAX
    )

    def __init__(self, *args, facilities, bed_type=BedType.REGULAR, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed_type"].initial = bed_type
        self.fields["facility"].queryset = facilities
        kind = BedType(bed_type).label.lower()
        self.fields["facility"].label_from_instance = lambda f: (
            f"{f.name} ({f.unit.label()}) · {f.get_kind_display()} · "
            + (
                str(_("còn %(free)d/%(total)d %(kind)s"))
                % {"free": f.free_beds, "total": f.beds(bed_type)[0], "kind": kind}
                if f.free_beds > 0
                else str(_("hết %(kind)s")) % {"kind": kind}
            )
        )


class LinkSendForm(SubmissionKeyForm):
    """Send the just-issued personal link to the F0 (cases.services.case_link_send)."""

    channel = forms.ChoiceField(choices=CaseLinkSend.Channel.choices)


class ReleaseForm(forms.Form):
    negative_rat_on = BoundedDateField(label=_("Ngày test nhanh âm tính (nếu có)"), required=False)


class DeathForm(forms.Form):
    died_on = BoundedDateField(label=_("Ngày mất"))
    place = forms.CharField(label=_("Nơi mất"), max_length=max_length(Death, "place"))
    cause = forms.CharField(label=_("Nguyên nhân"), max_length=max_length(Death, "cause"))
    pcr_confirmed = forms.BooleanField(label=_("Đã khẳng định bằng RT-PCR"), required=False)


class DossierForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("collected", "collected"), ("sent", "sent"), ("paid", "paid")]
    )


class MedicineBagForm(SubmissionKeyForm):
    kind = forms.ChoiceField(label=_("Loại túi thuốc"), choices=MedicineBag.Kind.choices)
    handed_on = BoundedDateField(label=_("Ngày cấp"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=max_length(MedicineBag, "note")
    )


class MobileVisitForm(SubmissionKeyForm):
    visited_on = BoundedDateField(label=_("Ngày khám"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=max_length(MobileStationVisit, "note")
    )


class VerifyForm(forms.Form):
    is_f1 = forms.BooleanField(label=_("Là F1"), required=False)
    has_symptoms = forms.BooleanField(label=_("Có triệu chứng"), required=False)
    has_epi_link = forms.BooleanField(label=_("Có yếu tố dịch tễ"), required=False)
    rat_supervised = forms.BooleanField(
        label=_("Nhân viên y tế đã giám sát (trực tiếp hoặc từ xa) việc test nhanh"),
        required=False,
    )


class OverrideForm(forms.Form):
    eligible = forms.BooleanField(label=_("Đủ điều kiện điều trị tại nhà"), required=False)
    reason = forms.CharField(
        label=_("Lý do điều chỉnh"), max_length=max_length(Case, "home_care_override")
    )


class SelfDeclareForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(Person, "full_name"))
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1900, max_value=2100)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=PHONE_INPUT_MAX_LENGTH)
    commune = PlaceChoiceField(label=_("Xã/phường nơi ở"), queryset=AdminUnit.objects.none())
    address = forms.CharField(
        label=_("Địa chỉ (số nhà, thôn/xóm)"),
        required=False,
        max_length=max_length(Person, "address"),
    )
    tested_on = BoundedDateField(label=_("Ngày test nhanh dương tính"), initial=timezone.localdate)
    has_symptoms = forms.BooleanField(label=_("Có sốt, ho, đau họng hoặc mệt"), required=False)
    is_f1 = forms.BooleanField(label=_("Đã tiếp xúc gần với người mắc COVID-19"), required=False)
    photo = forms.ImageField(label=_("Ảnh que test (không bắt buộc)"), required=False)
    # Left empty by people; filled by naive bots (hidden with CSS).
    website = forms.CharField(required=False, label="Website", max_length=HONEYPOT_MAX_LENGTH)

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_tested_on(self):
        value = self.cleaned_data["tested_on"]
        today = timezone.localdate()
        if value > today or (today - value).days > 14:
            raise ValidationError(_("Ngày test phải trong 14 ngày gần đây."))
        return value

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > 5 * 1024 * 1024:
            raise ValidationError(_("Ảnh quá lớn (tối đa 5 MB)."))
        return photo


class ReportForm(forms.Form):
    commentary = forms.CharField(
        label=_("Nhận định, lý giải số liệu"),
        max_length=max_length(DailyReport, "commentary"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
