"""Background jobs of the audit app: large exports, the removal of expired files and the
audit partitions ahead of time."""

from django_tasks import task

from . import exports, partitions


@task()
def run_export(export_id: int) -> str:
    return exports.export_run(export_id=export_id)


@task()
def prune_exports() -> int:
    return exports.export_prune()


@task()
def prepare_partitions() -> dict:
    """Daily: each province's partition and its months up to two ahead (PostgreSQL only).
    The result names what was created and what a default partition blocked."""
    outcome = partitions.prepare_partitions()
    return {"created": outcome.created, "blocked": outcome.blocked}
