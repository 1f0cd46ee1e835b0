from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.checkpoints.models import Checkpoint
from phongdich.geo.fields import PlaceChoiceField
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import PHONE_INPUT_MAX_LENGTH, BoundedDateField, max_length
from phongdich.lib.idempotency import SubmissionKeyForm
from phongdich.lib.identity import normalize_phone

from .models import (
    Delivery,
    FoodRequest,
    Household,
    HouseholdLinkSend,
    Zone,
    ZoneChange,
    ZoneProposal,
)

# No zone of a province holds more people than a whole district; the ceiling keeps a typo out.
PEOPLE_MAX = 2_000_000
PORTIONS_MAX = 10_000


def _count(label, maximum=PEOPLE_MAX, required=False, minimum=0):
    return forms.IntegerField(label=label, min_value=minimum, max_value=maximum, required=required)


class ZoneForm(forms.Form):
    """A new zone, proposed by the commune (or above) with the reason."""

    name = forms.CharField(label=_("Tên vùng"), max_length=max_length(Zone, "name"))
    kind = forms.ChoiceField(label=_("Phạm vi"), choices=Zone.Kind.choices)
    measure = forms.ChoiceField(label=_("Biện pháp"), choices=Zone.Measure.choices)
    risk_class = forms.ChoiceField(
        label=_("Phân loại nguy cơ"), choices=[("", "—"), *Zone.RiskClass.choices], required=False
    )
    commune = PlaceChoiceField(label=_("Xã, phường"), queryset=AdminUnit.objects.none())
    address = forms.CharField(
        label=_("Địa chỉ, mô tả"), max_length=max_length(Zone, "address"), required=False
    )
    people_count = _count(_("Số người"))
    households_count = _count(_("Số hộ"))
    last_case_on = BoundedDateField(label=_("Ngày có ca mắc mới gần nhất"), required=False)
    latitude = forms.DecimalField(
        label=_("Vĩ độ"),
        min_value=-90,
        max_value=90,
        max_digits=8,
        decimal_places=5,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Kinh độ"),
        min_value=-180,
        max_value=180,
        max_digits=8,
        decimal_places=5,
        required=False,
    )
    reason = forms.CharField(
        label=_("Lý do đề xuất"),
        max_length=max_length(ZoneProposal, "reason"),
        widget=forms.Textarea,
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            communes if communes is not None else AdminUnit.objects.none()
        )

    def answers(self) -> dict:
        values = dict(self.cleaned_data)
        for key in ("people_count", "households_count"):
            values[key] = values[key] or 0
        return values


class ProposalForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Đề xuất"),
        choices=[(a, label) for a, label in ZoneProposal.Action.choices if a != "impose"],
    )
    measure = forms.ChoiceField(
        label=_("Biện pháp mới"), choices=[("", "—"), *Zone.Measure.choices], required=False
    )
    risk_class = forms.ChoiceField(
        label=_("Phân loại mới"), choices=[("", "—"), *Zone.RiskClass.choices], required=False
    )
    reason = forms.CharField(
        label=_("Lý do đề xuất"),
        max_length=max_length(ZoneProposal, "reason"),
        widget=forms.Textarea,
    )


class DecideForm(forms.Form):
    approve = forms.ChoiceField(
        label=_("Quyết định"), choices=[("yes", _("Chấp thuận")), ("no", _("Không chấp thuận"))]
    )
    decision_number = forms.CharField(
        label=_("Số quyết định"),
        max_length=max_length(ZoneProposal, "decision_number"),
        required=False,
    )
    decision_date = BoundedDateField(label=_("Ngày quyết định"), required=False)
    decision_note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(ZoneProposal, "decision_note"), required=False
    )


class FactsForm(forms.Form):
    # Left empty, the lifting rule reads both dates from the cases and the screening rounds;
    # a typed date replaces the data and needs the reason below.
    last_case_on = BoundedDateField(
        label=_("Ngày có ca mắc mới gần nhất (để trống: theo số liệu)"), required=False
    )
    last_negative_round_on = BoundedDateField(
        label=_("Ngày vòng xét nghiệm âm tính gần nhất (để trống: theo số liệu)"), required=False
    )
    people_count = _count(_("Số người"), required=True)
    households_count = _count(_("Số hộ"), required=True)
    reason = forms.CharField(
        label=_("Ghi chú (bắt buộc khi nhập tay ngày)"),
        max_length=max_length(ZoneChange, "reason"),
        required=False,
    )


class HouseholdForm(forms.Form):
    address = forms.CharField(label=_("Địa chỉ hộ"), max_length=max_length(Household, "address"))
    head_name = forms.CharField(
        label=_("Chủ hộ"), max_length=max_length(Household, "head_name"), required=False
    )
    phone = forms.CharField(
        label=_("Điện thoại"), max_length=PHONE_INPUT_MAX_LENGTH, required=False
    )
    people = _count(_("Số người"), maximum=100, required=True, minimum=1)

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value else ""


class FoodRequestForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Hộ"), queryset=Household.objects.none())
    items = forms.CharField(label=_("Nhu cầu"), max_length=max_length(FoodRequest, "items"))
    portions = _count(_("Số suất"), maximum=PORTIONS_MAX, required=True, minimum=1)
    source = forms.ChoiceField(label=_("Nguồn"), choices=FoodRequest.Source.choices)

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        if zone is not None:
            self.fields["household"].queryset = zone.households.all()


class DeliveryForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Hộ"), queryset=Household.objects.none())
    request = forms.ModelChoiceField(
        label=_("Theo yêu cầu"), queryset=FoodRequest.objects.none(), required=False
    )
    portions = _count(_("Số suất"), maximum=PORTIONS_MAX, required=True, minimum=1)
    items = forms.CharField(
        label=_("Hàng đã giao"), max_length=max_length(Delivery, "items"), required=False
    )
    centre = forms.CharField(
        label=_("Đơn vị giao"), max_length=max_length(Delivery, "centre"), required=False
    )
    delivered_on = BoundedDateField(label=_("Ngày giao"))

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        if zone is not None:
            self.fields["household"].queryset = zone.households.all()
            self.fields["request"].queryset = zone.food_requests.filter(
                status=FoodRequest.Status.OPEN
            )


# A household asks for its own people: more than this many portions at once is a typo.
CITIZEN_PORTIONS_MAX = 100


class CitizenFoodForm(forms.Form):
    """The household's ask on its own page (phone-sized: three fields)."""

    items = forms.CharField(
        label=_("Cần gì (gạo, thực phẩm, sữa, thuốc thông thường…)"),
        max_length=max_length(FoodRequest, "items"),
    )
    portions = _count(_("Số suất"), maximum=CITIZEN_PORTIONS_MAX, required=True, minimum=1)
    note = forms.CharField(
        label=_("Ghi chú (không bắt buộc)"),
        max_length=max_length(FoodRequest, "note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HouseholdLinkSendForm(SubmissionKeyForm):
    """Send the household's just-issued link to its phone (services.household_link_send)."""

    channel = forms.ChoiceField(label=_("Gửi qua"), choices=HouseholdLinkSend.Channel.choices)


class CheckpointAttachForm(forms.Form):
    checkpoint = forms.ModelChoiceField(
        label=_("Chốt kiểm soát"), queryset=Checkpoint.objects.none()
    )

    def __init__(self, *args, checkpoints=None, **kwargs):
        super().__init__(*args, **kwargs)
        if checkpoints is not None:
            self.fields["checkpoint"].queryset = checkpoints
