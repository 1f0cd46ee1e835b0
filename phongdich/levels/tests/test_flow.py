"""The assessment of every unit (set-based), review, override, publication, public page."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.geo.models import AdminUnit
from phongdich.levels import rules, services
from phongdich.levels.models import Assessment
from phongdich.levels.thresholds import rules_in_force
from phongdich.stats.models import UnitFigure
from phongdich.testing import make_user

DAY = date(2021, 11, 20)  # under 4800


def figures(unit, metric, per_day, days=14, day=DAY):
    UnitFigure.objects.bulk_create(
        UnitFigure(unit=unit, metric=metric, day=day - timedelta(days=i), value=per_day)
        for i in range(days)
    )


@pytest.fixture
def hot_commune_a(world):
    # 12,000 people; 3 community cases a day for 14 days = 42 → 21 per 100k/week... use 9/day
    # 9 * 14 / 2 / 12000 * 100000 = 525 → ≥ 150: band 4.
    for unit in (world.commune_a, world.district_a, world.province):
        figures(unit, "cases.new_community", 9)
    return world.commune_a


def test_every_unit_is_assessed_and_stored_with_its_inputs(world, hot_commune_a):
    rows = services.levels_assess(by=None, day=DAY, province=world.province)
    assert len(rows) == AdminUnit.objects.filter(path__startswith=world.province.path).count()
    a = Assessment.objects.get(unit=world.commune_a, day=DAY)
    assert a.rules == "4800"
    assert a.inputs["community_cases"] == 126
    assert a.inputs["cases_per_100k"] == pytest.approx(525.0)
    # no coverage figures: read as not met, so band 4 + not met = 4
    assert a.computed_level == 4
    b = Assessment.objects.get(unit=world.commune_b, day=DAY)
    assert b.inputs["community_cases"] == 0 and b.computed_level == 2
    # The stored inputs reproduce the level.
    for row in Assessment.objects.filter(day=DAY):
        again = rules.assess(rules_in_force(DAY, row.rules), row.inputs)
        assert again.level == row.computed_level


def test_the_assessment_query_count_does_not_grow_with_units(world, hot_commune_a):
    with CaptureQueriesContext(connection) as few:
        services.levels_assess(by=None, day=DAY, province=world.province)
    for i in range(30):
        AdminUnit.objects.create(
            code=f"9{i:04d}",
            name=f"Xã {i}",
            kind="commune",
            parent=world.district_b,
            path=f"{world.district_b.path}9{i:04d}/",
            population=5000,
        )
    with CaptureQueriesContext(connection) as many:
        services.levels_assess(by=None, day=DAY, province=world.province)
    assert len(many) == len(few)
    # 15 on SQLite, 16 on PostgreSQL (its advisory lock), since the rule sets' start days
    # and the care staff are read (one query each).
    assert len(few) <= 16, [q["sql"] for q in few.captured_queries]


def test_the_218_rules_apply_from_27_01_2022(world):
    rows = services.levels_assess(by=None, day=date(2022, 1, 27), province=world.province)
    assert {r.rules for r in rows} == {"218"}
    with pytest.raises(ValidationError):
        services.levels_assess(by=None, day=date(2021, 10, 1), province=world.province)


def test_a_commune_is_credited_with_its_districts_vacant_beds(world):
    UnitFigure.objects.create(
        unit=world.district_a, metric="facilities.free_regular", day=DAY, value=200
    )
    services.levels_assess(by=None, day=DAY, province=world.province)
    a = Assessment.objects.get(unit=world.commune_a, day=DAY)
    assert a.inputs["beds_of"] == world.district_a.code
    assert a.inputs["free_beds_per_100k"] == pytest.approx(50.0)


def _proposal(world, unit=None):
    services.levels_assess(by=None, day=DAY, province=world.province)
    return Assessment.objects.get(unit=unit or world.commune_a, day=DAY)


def test_override_needs_a_reason_and_is_audited(world, staff, hot_commune_a):
    a = _proposal(world)
    officer = staff.district_health_officer_a
    with pytest.raises(ValidationError):
        services.assessment_review(by=officer, assessment=a, level=3)
    services.assessment_review(by=officer, assessment=a, level=3, reason="Ổ dịch đã khoanh vùng")
    a.refresh_from_db()
    assert a.status == "reviewed" and a.level == 3 and a.overridden
    event = AuditEvent.objects.get(action="levels.override")
    assert event.changes["computed"] == 4 and event.changes["level"] == 3


def test_review_outside_the_jurisdiction_is_refused(world, staff):
    b = _proposal(world, world.commune_b)
    with pytest.raises(PermissionDenied):
        services.assessment_review(by=staff.district_health_officer_a, assessment=b, level=2)
    with pytest.raises(PermissionDenied):
        services.assessment_review(by=staff.commune_worker_b, assessment=b, level=2)


def test_publication_needs_review_and_48_hours(world, staff, hot_commune_a):
    a = _proposal(world)
    early = services.earliest_effective()
    with pytest.raises(ValidationError):  # not reviewed
        services.assessment_publish(by=staff.committee_member, assessment=a, effective_from=early)
    services.assessment_review(by=staff.province_health_officer, assessment=a, level=4)
    with pytest.raises(ValidationError):  # less than 48 hours ahead
        services.assessment_publish(
            by=staff.committee_member, assessment=a, effective_from=early - timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):  # health officers review; the committee publishes
        services.assessment_publish(
            by=staff.province_health_officer, assessment=a, effective_from=early
        )
    services.assessment_publish(by=staff.committee_member, assessment=a, effective_from=early)
    a.refresh_from_db()
    assert a.status == "published" and a.effective_from == early
    with pytest.raises(ValidationError):  # once
        services.assessment_publish(by=staff.committee_member, assessment=a, effective_from=early)


@pytest.mark.parametrize(
    "now, first",
    [
        ("2021-11-20 00:00", date(2021, 11, 22)),  # exactly 48 h to the day's start
        ("2021-11-20 00:01", date(2021, 11, 23)),
        ("2021-11-20 23:59", date(2021, 11, 23)),
    ],
)
def test_earliest_effective_day(now, first):
    from datetime import datetime

    local = timezone.make_aware(datetime.strptime(now, "%Y-%m-%d %H:%M"))
    assert services.earliest_effective(local) == first


@pytest.mark.django_db(transaction=True)
def test_a_rise_notifies_the_units_officers_after_commit(world, staff):
    officer = make_user(
        "tram.a.mail", "commune_health_worker", world.commune_a, email="tram.a@example.vn"
    )
    for day, rate in ((DAY - timedelta(days=1), 0), (DAY, 9)):
        figures(world.commune_a, "cases.new_community", rate, day=day, days=1)
        services.levels_assess(by=None, day=day, province=world.province)
        a = Assessment.objects.get(unit=world.commune_a, day=day)
        services.assessment_review(
            by=staff.province_health_officer, assessment=a, level=a.computed_level
        )
        services.assessment_publish(
            by=staff.committee_member, assessment=a, effective_from=services.earliest_effective()
        )
    assert len(mail.outbox) == 1
    assert officer.email in mail.outbox[0].to
    assert "cấp 2 → cấp 3" in mail.outbox[0].subject


def test_public_page_shows_only_published_levels(client, world, staff, hot_commune_a):
    a = _proposal(world)
    response = client.get("/levels/public/")
    assert response.status_code == 200
    assert "Hàm Rồng" not in response.content.decode()
    services.assessment_review(by=staff.province_health_officer, assessment=a, level=4)
    assert "Hàm Rồng" not in client.get("/levels/public/").content.decode()
    services.assessment_publish(
        by=staff.committee_member, assessment=a, effective_from=services.earliest_effective()
    )
    page = client.get("/levels/public/").content.decode()
    assert "Hàm Rồng" in page and "lvl-4" in page
    assert "Bắc Sơn" not in page  # proposed only


def test_pages_render_and_the_flow_works_through_views(client, world, staff, hot_commune_a):
    a = _proposal(world)
    client.force_login(staff.province_health_officer)
    day = DAY.strftime("%d/%m/%Y")
    assert client.get(f"/levels/?day={day}").status_code == 200
    assert client.get(f"/levels/u/{world.district_a.code}/?day={day}").status_code == 200
    page = client.get(f"/levels/unit/{world.commune_a.code}/?day={day}")
    assert page.status_code == 200 and "4800" in page.content.decode()
    assert client.get(f"/levels/map/?day={day}").status_code == 200
    xlsx = client.get(f"/levels/?day={day}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.post(f"/levels/unit/{world.commune_a.code}/review/", {"day": day, "level": 2})
    assert bad.status_code == 400  # override without a reason
    ok = client.post(f"/levels/unit/{world.commune_a.code}/review/", {"day": day, "level": 4})
    assert ok.status_code == 302
    client.force_login(staff.committee_member)
    effective = services.earliest_effective().strftime("%d/%m/%Y")
    ok = client.post(
        f"/levels/unit/{world.commune_a.code}/publish/", {"day": day, "effective_from": effective}
    )
    assert ok.status_code == 302
    a.refresh_from_db()
    assert a.status == "published"


def test_other_district_answers_404(client, world, staff):
    _proposal(world)
    client.force_login(staff.district_health_officer_a)
    assert client.get(f"/levels/unit/{world.commune_b.code}/").status_code == 404
    assert client.get("/levels/unit/x" + "9" * 500 + "/").status_code == 404
    assert client.get("/levels/?day=99/99/9999").status_code == 200


def test_map_points_carry_the_level_and_publication(world, staff, hot_commune_a):
    from phongdich.levels import selectors

    a = _proposal(world)
    points = {p["code"]: p for p in selectors.map_points(world.province, DAY, "commune")}
    assert points["14755"]["level"] == 4 and not points["14755"]["published"]
    assert not selectors.map_points(world.province, DAY, "commune", public=True)[0]["level"]
    services.assessment_review(by=staff.province_health_officer, assessment=a, level=4)
    services.assessment_publish(
        by=staff.committee_member, assessment=a, effective_from=services.earliest_effective()
    )
    public = {
        p["code"]: p for p in selectors.map_points(world.province, DAY, "commune", public=True)
    }
    assert public["14755"]["published"] and public["14755"]["level"] == 4


def test_dashboard_levels_in_two_queries(world, hot_commune_a):
    from phongdich.levels import selectors

    _proposal(world)
    units = list(AdminUnit.objects.all())
    with CaptureQueriesContext(connection) as q:
        levels = selectors.levels_for_dashboard(units, DAY)
    assert len(q) == 2
    assert levels[world.commune_a.pk] == {"level": 4, "published": False, "effective_from": None}


def test_briefing_section(world, hot_commune_a):
    from phongdich.levels.briefing import section

    _proposal(world)
    built = section(world.district_a, DAY, DAY)
    assert built["key"] == "levels"
    assert ["Phường Hàm Rồng", "Cấp 4 (đề xuất)"] in built["tables"][0]["rows"]
