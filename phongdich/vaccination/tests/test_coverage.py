"""Coverage per unit and band, set-based, agrees with the per-person rules."""

from datetime import date, timedelta

from phongdich.vaccination import coverage, services
from phongdich.vaccination.models import CoverageFigure

from . import builders

DAY = date(2022, 3, 1)


def _doses(person, officer, *doses):
    for code, n, day, kind in doses:
        services.dose_record_for_person(
            by=officer, person=person, dose=builders.dose(code, n, day, kind=kind)
        )


def test_figures_per_band_and_unit_follow_the_rules(world, staff):
    officer = builders.officer(world, unit=world.province)
    second = DAY - timedelta(days=14)
    old = builders.person(
        world, staff, full_name="Cụ Một", birth_year=1950, phone="0911000001", id_number=""
    )
    fresh = builders.person(
        world, staff, full_name="Anh Hai", birth_year=1990, phone="0911000002", id_number=""
    )
    teen = builders.person(
        world,
        staff,
        full_name="Em Ba",
        birth_year=2008,
        phone="0911000003",
        id_number="",
        commune=world.commune_b,
    )
    builders.person(
        world, staff, full_name="Chị Bốn", birth_year=1985, phone="0911000004", id_number=""
    )  # none
    # Fully vaccinated on day 14 exactly, then boosted.
    _doses(
        old,
        officer,
        ("astrazeneca", 1, second - timedelta(days=60), ""),
        ("astrazeneca", 2, second, ""),
        ("pfizer", 3, DAY, "booster"),
    )
    # Dose 2 thirteen days before: not yet fully vaccinated.
    _doses(
        fresh,
        officer,
        ("pfizer", 1, DAY - timedelta(days=40), ""),
        ("pfizer", 2, DAY - timedelta(days=13), ""),
    )
    _doses(
        teen,
        officer,
        ("pfizer", 1, DAY - timedelta(days=50), ""),
        ("pfizer", 2, DAY - timedelta(days=29), ""),
    )
    coverage.coverage_refresh(day=DAY)

    def figure(unit, band):
        f = CoverageFigure.objects.get(unit=unit, day=DAY, band=band)
        return (f.population, f.at_least_one, f.full, f.boosted)

    assert figure(world.commune_a, "18+") == (3, 2, 1, 1)
    assert figure(world.commune_a, "50+") == (1, 1, 1, 1)
    assert figure(world.commune_b, "12-17") == (1, 1, 1, 0)
    assert figure(world.province, "all") == (4, 3, 2, 1)
    assert figure(world.district_a, "all") == (3, 2, 1, 1)
    # The same statuses as the per-person rules.
    statuses = [services.person_status(p, DAY).status for p in (old, fresh, teen)]
    assert statuses == ["boosted", "partly", "fully"]
    levels = coverage.criterion_2(world.province, DAY)
    assert levels["adults_at_least_one"] == 2 / 3 and levels["over_50_full"] == 1.0
    # The whole population divides by the units' official total (geo's population
    # import) when there is one; the page says which denominator it used.
    world.province.refresh_from_db()
    assert levels["population_full"] == 2 / world.province.population
    assert coverage.denominators(world.province, DAY)["all"] == "official"
    assert coverage.denominators(world.province, DAY)["18+"] == "registry"
    # Rebuilding the day replaces its rows.
    rows = CoverageFigure.objects.count()
    coverage.coverage_refresh(day=DAY)
    assert CoverageFigure.objects.count() == rows


def test_the_page_and_export(client, world, staff):
    officer = builders.officer(world, unit=world.province)
    person = builders.person(world, staff)
    _doses(
        person,
        officer,
        ("pfizer", 1, DAY - timedelta(days=50), ""),
        ("pfizer", 2, DAY - timedelta(days=29), ""),
    )
    coverage.coverage_refresh(day=DAY)
    client.force_login(staff.committee_member)
    page = client.get("/vaccination/coverage/", {"day": "01/03/2022"}).content.decode()
    assert "100,0 %" in page or "100.0 %" in page
    assert "Thành phố Thanh Hóa" in page
    response = client.get("/vaccination/coverage.xlsx", {"day": "01/03/2022"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get("/vaccination/coverage/", {"day": "99/99/9999"}).status_code == 200


def test_the_set_based_refresh_gives_the_python_rollups_sums(world, staff):
    """Every band's boundary (ages 4/5, 11/12, 17/18, 49/50, 64/65, no birth year), each
    risk group and a flag that ended, people in two districts: the refresh's rows equal
    the former Python rollup of the same groups, unit by unit and band by band, and an
    official band nobody is registered in still gets its row."""
    from phongdich.vaccination import risk
    from phongdich.vaccination.models import PopulationBand, RiskGroup

    officer = builders.officer(world, unit=world.province)
    years = [DAY.year - age for age in (4, 5, 11, 12, 17, 18, 49, 50, 64, 65)] + [None]
    people = []
    for i, year in enumerate(years):
        commune = world.commune_a if i % 2 else world.commune_b
        people.append(
            builders.person(
                world,
                staff,
                full_name=f"Người Số {i}",
                birth_year=year,
                phone=f"09110001{i:02d}",
                id_number="",
                commune=commune,
            )
        )
    for i, person in enumerate(people[1:], start=1):
        doses = [("pfizer", 1, DAY - timedelta(days=60), "")]
        if i % 3:
            doses.append(("pfizer", 2, DAY - timedelta(days=14 if i % 2 else 13), ""))
        if i % 3 == 1:
            doses.append(("pfizer", 3, DAY, "booster"))
        _doses(person, officer, *doses)
    for person, group in zip(people[2:], RiskGroup.values, strict=False):
        values = {"enterprise": "Công ty May"} if group == RiskGroup.ENTERPRISE else {}
        risk.risk_flag_set(
            by=officer, person=person, group=group, source="Trạm y tế",
            since=DAY - timedelta(days=30), **values,
        )  # fmt: skip
    risk.risk_flag_set(
        by=officer, person=people[0], group=RiskGroup.PREGNANT, source="Trạm y tế",
        since=DAY - timedelta(days=300), until=DAY - timedelta(days=1),
    )  # fmt: skip
    PopulationBand.objects.create(unit=world.district_b, band="65+", population=900)
    rows = coverage.coverage_refresh(day=DAY)
    expected = coverage.coverage_totals_in_python(DAY, world.province)
    stored = {
        (f.unit_id, f.band): [f.population, f.at_least_one, f.full, f.boosted]
        for f in CoverageFigure.objects.filter(day=DAY)
    }
    # Rows beyond the rollup's: official bands nobody is registered in (district B's 65+,
    # a unit with a population from geo and no resident on record), and nothing else.
    official_only = set(stored) - set(expected)
    assert (world.district_b.pk, "65+") in official_only
    assert (
        not CoverageFigure.objects.filter(
            day=DAY,
            official_population__isnull=True,
            unit_id__in=[unit for unit, _band in official_only],
            band__in=[band for _unit, band in official_only],
        )
        .exclude(unit_id__in=[u for u, _b in expected])
        .exists()
    )
    assert {k: v for k, v in stored.items() if k not in official_only} == expected
    assert all(stored[key] == [0, 0, 0, 0] for key in official_only)
    assert (
        CoverageFigure.objects.get(unit=world.district_b, day=DAY, band="65+").official_population
        == 900
    )
    assert rows == len(stored)
    # Everyone in the province is in "all"; 50+ by age and every stored group is high-risk.
    assert stored[(world.province.pk, "all")][0] == len(people)
    assert stored[(world.province.pk, "risk")][0] == 3 + len(RiskGroup.values)  # 50, 64, 65
