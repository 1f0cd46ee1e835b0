"""Transaction-scoped locks on a business key ("the CCCD 038…", "sample 123 of lab X").

Two requests that would each check "does it exist?" and then insert must not interleave:
`key_lock(...)` makes the second wait until the first's transaction ends, after which its
check sees the first's row. On PostgreSQL this is `pg_advisory_xact_lock` on a 64-bit hash of
each key (released by COMMIT/ROLLBACK, nothing to clean up, no table). SQLite lets one writer
at a time into the database, which serialises these writes already, so there it does nothing.

Keys are taken in sorted order, so two requests locking overlapping sets cannot deadlock.
Use it inside `transaction.atomic()`; the lock lasts until the outermost transaction ends.
"""

import hashlib

from django.db import connection, transaction


def key_hash(key: str) -> int:
    """A stable signed 64-bit integer for `key` (the range pg_advisory_xact_lock takes)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def key_lock(*keys: str, using: str | None = None) -> None:
    """Hold an exclusive lock on each non-empty key until the current transaction ends."""
    conn = transaction.get_connection(using) if using else connection
    if not conn.in_atomic_block:
        raise RuntimeError("key_lock needs a transaction: wrap the caller in transaction.atomic")
    if conn.vendor != "postgresql":
        return
    hashes = sorted({key_hash(k) for k in keys if k})
    if not hashes:
        return
    with conn.cursor() as cursor:
        for value in hashes:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [value])
