from django import template

from phongdich.hotline.labels import priority_reason_label

register = template.Library()


@register.filter
def priority_reasons(reasons) -> str:
    """A ticket's stored priority reasons, in the reader's language, joined by "; "."""
    return "; ".join(priority_reason_label(r) for r in reasons or ())
