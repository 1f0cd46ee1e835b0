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
"""

import threading
import uuid
from collections.abc import Callable

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
        stamp = self._shared_stamp()
        with self._lock:
            if self._value is not _MISSING and self._stamp == stamp:
                return self._value
        # Read outside the lock: a slow query must not hold up the other threads' hits.
        value = self._load()
        with self._lock:
            self._stamp, self._value = stamp, value
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._value = _MISSING
        cache.set(self.key, uuid.uuid4().hex, None)

    def _changed(self, **kwargs) -> None:
        self.invalidate()
        transaction.on_commit(self.invalidate, using=kwargs.get("using"))
