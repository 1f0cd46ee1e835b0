"""lib.configcache: a value built once per process, re-read when the shared stamp changes,
and the stamp itself trusted for CONFIG_CACHE_STAMP_SECONDS (its staleness bound)."""

import pytest
from django.db import transaction

from phongdich.lib import configcache
from phongdich.lib.configcache import ConfigCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(configcache.time, "monotonic", fake)
    return fake


def _counting(values: list):
    loads = []

    def load():
        loads.append(1)
        return values[-1]

    return load, loads


def test_another_worker_sees_an_edit_within_the_trusted_window(
    db, settings, clock, django_assert_num_queries
):
    settings.CONFIG_CACHE_STAMP_SECONDS = 2
    values = ["before"]
    load, loads = _counting(values)
    here = ConfigCache("test.ttl", load)
    elsewhere = ConfigCache("test.ttl", load)  # another worker: told only by the stamp
    assert elsewhere.get() == "before"
    # Inside the window the stamp is not read again: no statement at all (the stamp was a
    # query on the cache table without Redis).
    clock.now += 1.9
    with django_assert_num_queries(0):
        assert elsewhere.get() == "before"
    values.append("after")
    here.invalidate()  # an edit in the other worker
    clock.now += 0.05
    assert elsewhere.get() == "before"  # still inside the 2 s bound
    clock.now += 0.1  # 2.05 s since elsewhere last read the stamp
    assert elsewhere.get() == "after"
    assert len(loads) == 2


def test_with_no_window_every_read_compares_the_stamp(db, settings, clock):
    settings.CONFIG_CACHE_STAMP_SECONDS = 0
    values = ["before"]
    load, _loads = _counting(values)
    here, elsewhere = ConfigCache("test.nottl", load), ConfigCache("test.nottl", load)
    assert elsewhere.get() == "before"
    values.append("after")
    here.invalidate()
    assert elsewhere.get() == "after"


def test_an_edit_in_this_process_is_seen_at_once_and_a_rolled_back_one_is_not_served(
    db, settings, clock
):
    from phongdich.cases.models import ThresholdRow
    from phongdich.cases.services import thresholds

    settings.CONFIG_CACHE_STAMP_SECONDS = 60
    key = "spo2_danger_adult_at_most"
    before = thresholds()[key].value
    try:
        with transaction.atomic():
            row = ThresholdRow.objects.get(key=key)
            row.value = before - 1
            row.save()
            assert thresholds()[key].value == before - 1  # the saving worker, at once
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    # Well inside the window, yet the rolled-back value is not served: until the edit's
    # transaction ends the process compares stamps, and the rollback restored the stamp
    # (cache table) or the value is reloaded from the rows.
    assert thresholds()[key].value == before
