import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from phongdich.lib import locks
from phongdich.lib.locks import key_hash, key_lock, key_lock_many

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


def test_a_key_hashes_to_the_same_signed_64_bit_number_every_time():
    assert key_hash("person:id:038080001234") == key_hash("person:id:038080001234")
    assert key_hash("a") != key_hash("b")
    assert -(2**63) <= key_hash("lab-sample:CDC|1") < 2**63


@pytest.mark.django_db(transaction=True)  # the plain marker wraps the test in a transaction
def test_it_refuses_to_lock_outside_a_transaction():
    with pytest.raises(RuntimeError):
        key_lock("x")


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_held_until_the_holders_transaction_ends():
    if connection.vendor != "postgresql":
        with transaction.atomic():
            key_lock("x")  # SQLite serialises writers itself: nothing to take
        return
    taken, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                key_lock("person:id:038080001234")
                taken.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(timeout=10)

    def try_lock() -> bool:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(%s)", [key_hash("person:id:038080001234")]
            )
            return cursor.fetchone()[0]

    assert try_lock() is False
    release.set()
    holder.join(timeout=10)
    assert try_lock() is True


def _held_elsewhere(keys) -> list[bool]:
    """For each key, whether another connection is refused it right now (a try-lock in a
    transaction of its own, released at once)."""
    out = []

    def probe():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for key in keys:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key_hash(key)])
                    out.append(not cursor.fetchone()[0])
        finally:
            connections.close_all()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=10)
    return out


@pytest.mark.django_db(transaction=True)
def test_the_batched_form_also_refuses_to_lock_outside_a_transaction():
    with pytest.raises(RuntimeError):
        key_lock_many(["x", "y"])


@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count, statements", [(1, 1), (2, 1), (5_000, 1), (5_001, 2)])
def test_many_keys_are_locked_in_one_statement_per_batch(count, statements):
    keys = [f"person:phone:+849{i:08d}|nguyen van an|1980" for i in range(count)]
    with transaction.atomic():
        with CaptureQueriesContext(connection) as seen:
            key_lock_many(iter(keys + ["", keys[0]]))  # blanks and repeats are dropped
        assert len(seen.captured_queries) == statements
        sample = [keys[0], keys[count // 2], keys[-1]]
        assert _held_elsewhere(sample + ["not locked"]) == [True, True, True, False]
    # COMMIT released them all
    assert _held_elsewhere(sample) == [False, False, False]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_batches_keep_one_ascending_order(monkeypatch):
    """Across batches too the hashes go up, so a batched caller and a one-key caller take
    overlapping keys in the same order."""
    monkeypatch.setattr(locks, "LOCK_BATCH", 3)
    keys = [f"k{i}" for i in range(10)]
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(list(params[0]))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(record):
        key_lock_many(keys)
    assert [len(batch) for batch in sent] == [3, 3, 3, 1]
    assert [value for batch in sent for value in batch] == sorted(key_hash(k) for k in keys)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_locking_one_set_in_opposite_orders_never_deadlock():
    """Each thread hands the same keys over in the opposite order, many times: taken in the
    order given they would deadlock (PostgreSQL aborts one with "deadlock detected");
    taken sorted, every transaction waits its turn and commits."""
    keys = [f"tracing:{i}" for i in range(300)]
    failures, start = [], threading.Barrier(2)

    def run(order):
        try:
            start.wait(timeout=10)
            for _round in range(30):
                with transaction.atomic():
                    key_lock_many(order)
        except OperationalError as exc:  # DeadlockDetected is one
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(keys,)),
        threading.Thread(target=run, args=(list(reversed(keys)),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
