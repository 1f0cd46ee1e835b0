"""Filters that turn values into the words a user reads: durations ("2 giờ 44 phút", not
"164,0′") and labels that come from data rows (translated when the row holds a known value)."""

from django import template
from django.utils.translation import gettext

register = template.Library()


def duration_text(minutes) -> str:
    """Minutes as days, hours and minutes in the active language: 164.0 → "2 giờ 44 phút"
    ("2 h 44 min" in English). Rounded to the minute; below one minute says so."""
    if minutes is None or minutes == "":
        return "—"
    total = round(float(minutes))
    if total < 1:
        return gettext("dưới 1 phút")
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(gettext("%(n)d ngày") % {"n": days})
    if hours:
        parts.append(gettext("%(n)d giờ") % {"n": hours})
    if mins and not days:  # past a day the minutes are noise
        parts.append(gettext("%(n)d phút") % {"n": mins})
    return " ".join(parts)


@register.filter
def duration(minutes) -> str:
    return duration_text(minutes)


@register.filter
def data_label(value) -> str:
    """A label stored in a data row (a seeded rule, a branch name) in the active language:
    the seeded values are msgids with their English in the catalog; a value a province
    typed itself has no translation and shows as typed."""
    if value is None:
        return ""
    text = str(value)
    return gettext(text) if text else text
