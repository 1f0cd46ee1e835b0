from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from phongdich.people.models import Person

from .models import (
    Campaign,
    CampaignTarget,
    CoverageBand,
    Dose,
    DoseKind,
    OutreachOutcome,
    ReminderChannel,
    RiskFlag,
    RiskGroup,
    SiteKind,
    VaccineProduct,
)


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label  # always with its district


class DoseFieldsForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Vắc xin"), queryset=VaccineProduct.objects.filter(active=True)
    )
    dose_number = forms.IntegerField(label=_("Mũi số"), min_value=1, max_value=6)
    kind = forms.ChoiceField(
        label=_("Loại liều"),
        choices=[("", _("Theo số mũi (tự xác định)")), *DoseKind.choices],
        required=False,
    )
    given_on = BoundedDateField(label=_("Ngày tiêm"), initial=timezone.localdate)
    site_kind = forms.ChoiceField(label=_("Loại điểm tiêm"), choices=SiteKind.choices)
    site_name = forms.CharField(
        label=_("Điểm tiêm"), required=False, max_length=max_length(Dose, "site_name")
    )
    lot = forms.CharField(label=_("Số lô"), required=False, max_length=max_length(Dose, "lot"))

    def clean_given_on(self):
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Ngày tiêm không thể ở tương lai."))
        return value


class DoseForm(DoseFieldsForm):
    """A dose given to someone identified by what they show or say (CCCD, phone, name)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=max_length(Person, "full_name"))
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900, max_value=2100, required=False
    )
    birth_date = BoundedDateField(label=_("Ngày sinh"), required=False)
    sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("", "—"), ("M", _("Nam")), ("F", _("Nữ"))], required=False
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), required=False, max_length=PHONE_INPUT_MAX_LENGTH
    )
    id_number = forms.CharField(
        label=_("Số CCCD/CMND"), required=False, max_length=ID_NUMBER_INPUT_MAX_LENGTH
    )
    commune = CommuneChoiceField(label=_("Xã/phường cư trú"), queryset=AdminUnit.objects.none())

    field_order = ["id_number", "full_name", "birth_year", "birth_date", "sex", "phone", "commune"]

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
        if not (
            data.get("id_number")
            or data.get("phone")
            or data.get("birth_year")
            or data.get("birth_date")
        ):
            raise ValidationError(
                _("Cần ít nhất số CCCD, số điện thoại hoặc năm sinh để xác định đúng người.")
            )
        return data


class ReviewMatchForm(forms.Form):
    person_id = forms.IntegerField(min_value=1, max_value=ID_MAX)


class ImportForm(forms.Form):
    MODES = [
        ("keep_good", _("Nhập các dòng đúng, bỏ qua dòng lỗi")),
        ("all_or_nothing", _("Từ chối cả tệp nếu có dòng lỗi")),
    ]
    file = forms.FileField(label=_("Tệp mũi tiêm (.xlsx hoặc .csv)"))
    mode = forms.ChoiceField(label=_("Khi có dòng lỗi"), choices=MODES, widget=forms.RadioSelect)


class OutreachFilterForm(forms.Form):
    NEEDS = [
        ("", _("Chưa tiêm hoặc quá hạn mũi tiếp theo")),
        ("unvaccinated", _("Chưa tiêm")),
        ("overdue", _("Quá hạn mũi tiếp theo")),
    ]
    commune = CommuneChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    min_age = forms.IntegerField(label=_("Từ tuổi"), min_value=0, max_value=130, required=False)
    max_age = forms.IntegerField(label=_("Đến tuổi"), min_value=0, max_value=130, required=False)
    need = forms.ChoiceField(label=_("Cần"), choices=NEEDS, required=False)
    min_days_overdue = forms.IntegerField(
        label=_("Quá hạn từ (ngày)"), min_value=0, max_value=2000, required=False
    )
    dose_number = forms.IntegerField(
        label=_("Mũi cần tiêm"), min_value=1, max_value=6, required=False
    )
    without_outcome = forms.BooleanField(
        label=_("Chỉ người chưa có kết quả vận động"), required=False
    )
    risk_group = forms.ChoiceField(
        label=_("Nhóm nguy cơ"),
        required=False,
        choices=[
            ("", _("Mọi người")),
            ("risk", _("Nhóm nguy cơ cao (bất kỳ)")),
            ("50+", _("Từ 50 tuổi")),
            ("65+", _("Từ 65 tuổi")),
            *RiskGroup.choices,
        ],
    )

    def words(self) -> list[str]:
        """The list's filters as words for the heading of a printed or exported list."""
        data = self.cleaned_data
        words = []
        if data["min_age"] is not None or data["max_age"] is not None:
            low = data["min_age"] if data["min_age"] is not None else 0
            if data["max_age"] is not None:
                words.append(
                    gettext("từ %(low)s đến %(high)s tuổi") % {"low": low, "high": data["max_age"]}
                )
            else:
                words.append(gettext("từ %(low)s tuổi") % {"low": low})
        words.append(str(dict(self.NEEDS)[data["need"] or ""]).lower())
        if data["dose_number"]:
            words.append(gettext("cần tiêm mũi %(n)s") % {"n": data["dose_number"]})
        if data["min_days_overdue"]:
            words.append(gettext("quá hạn từ %(n)s ngày") % {"n": data["min_days_overdue"]})
        if data["risk_group"]:
            words.append(str(dict(self.fields["risk_group"].choices)[data["risk_group"]]).lower())
        if data["without_outcome"]:
            words.append(gettext("chưa có kết quả vận động"))
        return words

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes


