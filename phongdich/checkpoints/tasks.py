from django_tasks import task

from . import services


@task()
def notify_no_show(handover_id: int) -> int:
    return services.no_show_send_alert(handover_id)


@task()
def scan_transit() -> int:
    return len(services.transit_scan_overdue())
