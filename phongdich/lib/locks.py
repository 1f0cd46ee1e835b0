"""Transaction-scoped locks on a business key ("the CCCD 038…", "sample 123 of lab X").

Two requests that would each check "does it exist?" and then insert must not interleave:
`key_lock(...)` makes the second wait until the first's transaction ends, after which its
check sees the first's row. On PostgreSQL this is `pg_advisory_xact_lock` on a 64-bit hash of
each key (released by COMMIT/ROLLBACK, nothing to clean up, no table). SQLite lets one writer
at a time into the database, which serialises these writes already, so there it does nothing.

Keys are taken in sorted order, so two requests locking overlapping sets cannot deadlock.
Use it inside `transaction.atomic()`; the lock lasts until the outermost transaction ends.

`key_lock_shared(key)` takes the same key in shared mode: holders of the shared lock never
wait for each other, only for (and block) the one holding it exclusively, e.g. results
written one at a time by the API and the page beside a file import that needs them all out
of its way (labtests). A session holding a key exclusively takes it shared at once.

`key_lock_many(keys)` is the batched form for an import's thousands of keys: one statement
per `LOCK_BATCH` keys instead of one round trip per key (5,000 round trips were a second of
the contact import at load 8). `key_lock(*keys)` goes through it too.
"""

import hashlib
from collections.abc import Iterable

from django.db import connection, transaction


def key_hash(key: str) -> int:
    """A stable signed 64-bit integer for `key` (the range pg_advisory_xact_lock takes)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# Keys per statement: the array is one bound parameter, so the SQL text never grows; a
# bound keeps a single statement's wait (and the array sent) modest.
LOCK_BATCH = 5_000

# The subquery sorts the hashes and the aggregate pulls its rows in that order, so the locks
# are taken one after the other in ascending order within the one statement (the array is
# sorted in Python as well). count(*) makes it one row back, whatever the number of keys.
_LOCK_MANY_SQL = (
    "SELECT count(pg_advisory_xact_lock(k)) "
    "FROM (SELECT k FROM unnest(%s::bigint[]) AS t(k) ORDER BY k) AS sorted"
)


def key_lock(*keys: str, using: str | None = None) -> None:
    """Hold an exclusive lock on each non-empty key until the current transaction ends."""
    key_lock_many(keys, using=using)


def key_lock_many(keys: Iterable[str], *, using: str | None = None) -> None:
    """`key_lock` for many keys at once: one statement per LOCK_BATCH keys, taken in
    ascending hash order (across batches too), so it cannot deadlock with another caller
    locking an overlapping set, batched or not."""
    conn = transaction.get_connection(using) if using else connection
    if not conn.in_atomic_block:
        raise RuntimeError("key_lock needs a transaction: wrap the caller in transaction.atomic")
    if conn.vendor != "postgresql":
        return
    hashes = sorted({key_hash(k) for k in keys if k})
    if not hashes:
        return
    with conn.cursor() as cursor:
        if len(hashes) == 1:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [hashes[0]])
            return
        for start in range(0, len(hashes), LOCK_BATCH):
            cursor.execute(_LOCK_MANY_SQL, [hashes[start : start + LOCK_BATCH]])


def key_lock_shared(key: str, *, using: str | None = None) -> None:
    """Hold `key` in shared mode until the current transaction ends (see the module)."""
    conn = transaction.get_connection(using) if using else connection
    if not conn.in_atomic_block:
        raise RuntimeError("key_lock needs a transaction: wrap the caller in transaction.atomic")
    if conn.vendor != "postgresql" or not key:
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [key_hash(key)])
