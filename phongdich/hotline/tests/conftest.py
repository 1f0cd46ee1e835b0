import pytest

from phongdich.hotline import selectors as _selectors
from phongdich.hotline.models import ResponsibleUnit, RoutingRule
from phongdich.people.services import person_register

# The real contract lookup, kept before the autouse fixture below replaces it.
REAL_CASE_SUMMARY = _selectors.case_summary


@pytest.fixture(autouse=True)
def _inline_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.HOTLINE_SMS_GATEWAY = "console"
    settings.HOTLINE_WEBHOOK_SECRET = "test-secret"


@pytest.fixture(autouse=True)
def _no_cases(monkeypatch):
    """Run the hotline's side as if the F0 app had no case for anyone, unless a test
    installs its own fake summary (see `fake_case`)."""
    from phongdich.hotline import selectors

    monkeypatch.setattr(selectors, "case_summary", lambda person: None)
    monkeypatch.setattr("phongdich.hotline.services.tickets.case_summary", lambda person: None)


@pytest.fixture
def fake_case(monkeypatch):
    """Install a fake `case_summary` returning the given dict for one person."""

    def install(person, summary):
        def fake(p):
            return summary if p is not None and p.pk == person.pk else None

        monkeypatch.setattr("phongdich.hotline.selectors.case_summary", fake)
        monkeypatch.setattr("phongdich.hotline.services.tickets.case_summary", fake)

    return install


class Units:
    pass


@pytest.fixture
def units(world, staff):
    """A small routing table: commune A's health station and People's Committee, district
    A's police, a relief centre and a province desk as the catch-all."""
    u = Units()
    u.station_a = ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng", kind="health_station", admin_unit=world.commune_a
    )
    u.station_a.focal_points.add(staff.commune_worker_a)
    u.station_b = ResponsibleUnit.objects.create(
        name="Trạm y tế Bắc Sơn", kind="health_station", admin_unit=world.commune_b
    )
    u.committee_a = ResponsibleUnit.objects.create(
        name="UBND phường Hàm Rồng", kind="commune_committee", admin_unit=world.commune_a
    )
    u.police_a = ResponsibleUnit.objects.create(
        name="Công an TP Thanh Hóa", kind="district_police", admin_unit=world.district_a
    )
    u.relief = ResponsibleUnit.objects.create(
        name="Trung tâm hỗ trợ người dân", kind="relief_centre", admin_unit=world.province
    )
    u.desk = ResponsibleUnit.objects.create(
        name="Tổng đài 1022 tỉnh", kind="other", admin_unit=world.province
    )
    from phongdich.hotline.models import Category

    cat = {c.code: c for c in Category.objects.all()}
    RoutingRule.objects.create(category=None, admin_unit=world.province, unit=u.desk)
    RoutingRule.objects.create(category=cat["food"], admin_unit=world.province, unit=u.relief)
    RoutingRule.objects.create(category=None, admin_unit=world.commune_a, unit=u.station_a)
    RoutingRule.objects.create(category=None, admin_unit=world.commune_b, unit=u.station_b)
    RoutingRule.objects.create(
        category=cat["admin_procedures"], admin_unit=world.commune_a, unit=u.committee_a
    )
    RoutingRule.objects.create(
        category=cat["violation"], admin_unit=world.district_a, unit=u.police_a
    )
    return u


@pytest.fixture
def f0_person(world, staff):
    person, _ = person_register(
        by=staff.province_admin,
        full_name="Nguyễn Văn An",
        birth_year=1980,
        phone="0912345678",
        commune=world.commune_a,
    )
    return person
