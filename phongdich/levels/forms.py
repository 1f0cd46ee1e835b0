from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.lib.bounds import BoundedDateField, max_length

from . import rules
from .models import Assessment


class ReviewForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Cấp độ sau thẩm định"),
        choices=[(lvl, str(lvl)) for lvl in rules.LEVELS],
        coerce=int,
    )
    reason = forms.CharField(
        label=_("Lý do điều chỉnh (bắt buộc khi khác đề xuất)"),
        required=False,
        max_length=max_length(Assessment, "override_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    effective_from = BoundedDateField(
        label=_("Áp dụng từ ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
