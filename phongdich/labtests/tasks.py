from django_tasks import task

from .services import screening_refresh


@task()
def refresh_screening() -> int:
    """The progress of every running screening campaign per commune (the pages read it)."""
    return screening_refresh()


@task()
def apply_result_follow_ups() -> int:
    """The F0 app's part of the results an import wrote set-based (a durable row each), in
    the order they were written; the periodic job picks up what a dead worker left."""
    from .services import result_follow_ups_drain

    # Bounded so one run stays inside the worker's lease; the next run carries on.
    return result_follow_ups_drain(max_seconds=45)
