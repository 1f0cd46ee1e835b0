from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value):
    """A share in [0, 1] as "83,3 %"; "—" when there was nothing to divide."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, decimal_pos=1)} %"


@register.filter
def ratio(value):
    if value is None:
        return "—"
    return number_format(value, decimal_pos=1)


@register.inclusion_tag("tracing/_case_card.html")
def tracing_card(case):
    """The "Tiếp xúc" card on the F0 page (which has already checked the jurisdiction)."""
    return {"case": case, "count": case.contacts.count()}
