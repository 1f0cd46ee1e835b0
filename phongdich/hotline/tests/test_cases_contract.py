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
def test_the_real_danger_alert_signal_opens_a_ticket(
    units, f0_person, django_capture_on_commit_callbacks
):
    from phongdich.cases.signals import danger_alert_raised

    alert = types.SimpleNamespace(pk=9001, message="SpO2 94%")
    case = types.SimpleNamespace(person=f0_person)
    with django_capture_on_commit_callbacks(execute=True):
        danger_alert_raised.send(sender=None, alert=alert, case=case)
    ticket = Ticket.objects.get(source_ref="cases.alert:9001")
    assert ticket.channel == "alert" and ticket.priority == "P1"
    assert ticket.assigned_unit == units.station_a
