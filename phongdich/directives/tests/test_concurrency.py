"""Races on the follow-up, in real threads on separate PostgreSQL connections released by a
barrier (SQLite has one writer: the same calls run one after the other there).

- two districts of one group task report done at the same moment: both reports are kept
  and the task ends "reported done" (neither member's update hides the other's);
- two clerks confirm a task's indicator link at once: one link, and the other clerk is
  told, in Vietnamese, who confirmed it.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from phongdich.accounts.models import Role
from phongdich.directives import indicators, services
from phongdich.directives.models import Task, TaskIndicator
from phongdich.testing import make_user


def _race(calls) -> list:
    """Run each call at once (PostgreSQL) or in turn; return what each returned or raised."""
    results: list = [None] * len(calls)

    def run(index, call, barrier=None):
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the outcome under test, kept for the assertions
            results[index] = exc
        finally:
            if barrier is not None:
                connections.close_all()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(len(calls))
        threads = [
            threading.Thread(target=run, args=(i, call, barrier)) for i, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for i, call in enumerate(calls):
            run(i, call)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_members_reporting_at_once_both_count(confirmed, reporters):
    task = confirmed.tasks.get(is_draft=False, ref="2")

    def report(key):
        return lambda: services.task_report(
            by=reporters[key],
            task=Task.objects.get(pk=task.pk),
            unit=reporters[f"unit_{key}"],
            status="reported_done",
            text=f"Xong ({key}).",
        )

    results = _race([report("a"), report("b")])
    assert not any(isinstance(r, Exception) for r in results), results
    task.refresh_from_db()
    assert task.reports.count() == 2
    assert set(task.assignments.filter(role="lead").values_list("status", flat=True)) == {
        "reported_done"
    }
    assert task.status == Task.Status.REPORTED_DONE


@pytest.mark.django_db(transaction=True)
def test_two_clerks_confirming_one_link_make_one_and_the_other_is_told(
    confirmed, staff, world, monkeypatch
):
    task = confirmed.tasks.get(is_draft=False, ref="2")
    other_clerk = make_user("vanthu2", Role.DIRECTIVE_CLERK, world.province)
    monkeypatch.setitem(
        indicators.READERS,
        TaskIndicator.Kind.OUTREACH,
        lambda i, user: indicators.Figure("Rà soát", "1 / 2", 50.0),
    )

    def confirm(clerk):
        return lambda: services.indicator_confirm(
            by=clerk, task=Task.objects.get(pk=task.pk), kind="outreach", area=world.commune_a
        )

    results = _race([confirm(staff.directive_clerk), confirm(other_clerk)])
    won = [r for r in results if isinstance(r, TaskIndicator)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 1), results
    assert "đã được" in lost[0].messages[0]
    assert TaskIndicator.objects.filter(task=task, status="confirmed").count() == 1
