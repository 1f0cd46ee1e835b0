"""`{% place_select %}`: the place picker for a list page's filter (a GET form, no Django
form behind it), with the same labels and grouping as geo.fields.PlaceChoiceField."""

from django import template

from phongdich.geo.fields import PlaceSelect, grouped, place_group, place_label

register = template.Library()


@register.simple_tag
def place_select(name, objects, selected=None, empty_label="", label=""):
    widget = PlaceSelect(attrs={"aria-label": label, "id": f"id_filter_{name}"})
    widget.choices = [
        ("", empty_label),
        *grouped(objects, place_group, lambda o: (o.pk, place_label(o))),
    ]
    return widget.render(name, "" if selected is None else str(selected))
