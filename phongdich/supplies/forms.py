from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.lib.bounds import BoundedDateField, BoundedDateTimeField, max_length
from phongdich.lib.idempotency import SubmissionKeyForm

from .models import Item, Place, StockEntry, SupplyRequest

# Ten million units of anything is past what a province holds; the ceiling keeps typos out.
QUANTITY_MAX = Decimal("10000000")


def _quantity(label):
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=QUANTITY_MAX,
        max_digits=12,
        decimal_places=2,
        localize=True,
    )


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.unit.label()})"


class MovementForm(SubmissionKeyForm):
    """A receipt, an issue or a count at one place."""

    KINDS = [
        (StockEntry.Kind.RECEIPT, StockEntry.Kind.RECEIPT.label),
        (StockEntry.Kind.ISSUE, StockEntry.Kind.ISSUE.label),
        (StockEntry.Kind.COUNT, StockEntry.Kind.COUNT.label),
    ]
    kind = forms.ChoiceField(label=_("Loại phiếu"), choices=KINDS)
    item = forms.ModelChoiceField(label=_("Vật tư"), queryset=Item.objects.filter(active=True))
    quantity = _quantity(_("Số lượng (kiểm kê: số đếm được)"))
    occurred_at = BoundedDateTimeField(label=_("Thời điểm (để trống: bây giờ)"), required=False)
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(StockEntry, "note"), required=False
    )


class TransferForm(SubmissionKeyForm):
    item = forms.ModelChoiceField(label=_("Vật tư"), queryset=Item.objects.filter(active=True))
    destination = PlaceChoiceField(label=_("Chuyển đến"), queryset=Place.objects.none())
    quantity = _quantity(_("Số lượng"))
    note = forms.CharField(
        label=_("Ghi chú"), max_length=max_length(StockEntry, "note"), required=False
    )

    def __init__(self, *args, destinations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if destinations is not None:
            self.fields["destination"].queryset = destinations


class CorrectionForm(forms.Form):
    right_quantity = _quantity(_("Số lượng đúng"))
    note = forms.CharField(label=_("Lý do điều chỉnh"), max_length=max_length(StockEntry, "note"))


class RequestForm(SubmissionKeyForm):
    item = forms.ModelChoiceField(label=_("Vật tư"), queryset=Item.objects.filter(active=True))
    quantity = _quantity(_("Số lượng đề nghị"))
    needed_by = BoundedDateField(label=_("Cần trước ngày"))
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=max_length(SupplyRequest, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"), choices=[("approve", _("Duyệt")), ("reject", _("Không duyệt"))]
    )
    quantity = forms.DecimalField(
        label=_("Số lượng duyệt (để trống: như đề nghị)"),
        required=False,
        min_value=Decimal("0"),
        max_value=QUANTITY_MAX,
        max_digits=12,
        decimal_places=2,
        localize=True,
    )
    note = forms.CharField(
        label=_("Ý kiến"), max_length=max_length(SupplyRequest, "decision_note"), required=False
    )


class FulfilForm(forms.Form):
    source = PlaceChoiceField(label=_("Cấp từ"), queryset=Place.objects.none())
    quantity = _quantity(_("Số lượng cấp"))

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sources is not None:
            self.fields["source"].queryset = sources
