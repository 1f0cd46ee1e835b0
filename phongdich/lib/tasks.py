from django_tasks import task


@task()
def prune_rate_counters() -> int:
    """Rate-limit counters whose window closed a day ago: one row per client and form would
    otherwise pile up for every address that ever posted."""
    from phongdich.lib import ratelimit

    return ratelimit.prune()
