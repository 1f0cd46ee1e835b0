"""Background jobs of zones (django-tasks; the `worker` command runs them)."""

from django_tasks import task

from . import services


@task()
def scan_lifting() -> int:
    """Mark the zones in force that now meet the lifting rule, so the list shows them."""
    return services.scan_lifting()
