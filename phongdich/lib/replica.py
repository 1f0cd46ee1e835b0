"""Reads of dashboards and exports from a read replica, when the deployment has one.

A province's dashboards and large exports read many rows and no personal record they then
write back; sending them to a streaming replica (`DATABASE_REPLICA_URL`, the alias
"replica") keeps that load off the primary that takes the checks, declarations and passages.
Everything else reads the primary: a page that writes must see its own writes, and the
replica lags by a moment.

`ReplicaRouter` is always installed and does nothing unless both hold: the alias exists,
and the code runs inside `from_replica()` (views: `@replica_reads`). Inside a transaction
on the primary it keeps reading the primary, so a write's own checks never read stale rows.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import connections

REPLICA = "replica"

_reading = ContextVar("phongdich_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES or REPLICA in connections.settings


@contextmanager
def from_replica():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view):
    """A view whose reads go to the replica when there is one (rendering included)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with from_replica():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reading.get() or not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by streaming replication.
        return db != REPLICA
