import threading

import pytest
from django.db import connection, connections, transaction

from phongdich.lib.locks import key_hash, key_lock


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
