from django import template

from phongdich.cases.labels import home_care_reason_label, release_basis_label
from phongdich.cases.models import SeverityLevel

register = template.Library()


@register.filter
def home_care_reason(reason) -> str:
    """A stored home-care reason in the reader's language."""
    return home_care_reason_label(reason)


@register.filter
def severity_label(code) -> str:
    """A severity code ("asymptomatic") by its name ("Không triệu chứng")."""
    try:
        return str(SeverityLevel(code).label)
    except ValueError:
        return str(code or "")


@register.filter
def release_basis(basis) -> str:
    """Why isolation ends on its date, in the reader's language."""
    return release_basis_label(basis)
