"""Test helper: post a policy row's edit form as a browser would, with some values changed."""

from datetime import date

from django import forms
from django.urls import reverse


def _post_value(formfield, value):
    if isinstance(formfield, forms.NullBooleanField):
        return {True: "true", False: "false"}.get(value, "unknown")
    if isinstance(formfield, forms.BooleanField):
        return "on" if value else None
    if isinstance(formfield, forms.ModelMultipleChoiceField):
        return [getattr(v, "pk", v) for v in value or []]
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else getattr(value, "pk", value)


def form_values(form, **changes) -> dict:
    """The form's current values as POST data, with `changes` (model values) applied."""
    data = {}
    for name, bound in form.fields.items():
        value = changes[name] if name in changes else form[name].value()
        posted = _post_value(bound, value)
        if posted is not None:
            data[name] = posted
    return data


def post_edit(client, slug: str, row, **changes):
    url = reverse("policy:edit", args=[slug, row.pk])
    form = client.get(url).context["form"]
    return client.post(url, form_values(form, **changes))


def post_create(client, slug: str, **values):
    url = reverse("policy:create", args=[slug])
    form = client.get(url).context["form"]
    return client.post(url, form_values(form, **values))
