from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.lib.bounds import BoundedDateField


class BriefingForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị"))
    day_from = BoundedDateField(label=_("Từ ngày"))
    day_to = BoundedDateField(label=_("Đến ngày"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = [(str(u.pk), str(u)) for u in units]

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]
