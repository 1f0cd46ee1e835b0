"""Forms of the AEFI pages (aefi.py): the staff report, the vaccinee's report through a
personal link (phone-sized), and the investigation's status."""

from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.lib.bounds import (
    PHONE_INPUT_MAX_LENGTH,
    BoundedDateField,
    BoundedDateTimeField,
    max_length,
)
from phongdich.lib.idempotency import SubmissionKeyForm
from phongdich.lib.identity import normalize_phone

from .models import Aefi, AefiLinkSend, AefiStatusChange

ONSET_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class DoseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.dose_number} · {obj.given_on:%d/%m/%Y} · {obj.product.name}"


class AefiForm(SubmissionKeyForm):
    onset_at = BoundedDateTimeField(
        label=_("Thời điểm xuất hiện triệu chứng (ngày/tháng/năm giờ:phút)"),
        input_formats=ONSET_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Triệu chứng, diễn biến"),
        max_length=max_length(Aefi, "description"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    treatment = forms.CharField(
        label=_("Đã xử trí, điều trị thế nào"),
        required=False,
        max_length=max_length(Aefi, "treatment"),
    )
    outcome = forms.ChoiceField(label=_("Tình trạng hiện tại"), choices=Aefi.Outcome.choices)
    died = forms.BooleanField(label=_("Tử vong"), required=False)
    life_threatening = forms.BooleanField(label=_("Đe dọa tính mạng"), required=False)
    hospitalised = forms.BooleanField(
        label=_("Phải nhập viện hoặc kéo dài nằm viện"), required=False
    )
    disability = forms.BooleanField(label=_("Tàn tật hoặc di chứng kéo dài"), required=False)
    reporter_name = forms.CharField(
        label=_("Người báo cáo"), required=False, max_length=max_length(Aefi, "reporter_name")
    )
    reporter_phone = forms.CharField(
        label=_("Số điện thoại liên hệ"), required=False, max_length=PHONE_INPUT_MAX_LENGTH
    )

    def __init__(self, *args, doses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if doses is not None:
            self.fields["dose"] = DoseChoiceField(
                label=_("Sau mũi tiêm"), queryset=doses, required=False, empty_label="—"
            )

    def clean_reporter_phone(self):
        raw = self.cleaned_data["reporter_phone"]
        if not raw:
            return ""
        return normalize_phone(raw)


class PublicAefiForm(AefiForm):
    """The vaccinee (or a relative) reporting from a phone: their name is needed to call back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter_name"].required = True
        self.fields["reporter_name"].label = _("Họ tên người báo (bạn hoặc người nhà)")


class AefiStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), choices=Aefi.Status.choices)
    causality = forms.ChoiceField(
        label=_("Phân loại nguyên nhân"),
        choices=[("", "—"), *Aefi.Causality.choices],
        required=False,
    )
    conclusion = forms.CharField(
        label=_("Kết luận điều tra"),
        required=False,
        max_length=max_length(Aefi, "conclusion"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AefiReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại điều tra"),
        max_length=max_length(AefiStatusChange, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkSendForm(SubmissionKeyForm):
    """Send the just-issued AEFI link to the vaccinee (aefi.aefi_link_send)."""

    channel = forms.ChoiceField(choices=AefiLinkSend.Channel.choices)


class AefiReportForm(forms.Form):
    """The national-layout export's filter (GET): the period by the day a report was
    received, and the investigation's status ("open" = not concluded, as the queue)."""

    OPEN = "open"

    since = BoundedDateField(label=_("Từ ngày"), required=False)
    until = BoundedDateField(label=_("Đến ngày"), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Mọi trạng thái")), (OPEN, _("Chưa kết luận")), *Aefi.Status.choices],
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("Ngày kết thúc trước ngày bắt đầu."))
        return data
