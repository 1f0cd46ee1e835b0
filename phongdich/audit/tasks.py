"""Background jobs of the audit app: large exports and the removal of expired files."""

from django_tasks import task

from . import exports


@task()
def run_export(export_id: int) -> str:
    return exports.export_run(export_id=export_id)


@task()
def prune_exports() -> int:
    return exports.export_prune()
