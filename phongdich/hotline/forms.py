from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import PlaceChoiceField, placed_group, placed_label
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import home_communes
from phongdich.lib.bounds import (
    HONEYPOT_MAX_LENGTH,
    ID_MAX,
    PHONE_INPUT_MAX_LENGTH,
    max_length,
)
from phongdich.lib.idempotency import SubmissionKeyForm
from phongdich.lib.identity import normalize_phone
from phongdich.zones.forms import CITIZEN_PORTIONS_MAX
from phongdich.zones.models import Household

from .models import (
    Category,
    Fulfilment,
    ReliefRequest,
    ResponsibleUnit,
    SupportPayment,
    SupportPolicy,
    Ticket,
    TicketEvent,
    TicketMessage,
)

# Optimistic concurrency: the version the page was rendered with (Ticket.version).
VERSION_MAX = 2**31 - 1


def _phone(value: str) -> str:
    return normalize_phone(value) if value else ""


class CallForm(SubmissionKeyForm):
    """The agent's fast entry: phone first, then branch, words, commune (keyboard order)."""

    caller_phone = forms.CharField(
        label=_("Số gọi đến"), required=False, max_length=PHONE_INPUT_MAX_LENGTH
    )
    person = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=ID_MAX
    )
    caller_name = forms.CharField(
        label=_("Họ tên người gọi"), required=False, max_length=max_length(Ticket, "caller_name")
    )
    category = forms.ModelChoiceField(
        label=_("Nhánh"), queryset=Category.objects.filter(active=True), empty_label=None
    )
    text = forms.CharField(
        label=_("Nội dung"),
        max_length=max_length(Ticket, "text"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    commune = PlaceChoiceField(
        label=_("Xã/phường"), queryset=AdminUnit.objects.none(), required=False
    )
    pregnant = forms.BooleanField(label=_("Phụ nữ mang thai"), required=False)
    anonymous = forms.BooleanField(label=_("Người báo không muốn nêu tên"), required=False)
    # Branch 6 (food) inside a zone in force: the household's address and the portions it
    # asks, to find (or open) the zone's request for it (services/food_link.py).
    household_address = forms.CharField(
        label=_("Địa chỉ hộ (nhánh lương thực)"),
        required=False,
        max_length=max_length(Household, "address"),
    )
    portions = forms.IntegerField(
        label=_("Số suất"), required=False, min_value=1, max_value=CITIZEN_PORTIONS_MAX
    )

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes

    def clean_caller_phone(self):
        return _phone(self.cleaned_data["caller_phone"])


class PublicTicketForm(SubmissionKeyForm):
    category = forms.ModelChoiceField(
        label=_("Bạn cần gì?"),
        queryset=Category.objects.filter(active=True).exclude(code="emergency"),
        empty_label=None,
    )
    text = forms.CharField(
        label=_("Nội dung"),
        max_length=max_length(Ticket, "text"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    caller_name = forms.CharField(
        label=_("Họ tên (không bắt buộc)"),
        required=False,
        max_length=max_length(Ticket, "caller_name"),
    )
    caller_phone = forms.CharField(
        label=_("Số điện thoại để cán bộ gọi lại (không bắt buộc)"),
        required=False,
        max_length=PHONE_INPUT_MAX_LENGTH,
    )
    commune = PlaceChoiceField(
        label=_("Xã/phường nơi bạn ở"), queryset=AdminUnit.objects.none(), required=False
    )
    anonymous = forms.BooleanField(label=_("Tôi muốn giấu tên"), required=False)
    # A field people never see: bots fill it, humans leave it empty.
    website = forms.CharField(
        required=False,
        max_length=HONEYPOT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = home_communes()

    def clean_caller_phone(self):
        return _phone(self.cleaned_data["caller_phone"])


class ReplyForm(SubmissionKeyForm):
    body = forms.CharField(
        label=_("Nội dung"),
        max_length=max_length(TicketMessage, "body"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal = forms.BooleanField(label=_("Ghi chú nội bộ (người dân không thấy)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)


class CitizenReplyForm(SubmissionKeyForm):
    body = forms.CharField(
        label=_("Trả lời"),
        max_length=max_length(TicketMessage, "body"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ForwardForm(forms.Form):
    unit = PlaceChoiceField(
        label=_("Chuyển đến đơn vị"),
        queryset=ResponsibleUnit.objects.none(),
        group_by=placed_group,
        label_by=placed_label,
    )
    note = forms.CharField(
        label=_("Lý do"), required=False, max_length=max_length(TicketEvent, "note")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX)
    note = forms.CharField(required=False, max_length=max_length(TicketEvent, "note"))


class ReliefForm(SubmissionKeyForm):
    household_name = forms.CharField(
        label=_("Chủ hộ"), max_length=max_length(ReliefRequest, "household_name")
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), required=False, max_length=PHONE_INPUT_MAX_LENGTH
    )
    address = forms.CharField(
        label=_("Địa chỉ"), required=False, max_length=max_length(ReliefRequest, "address")
    )
    commune = PlaceChoiceField(label=_("Xã/phường"), queryset=AdminUnit.objects.none())
    people_count = forms.IntegerField(
        label=_("Số nhân khẩu"), min_value=1, max_value=100, initial=1
    )
    need_rice = forms.BooleanField(label=_("Gạo"), required=False)
    need_food = forms.BooleanField(label=_("Thực phẩm"), required=False)
    need_medicine = forms.BooleanField(label=_("Thuốc"), required=False)
    need_cash = forms.BooleanField(label=_("Tiền mặt"), required=False)
    need_other = forms.CharField(
        label=_("Nhu cầu khác"), required=False, max_length=max_length(ReliefRequest, "need_other")
    )
    urgency = forms.ChoiceField(label=_("Mức độ"), choices=ReliefRequest.Urgency.choices)

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communes is not None:
            self.fields["commune"].queryset = communes

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class FulfilForm(SubmissionKeyForm):
    what = forms.CharField(label=_("Đã trao"), max_length=max_length(Fulfilment, "what"))
    delivered_by = forms.CharField(
        label=_("Người/đơn vị trao"),
        required=False,
        max_length=max_length(Fulfilment, "delivered_by"),
    )
    complete = forms.BooleanField(label=_("Đã đáp ứng đủ yêu cầu"), required=False, initial=True)


class SupportForm(SubmissionKeyForm):
    person = forms.IntegerField(label=_("Mã hồ sơ người dân"), min_value=1, max_value=ID_MAX)
    policy = forms.ModelChoiceField(
        label=_("Chính sách"), queryset=SupportPolicy.objects.filter(active=True), empty_label=None
    )
    # SupportPayment.days is a PositiveSmallIntegerField; no policy pays for more than a year.
    days = forms.IntegerField(
        label=_("Số ngày (với tiền ăn)"), required=False, min_value=1, max_value=366
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=max_length(SupportPayment, "note")
    )