class OutcomeForm(SubmissionKeyForm):
    person_id = forms.IntegerField(min_value=1, max_value=ID_MAX)
    kind = forms.ChoiceField(label=_("Kết quả"), choices=OutreachOutcome.Kind.choices)
    reason = forms.CharField(
        label=_("Lý do, ghi chú"), required=False, max_length=max_length(OutreachOutcome, "reason")
    )
    until = BoundedDateField(label=_("Hoãn đến ngày"), required=False)


# --- risk groups, denominators, campaigns ----------------------------------------------------


class RiskFlagForm(forms.Form):
    """One risk group added by hand on a person's record (a pregnancy reported at the
    station, a teacher's list read out on the phone)."""

    group = forms.ChoiceField(label=_("Nhóm nguy cơ"), choices=RiskGroup.choices)
    enterprise = forms.CharField(
        label=_("Tên doanh nghiệp (nhóm công nhân)"),
        required=False,
        max_length=max_length(RiskFlag, "enterprise"),
    )
    source = forms.CharField(
        label=_("Nguồn thông tin"),
        max_length=max_length(RiskFlag, "source"),
        initial=_("Ghi trực tiếp trên hồ sơ"),
    )
    since = BoundedDateField(label=_("Từ ngày"))
    until = BoundedDateField(label=_("Đến ngày (nếu có)"), required=False)


class RiskFlagEndForm(forms.Form):
    until = BoundedDateField(label=_("Kết thúc từ ngày"))


class RiskImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp nhóm nguy cơ (.xlsx hoặc .csv)"))
    mode = forms.ChoiceField(
        label=_("Khi có dòng lỗi"), choices=ImportForm.MODES, widget=forms.RadioSelect
    )


class PopulationBandImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp dân số theo nhóm tuổi (.xlsx hoặc .csv)"))
    mode = forms.ChoiceField(
        label=_("Khi có dòng lỗi"), choices=ImportForm.MODES, widget=forms.RadioSelect
    )


CAMPAIGN_AGE_BANDS = [
    (b, label) for b, label in CoverageBand.choices if b in ("5-11", "12-17", "18+", "50+", "65+")
]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Tên chiến dịch"), max_length=max_length(Campaign, "name"))
    start = BoundedDateField(label=_("Bắt đầu"))
    deadline = BoundedDateField(label=_("Hạn hoàn thành"))
    age_bands = forms.MultipleChoiceField(
        label=_("Nhóm tuổi"),
        choices=CAMPAIGN_AGE_BANDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_groups = forms.MultipleChoiceField(
        label=_("Nhóm nguy cơ"),
        choices=RiskGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dose_number = forms.IntegerField(
        label=_("Chỉ tính mũi số (trống: mọi mũi)"), min_value=1, max_value=6, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("deadline") and data["deadline"] < data["start"]:
            self.add_error("deadline", _("Hạn hoàn thành phải sau ngày bắt đầu."))
        return data


class CampaignTargetForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=AdminUnit.objects.none())
    target = forms.IntegerField(label=_("Chỉ tiêu (người)"), min_value=0, max_value=10**8)
    official_name = forms.CharField(
        label=_("Người chịu trách nhiệm"), max_length=max_length(CampaignTarget, "official_name")
    )
    official_title = forms.CharField(
        label=_("Chức vụ"), required=False, max_length=max_length(CampaignTarget, "official_title")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.label()


class CampaignTaskLinkForm(forms.Form):
    task = forms.IntegerField(label=_("Mã nhiệm vụ chỉ đạo"), min_value=1, max_value=ID_MAX)


class ReminderChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Nhận nhắc lịch tiêm qua"), choices=ReminderChannel.Channel.choices
    )
