from django_tasks import task

from .services import screening_refresh


@task()
def refresh_screening() -> int:
    """The progress of every running screening campaign per commune (the pages read it)."""
    return screening_refresh()
