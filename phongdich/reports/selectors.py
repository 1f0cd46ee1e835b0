from django.http import Http404

from phongdich.geo.selectors import units_within

from .models import Briefing


def briefings_for(user):
    """Briefings of the user's unit and the units below it."""
    root = user.jurisdiction
    if root is None:
        return Briefing.objects.none()
    return Briefing.objects.filter(unit__path__startswith=root.path).select_related("unit")


def briefing_for(user, pk: int) -> Briefing:
    briefing = briefings_for(user).filter(pk=pk).first()
    if briefing is None:
        raise Http404
    return briefing


def units_for(user):
    """The units a user may draft a briefing for: their own and those below, down to
    districts (a commune's figures are in its district's tables)."""
    if user.jurisdiction is None:
        return []
    return list(units_within(user.jurisdiction).exclude(kind="commune").order_by("path"))
