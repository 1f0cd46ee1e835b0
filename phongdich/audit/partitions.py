"""PostgreSQL partitions of the audit events table: by province, then by month.

`audit_auditevent` is `PARTITION BY LIST (province)`; each province's partition is
`PARTITION BY RANGE (at)` with one partition per calendar month in Asia/Ho_Chi_Minh (the
audit page's day filter is a local day, so a day never straddles two partitions). Every
level has a DEFAULT partition, so an insert never fails for want of a partition: an event
of a province or month nobody prepared lands in a default and is still read, only without
pruning. `prepare_partitions` (the `audit.prepare_partitions` job, daily) creates each
province's partition and the months ahead before they are needed.

A month cannot be created once its default partition holds rows of that month (PostgreSQL
refuses: the rows would have to move, and the append-only trigger refuses the DELETE that
moving is). The job then leaves that month in the default and says so in its result; an
operator moves the rows in a maintenance window as the trigger's owner (docs/operations.md).

SQLite has no partitions: these functions do nothing there. The province level (the
default partition, one partition per served province) is geo.province's, shared with the
other tables partitioned by province.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.utils import timezone

from phongdich.geo.province import (
    Prepared,
    create_partition,
    partition_name,
    prepare_province_partitions,
)
from phongdich.geo.province import (
    is_partitioned as _is_partitioned,
)

TABLE = "audit_auditevent"
MONTHS_AHEAD = 2

__all__ = ["Prepared", "prepare_partitions"]


def province_partition(code: str) -> str:
    return partition_name(TABLE, code)


def month_partition(code: str, month: date) -> str:
    return f"{TABLE}_p{code}_{month:%Y%m}"


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the deployment's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end_month = _next_month(month)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=zone)


def is_partitioned(connection) -> bool:
    return _is_partitioned(connection, TABLE)


def prepare_partitions(
    *, using: str = "default", since: date | None = None, months_ahead: int = MONTHS_AHEAD
) -> Prepared:
    """Create what is missing: the default partitions, each province's partition, and its
    months from `since` (default: this month) to `months_ahead` months after this one."""
    connection = connections[using]
    outcome = Prepared()
    if not is_partitioned(connection):
        return outcome
    today = timezone.localdate()
    first = (since or today).replace(day=1)
    last = today.replace(day=1)
    for _ in range(months_ahead):
        last = _next_month(last)
    # The default and each province's partition (geo.province), each by month in turn.
    for code in prepare_province_partitions(
        connection, TABLE, outcome, sub="PARTITION BY RANGE (at)"
    ):
        parent = province_partition(code)
        create_partition(
            connection,
            f"{parent}_default",
            f'CREATE TABLE "{parent}_default" PARTITION OF "{parent}" DEFAULT',
            None,
            outcome,
        )
        month = first
        while month <= last:
            name = month_partition(code, month)
            create_partition(
                connection,
                name,
                f'CREATE TABLE "{name}" PARTITION OF "{parent}" FOR VALUES FROM (%s) TO (%s)',
                list(month_bounds(month)),
                outcome,
            )
            month = _next_month(month)
    return outcome
