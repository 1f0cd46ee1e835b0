"""{{ record|reference }}: the citizen-facing reference number (lib.references)."""

from django import template

from phongdich.lib.references import reference_for

register = template.Library()


@register.filter
def reference(obj) -> str:
    return reference_for(obj) if obj is not None and obj.pk else ""
