"""Run the same write from several clients at once, for concurrency tests.

On PostgreSQL each call runs in its own thread on its own connection, all released together
by a barrier so their statements really overlap; on SQLite (one writer at a time) the calls
run one after the other, which still checks the outcome rule (one winner, one record).
Use it from `@pytest.mark.django_db(transaction=True)` tests, so the threads see the data.
"""

import threading
from collections.abc import Callable, Sequence

from django.db import connection, connections


def race(calls: Sequence[Callable[[], object]]) -> list[tuple[str, object]]:
    """Run every call at once; return ("ok", result) or ("error", exception) per call."""
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index: int, barrier: threading.Barrier | None) -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=20)
            outcomes[index] = ("ok", calls[index]())
        except Exception as exc:  # the test decides which errors are the expected losers
            outcomes[index] = ("error", exc)
        finally:
            if barrier is not None:
                connections.close_all()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(len(calls))
        threads = [threading.Thread(target=run, args=(i, barrier)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for index in range(len(calls)):
            run(index, None)
    assert all(outcome is not None for outcome in outcomes), "a racing call never finished"
    return outcomes  # type: ignore[return-value]


def winners(outcomes) -> list:
    return [value for kind, value in outcomes if kind == "ok"]


def losers(outcomes) -> list:
    return [value for kind, value in outcomes if kind == "error"]
