"""Configuration rows read once per process, re-read as soon as any process changes them.

Rule tables edited on the policy pages (the checkpoint's decision table, ...) are read by
write paths on every request; turning those rows into rule values costs an ORM query and
a model instance per row each time. A `ConfigCache` keeps the built value in the process
beside a version stamp held in the shared cache (Redis when REDIS_URL is set, else the
database cache table). Every read compares the stamps, so an edit in one gunicorn worker
reaches every other worker on its next request, not after a timeout.

A save or delete of a watched model (signals, so the policy pages, the admin and
`objects.create` all count) forgets the process's value at once and writes a new stamp
now and again after the transaction commits: a worker that reloaded between the two saw
the old rows with the first stamp, and the second makes it reload. Queryset `.update()`
and `bulk_create` send no signals: call `invalidate()` after them.

Reading the stamp is itself a round trip (a query on the cache table without Redis), paid by
every write path that consults a table. A process therefore trusts a stamp it read less than
CONFIG_CACHE_STAMP_SECONDS ago (default 2 s) and does not read it again: an edit made in
ANOTHER worker reaches this one at most that long after it commits. An edit made in this
process forgets the value at once; inside the editing transaction the value is built from the
rows as that transaction sees them and served to it alone, and dropped as soon as the
transaction is over, so a rolled-back edit (a failed form, a test) is never served. Set the setting to 0 to compare stamps on every read.
"""

import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

_MISSING = object()


class ConfigCache:
    def __init__(self, name: str, load: Callable[[], object], *, watch: tuple = ()):
        self.key = f"configcache:{name}"
        self._load = load
        self._lock = threading.Lock()
        self._stamp = None
        self._value = _MISSING
        self._checked_at = float("-inf")  # time.monotonic() of the last stamp read
        # Built by a thread whose open transaction edited the rows (its own view of them).
        self._tentative = False
        for model in watch:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)

    def _shared_stamp(self) -> str:
        stamp = cache.get(self.key)
        if stamp is None:
            # First reader since the cache was emptied: agree on one stamp (add keeps a
            # stamp another worker wrote meanwhile).
            cache.add(self.key, uuid.uuid4().hex, None)
            stamp = cache.get(self.key) or ""
        return stamp

    def get(self):
        editing = self._editing()
        trust = float(getattr(settings, "CONFIG_CACHE_STAMP_SECONDS", 2.0))
        now = time.monotonic()
        with self._lock:
            if self._value is not _MISSING and self._tentative != editing:
                # A value built inside an edit that has since ended (a commit has already
                # forgotten it, so this one was rolled back) or is another thread's: never
                # serve it; and the editing thread does not take a value built outside.
                self._value = _MISSING
            if self._value is not _MISSING and (editing or now - self._checked_at < trust):
                return self._value
        stamp = "" if editing else self._shared_stamp()
        with self._lock:
            if self._value is not _MISSING and self._stamp == stamp and not editing:
                self._checked_at = now
                return self._value
        # Read outside the lock: a slow query must not hold up the other threads' hits.
        value = self._load()
        with self._lock:
            self._stamp, self._value, self._checked_at = stamp, value, now
            self._tentative = editing
        return value

    def _editing(self) -> bool:
        """True while this thread's open transaction holds an edit of the watched rows:
        its commit hook is still queued (a rollback discards it with the savepoint)."""
        conn = transaction.get_connection()
        return conn.in_atomic_block and any(
            getattr(func, "__self__", None) is self for _ids, func, _robust in conn.run_on_commit
        )

    def invalidate(self) -> None:
        with self._lock:
            self._value = _MISSING
        cache.set(self.key, uuid.uuid4().hex, None)

    def _changed(self, **kwargs) -> None:
        self.invalidate()
        transaction.on_commit(self._committed, using=kwargs.get("using"))

    def _committed(self) -> None:
        self.invalidate()
