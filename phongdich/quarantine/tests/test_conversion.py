"""A positive test during quarantine makes the person an F0 through the cases services:
the case is counted "in quarantine" in the announcement and the quarantine is converted."""


import pytest

from phongdich.cases import rules as case_rules
from phongdich.cases.models import DetectionSetting
from phongdich.cases.services import case_register, daily_figures
from phongdich.cases.tests.builders import earlier_today
from phongdich.quarantine import selectors, services
from phongdich.quarantine.models import Basis, Status

from . import builders

pytestmark = pytest.mark.django_db


def _open(world, staff, person, **extra):
    quarantine, _ = services.quarantine_open(
        by=staff.commune_worker_a,
        person=person,
        basis=extra.pop("basis", Basis.F1),
        start=builders.IN_10696,
        commune=world.commune_a,
        **extra,
    )
    return quarantine


def test_a_case_in_quarantine_is_counted_in_quarantine_and_converts_it(world, staff):
    source = builders.person(
        world, staff, full_name="Người Nguồn", phone="0912000999", id_number="038085009999"
    )
    source_case, _ = case_register(
        by=staff.commune_worker_a,
        person=source,
        commune=world.commune_a,
        evidence=[case_rules.LabEvidence("pcr", True, earlier_today(3))],
    )
    person = builders.person(world, staff)
    quarantine = _open(world, staff, person, source_case=source_case)
    # 11042 rule 2: an F1 with a positive RAT is an F0.
    case, created = case_register(
        by=staff.commune_worker_a,
        person=person,
        commune=world.commune_a,
        evidence=[case_rules.LabEvidence("rat", True, earlier_today(1))],
    )
    assert created and case.status != "pending"
    assert case.detection == DetectionSetting.QUARANTINE and case.is_f1
    quarantine.refresh_from_db()
    assert quarantine.status == Status.CONVERTED
    assert quarantine.converted_case_id == case.pk
    assert selectors.source_case_id_of(case) == source_case.pk
    figures = daily_figures(unit=world.province, day=case.diagnosed_on)
    assert figures["new_quarantine_lockdown"] == 1
    assert figures["new_community"] == 1  # the source case only


def test_a_case_outside_quarantine_stays_a_community_case(world, staff):
    person = builders.person(world, staff)
    case, _ = case_register(
        by=staff.commune_worker_a,
        person=person,
        commune=world.commune_a,
        evidence=[case_rules.LabEvidence("pcr", True, earlier_today(1))],
    )
    assert case.detection == DetectionSetting.COMMUNITY


def test_a_conversion_frees_the_site_bed(world, staff):
    site = builders.site(world, beds=2)
    person = builders.person(world, staff)
    _open(world, staff, person, basis=Basis.RETURNEE, place="site", facility=site)
    site.refresh_from_db()
    assert site.beds_occupied == 1
    case_register(
        by=staff.commune_worker_a,
        person=person,
        commune=world.commune_a,
        evidence=[case_rules.LabEvidence("pcr", True, earlier_today(1))],
    )
    site.refresh_from_db()
    assert site.beds_occupied == 0
