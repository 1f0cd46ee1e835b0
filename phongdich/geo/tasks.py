"""Background jobs of the geo app: the partitions of the tables partitioned by province."""

from django_tasks import task

from . import province


@task()
def prepare_partitions() -> dict:
    """Daily: each served province's partition of every table partitioned by province
    (PostgreSQL only). The result names what was created and what was refused."""
    outcome = province.prepare_partitions()
    return {"created": outcome.created, "blocked": outcome.blocked}
