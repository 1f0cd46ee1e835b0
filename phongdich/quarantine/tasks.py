from django_tasks import task

from . import services


@task()
def scan_follow_up() -> int:
    return services.scan_follow_up()["created"]
