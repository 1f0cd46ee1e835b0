from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.checkpoints.services import SYMPTOMS
from phongdich.lib.bounds import BoundedDateField, max_length
from phongdich.lib.idempotency import SubmissionKeyForm

from .models import DailyCheck, Quarantine


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
