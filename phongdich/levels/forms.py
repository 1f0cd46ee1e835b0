from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.lib.bounds import BoundedDateField, max_length

from . import rules
from .models import Assessment, LevelRule, RuleSetStart


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


class ThresholdChangeForm(forms.Form):
    """A new value of one threshold, band or matrix cell from a date (thresholds.py)."""

    value = forms.DecimalField(
        label=_("Giá trị mới"),
        required=False,
        min_value=0,
        max_value=1_000_000,  # the column holds 9,999,999.999; no threshold comes near
        max_digits=10,
        decimal_places=3,
    )
    level = forms.TypedChoiceField(
        label=_("Cấp độ mới"),
        choices=[("", "---------")] + [(lvl, str(lvl)) for lvl in rules.LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    valid_from = BoundedDateField(
        label=_("Áp dụng từ ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    regulation = forms.CharField(
        label=_("Văn bản quy định"), max_length=max_length(LevelRule, "regulation")
    )
    # Not "confirmed": that name is the confirmation tick (lib/confirm.py).
    source_checked = forms.BooleanField(label=_("Đã đối chiếu văn bản"), required=False)
    note = forms.CharField(
        label=_("Ghi chú thay đổi"),
        required=False,
        max_length=max_length(LevelRule, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A matrix cell takes a level, the others a number.
        if row is not None and row.kind == "cell":
            del self.fields["value"]
            self.fields["level"].required = True
        else:
            del self.fields["level"]
            self.fields["value"].required = True


class RuleStartChangeForm(forms.Form):
    """A new start day of a rule set (the day that switches 4800 to 218; thresholds.py)."""

    starts_on = BoundedDateField(
        label=_("Áp dụng từ ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    regulation = forms.CharField(
        label=_("Văn bản quy định"), max_length=max_length(RuleSetStart, "regulation")
    )
    source_checked = forms.BooleanField(label=_("Đã đối chiếu văn bản"), required=False)
    note = forms.CharField(
        label=_("Ghi chú thay đổi"),
        required=False,
        max_length=max_length(RuleSetStart, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The start row the officer was shown (0: none yet), so a change made meanwhile by
    # someone else is refused instead of replaced unseen (thresholds.rule_start_change).
    based_on = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=2**63 - 1, required=True
    )


class ShapeImportForm(forms.Form):
    MODES = [
        ("keep_good", _("Nhập các dòng đúng, bỏ qua dòng lỗi")),
        ("all_or_nothing", _("Từ chối cả tệp nếu có dòng lỗi")),
    ]
    file = forms.FileField(label=_("Tệp ranh giới (.geojson)"))
    mode = forms.ChoiceField(
        label=_("Khi có dòng lỗi"), choices=MODES, initial="keep_good", widget=forms.RadioSelect
    )
