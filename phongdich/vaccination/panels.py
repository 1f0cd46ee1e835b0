"""The home-page panel (reviews waiting) and the section on the person page (status)."""

from django.utils import timezone

from phongdich.people.need_to_know import NONE, access_for

from . import labels, selectors, services
from .permissions import RECORD_ROLES


def review_panel(request) -> dict | None:
    if request.user.jurisdiction is None:
        return None
    reviews = selectors.open_reviews(request.user).count()
    flagged = selectors.flagged_doses(request.user).count()
    if not (reviews or flagged):
        return None
    return {"reviews": reviews, "flagged": flagged}


def status_context(person, *, day=None) -> dict:
    day = day or timezone.localdate()
    doses = services.person_doses(person)
    status = services.person_status(person, day, doses=doses)
    return {
        "person": person,
        "doses": doses,
        "status": status,
        "status_label": labels.STATUS[status.status],
        "no_dose_reason": labels.NO_DOSE.get(status.next.reason, ""),
        "day": day,
    }


def person_section(request, person) -> dict | None:
    """The vaccination status on the person page, for roles that may see personal data.
    The person page's own read already covers the person; the doses are theirs."""
    if access_for(request.user.role).search == NONE:
        return None
    context = status_context(person)
    context["can_record"] = request.user.role in RECORD_ROLES
    return context


def aefi_panel(request) -> dict | None:
    """Open AEFI reports of the user's communes (serious ones counted apart), if any."""
    from django.db.models import Count, Q

    from .models import Aefi

    if request.user.jurisdiction is None:
        return None
    counts = (
        selectors.aefi_visible_to(request.user)
        .exclude(status=Aefi.Status.CONCLUDED)
        .aggregate(open=Count("pk"), serious=Count("pk", filter=Q(serious=True)))
    )
    return counts if counts["open"] else None
