"""The create/edit form of a policy row, built from the registered model's own fields.

Bounds come from the model (field types, choices, max lengths, validators); choices of a
related unit, user or unit-scoped row are limited to the admin's jurisdiction.
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms.models import modelform_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from phongdich.geo.fields import is_placed, place_field_for, place_ordering, place_select_related
from phongdich.lib.idempotency import SubmissionKeyForm

from .registry import PolicyTable
from .selectors import scoped


def _field_callback(field: models.Field, **kwargs):
    if isinstance(field, models.BooleanField) and field.null:
        # "Any" is a real value in condition tables: a three-way select, never a checkbox.
        widget = forms.NullBooleanSelect()
        widget.choices = [("unknown", _("— Không xét —")), ("true", _("Có")), ("false", _("Không"))]
        return forms.NullBooleanField(
            label=capfirst(field.verbose_name), required=False, widget=widget
        )
    if isinstance(field, models.DateField):
        formfield = field.formfield(**kwargs)
        formfield.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        formfield.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        return formfield
    formfield = field.formfield(**kwargs)
    if isinstance(formfield, forms.IntegerField):
        # The model's bounds, shown to the phone's number keyboard as well as checked.
        for validator in field.validators:
            if isinstance(validator, MaxValueValidator):
                formfield.widget.attrs["max"] = validator.limit_value
            elif isinstance(validator, MinValueValidator):
                formfield.widget.attrs["min"] = validator.limit_value
    return formfield


class _CreateForm(forms.ModelForm, SubmissionKeyForm):
    """A new row's form carries a submission key (a double click adds one row); an edit
    needs none: saving the same values twice changes nothing."""


def policy_form(table: PolicyTable, user, *, data=None, instance=None) -> forms.ModelForm:
    form_class = modelform_factory(
        table.model,
        form=_CreateForm if instance is None else forms.ModelForm,
        fields=list(table.fields),
        formfield_callback=_field_callback,
    )
    form = form_class(data=data, instance=instance)
    for name, formfield in list(form.fields.items()):
        if isinstance(formfield, forms.ModelChoiceField):  # also ModelMultipleChoiceField
            related = table.model._meta.get_field(name).related_model
            single = not isinstance(formfield, forms.ModelMultipleChoiceField)
            queryset = scoped(user, related)
            if single and is_placed(related):
                # A unit or an office in one: the place picker, never a bare name that
                # two communes share (the routing table has ~1,100 offices).
                queryset = queryset.select_related(*place_select_related(related)).order_by(
                    *place_ordering(related)
                )
                formfield = form.fields[name] = place_field_for(
                    related,
                    queryset=queryset,
                    required=formfield.required,
                    label=formfield.label,
                    help_text=formfield.help_text,
                    **({"initial": formfield.initial} if formfield.initial is not None else {}),
                )
            formfield.queryset = queryset
            if single and not formfield.required:
                formfield.empty_label = _("— Để trống —")
        if instance is not None and instance.pk and name in table.fixed_fields:
            formfield.disabled = True
            formfield.help_text = _("Không sửa được sau khi tạo (các hồ sơ khác dẫn chiếu).")
        widget = formfield.widget
        if isinstance(widget, forms.NumberInput):
            widget.attrs.setdefault("inputmode", "numeric")
    return form
