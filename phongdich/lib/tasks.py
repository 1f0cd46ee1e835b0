from django_tasks import task


@task()
def prune_rate_counters() -> int:
    """Rate-limit counters whose window closed a day ago: one row per client and form would
    otherwise pile up for every address that ever posted."""
    from phongdich.lib import ratelimit

    return ratelimit.prune()


@task()
def run_import(job_id: int) -> str:
    """A stored upload's import (lib.background_imports), run as the job's owner."""
    from phongdich.lib import background_imports

    return background_imports.import_run(job_id=job_id)
