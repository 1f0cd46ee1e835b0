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

SQLite has no partitions: these functions do nothing there.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

TABLE = "audit_auditevent"
MONTHS_AHEAD = 2
# Province codes are GSO codes ("38"); anything else is not formatted into DDL.
_CODE = re.compile(r"^[0-9A-Za-z]{1,10}$")


@dataclass
class Prepared:
    created: list[str] = field(default_factory=list)
    # Partitions that could not be created because a default partition holds their rows.
    blocked: list[str] = field(default_factory=list)


def province_partition(code: str) -> str:
    return f"{TABLE}_p{code}"


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
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
            [TABLE],
        )
        return cursor.fetchone() is not None


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{name}"])
    return cursor.fetchone()[0]


def _create(connection, name: str, ddl: str, params, outcome: Prepared) -> None:
    with connection.cursor() as cursor:
        if _exists(cursor, name):
            return
        try:
            # A savepoint: a refused partition must not abort the rest of the job.
            with transaction.atomic(using=connection.alias):
                cursor.execute(ddl, params)
        except DatabaseError as exc:
            log.warning("audit partition %s not created: %s", name, exc)
            outcome.blocked.append(name)
            return
    outcome.created.append(name)


def province_codes(connection) -> list[str]:
    """The provinces served (loaded down to their communes), and the home province (an
    empty database has no units yet, and system events belong to it). The outline of the
    other 60-odd provinces gets no partitions: their events, if any, go to the default."""
    codes = {settings.HOME_PROVINCE_CODE}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.code FROM geo_adminunit p WHERE p.parent_id IS NULL AND EXISTS "
            "(SELECT 1 FROM geo_adminunit c WHERE c.kind = 'commune' "
            "AND c.path LIKE p.path || '%%')"
        )
        codes.update(code for (code,) in cursor.fetchall())
    return sorted(code for code in codes if _CODE.match(code))


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
    _create(
        connection,
        f"{TABLE}_pdefault",
        f'CREATE TABLE "{TABLE}_pdefault" PARTITION OF "{TABLE}" DEFAULT',
        None,
        outcome,
    )
    for code in province_codes(connection):
        parent = province_partition(code)
        _create(
            connection,
            parent,
            f'CREATE TABLE "{parent}" PARTITION OF "{TABLE}" FOR VALUES IN (%s) '
            "PARTITION BY RANGE (at)",
            [code],
            outcome,
        )
        if parent in outcome.blocked:
            continue
        _create(
            connection,
            f"{parent}_default",
            f'CREATE TABLE "{parent}_default" PARTITION OF "{parent}" DEFAULT',
            None,
            outcome,
        )
        month = first
        while month <= last:
            name = month_partition(code, month)
            _create(
                connection,
                name,
                f'CREATE TABLE "{name}" PARTITION OF "{parent}" FOR VALUES FROM (%s) TO (%s)',
                list(month_bounds(month)),
                outcome,
            )
            month = _next_month(month)
    return outcome
