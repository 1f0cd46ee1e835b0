"""Background jobs of zones (django-tasks; the `worker` command runs them)."""

from django_tasks import task

from . import services


@task()
def scan_lifting() -> int:
    """Mark the zones in force that now meet the lifting rule, so the list shows them."""
    return services.scan_lifting()


@task()
def scan_classification() -> int:
    """Propose the risk class the data gives each commune and zone of the province where it
    differs from the current one (one pending proposal per zone)."""
    return services.classification_scan().created
