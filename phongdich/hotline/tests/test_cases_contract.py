"""The hotline's side of the F0 contract, tested with fakes so it passes with or without
the cases app."""

import sys
import types

import pytest
from django.apps import apps

from phongdich.hotline.models import Ticket
from phongdich.hotline.tests.conftest import REAL_CASE_SUMMARY


def test_it_returns_none_when_cases_is_not_installed(f0_person, monkeypatch):
    monkeypatch.setattr(apps, "is_installed", lambda name: False)
    assert REAL_CASE_SUMMARY(f0_person) is None


def test_it_calls_the_cases_contract_when_installed(f0_person, monkeypatch):
    fake = types.ModuleType("phongdich.cases.selectors")
    fake.case_summary_for_person = lambda person: {"case_id": 1, "open_danger_alerts": 2}
    monkeypatch.setitem(sys.modules, "phongdich.cases.selectors", fake)
    monkeypatch.setattr(apps, "is_installed", lambda name: True)
    assert REAL_CASE_SUMMARY(f0_person)["open_danger_alerts"] == 2


def test_it_survives_a_broken_contract(f0_person, monkeypatch):
    broken = types.ModuleType("phongdich.cases.selectors")  # no case_summary_for_person
    monkeypatch.setitem(sys.modules, "phongdich.cases.selectors", broken)
    monkeypatch.setattr(apps, "is_installed", lambda name: True)
    assert REAL_CASE_SUMMARY(f0_person) is None

    def boom(person):
        raise RuntimeError("cases is down")

    broken.case_summary_for_person = boom
    assert REAL_CASE_SUMMARY(f0_person) is None


@pytest.mark.skipif(
    not apps.is_installed("phongdich.cases"), reason="the F0 app (cases) is not installed"
)
def test_a_real_danger_alert_opens_a_ticket_that_carries_its_signs(
    world, units, staff, django_capture_on_commit_callbacks
):
    """The whole path through the cases app: a real check with SpO2 93% raises a real Alert,
    whose signal opens the hotline ticket. The ticket must say which signs were found (the
    agent triages on them), so the contract is the Alert model itself, not a stand-in."""
    from phongdich.cases.models import Alert
    from phongdich.cases.tests.builders import make_case, submit

    case = make_case(world, staff.commune_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submit(case, key="danger-1", spo2=93)
    alert = Alert.objects.get(pk=outcome.alert.pk)
    assert alert.reasons, "the check must raise a danger alert with its signs"
    ticket = Ticket.objects.get(source_ref=f"cases.alert:{alert.pk}")
    assert ticket.channel == "alert" and ticket.priority == "P1"
    assert ticket.assigned_unit == units.station_a
    for sign in alert.reasons:
        assert sign in ticket.text
