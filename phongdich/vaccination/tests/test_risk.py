"""Risk groups: the import (line errors, keep good rows / refuse the file, idempotent), the
high-risk coverage band and criterion 2's 218 figure, the outreach filter, official
denominators."""

from datetime import date, timedelta

from phongdich.lib.imports import as_upload
from phongdich.vaccination import coverage, denominators, outreach, risk, services
from phongdich.vaccination.models import CoverageFigure, PopulationBand, RiskFlag, RiskGroup

from . import builders

HEADER = "CCCD,Họ và tên,Năm sinh,Mã xã,Nhóm nguy cơ,Tên doanh nghiệp,Nguồn,Từ ngày,Đến ngày\n"


def _file(*lines):
    return as_upload("nguy-co.csv", (HEADER + "".join(line + "\n" for line in lines)).encode())


def test_import_reports_bad_lines_and_keeps_good_rows(world, staff):
    known = builders.person(world, staff)  # CCCD 038080001234, Lê Văn Tiêm 1980, commune A
    by_name = builders.person(
        world, staff, full_name="Trần Thị Hoa", birth_year=1990, phone="", id_number=""
    )
    good = [
        "038080001234,,,,Có bệnh nền,,Trạm y tế,01/02/2022,",
        f",Tran Thi Hoa,1990,{world.commune_a.code},Người lao động doanh nghiệp,"
        "Công ty May Hàm Rồng,Công ty,01/02/2022,",
    ]
    bad = [
        "038099999999,,,,Giáo viên,,Sở GD,01/02/2022,",  # line 4: nobody
        "038080001234,,,,Bay lượn,,X,01/02/2022,",  # line 5: no such group
        f",Trần Thị Hoa,1990,{world.commune_a.code},doanh nghiệp,,Y,01/02/2022,",  # line 6
        "038080001234,,,,Phụ nữ có thai,,Z,01/03/2022,01/02/2022",  # line 7: ends before
    ]
    result = risk.risk_import(by=staff.commune_worker_a, upload=_file(*good, *bad))
    assert result.saved == 2
    assert sorted(e["line"] for e in result.errors.entries) == [4, 5, 6, 7]
    flags = {(f.person_id, f.group, f.enterprise) for f in RiskFlag.objects.all()}
    assert flags == {
        (known.pk, RiskGroup.COMORBIDITY, ""),
        (by_name.pk, RiskGroup.ENTERPRISE, "Công ty May Hàm Rồng"),
    }
    # Re-importing changes nothing; all-or-nothing refuses the whole file.
    risk.risk_import(by=staff.commune_worker_a, upload=_file(*good))
    assert RiskFlag.objects.count() == 2
    RiskFlag.objects.all().delete()
    refused = risk.risk_import(
        by=staff.commune_worker_a, upload=_file(*good, *bad), all_or_nothing=True
    )
    assert refused.refused and RiskFlag.objects.count() == 0


def test_import_sees_nobody_outside_the_jurisdiction(world, staff):
    builders.person(
        world,
        staff,
        commune=world.commune_b,
        id_number="038080005555",
        full_name="Người Xã B",
        phone="",
    )
    result = risk.risk_import(
        by=staff.commune_worker_a, upload=_file("038080005555,,,,Giáo viên,,S,01/02/2022,")
    )
    assert result.saved == 0 and [e["line"] for e in result.errors.entries] == [2]


DAY = date(2022, 3, 1)


def test_high_risk_band_and_criterion_2(world, staff):
    worker = staff.commune_worker_a
    old = builders.person(world, staff, full_name="Cụ Già", birth_year=1950, phone="", id_number="")
    sick = builders.person(
        world, staff, full_name="Người Bệnh", birth_year=1990, phone="", id_number=""
    )
    builders.person(world, staff, full_name="Người Khỏe", birth_year=1992, phone="", id_number="")
    risk.risk_flag_set(
        by=worker, person=sick, group=RiskGroup.COMORBIDITY, source="TYT", since=date(2022, 1, 1)
    )
    for person in (old, sick):
        for n, back in ((1, 60), (2, 30)):
            services.dose_record_for_person(
                by=worker,
                person=person,
                dose=builders.dose("pfizer", n=n, day=DAY - timedelta(days=back)),
            )
    coverage.coverage_refresh(day=DAY)
    risk_band = CoverageFigure.objects.get(unit=world.commune_a, day=DAY, band="risk")
    assert (risk_band.population, risk_band.full) == (2, 2)
    comorbid = CoverageFigure.objects.get(unit=world.commune_a, day=DAY, band="comorbid")
    assert (comorbid.population, comorbid.full) == (1, 1)
    assert coverage.criterion_2(world.commune_a, DAY)["high_risk_full"] == 1.0
    # A flag from a later day does not count yet.
    RiskFlag.objects.update(since=DAY + timedelta(days=1))
    coverage.coverage_refresh(day=DAY)
    assert CoverageFigure.objects.get(unit=world.commune_a, day=DAY, band="risk").population == 1


def test_official_denominators_are_used_and_named(world, staff):
    text = (
        "Mã đơn vị,Nhóm tuổi,Dân số,Nguồn\n"
        f"{world.commune_a.code},18+,200,Cục Thống kê 2021\n"
        f"{world.commune_a.code},Bay,10,\n"  # line 3: no such band
        "99999,18+,10,\n"  # line 4: no such unit
    )
    result = denominators.population_band_import(
        by=staff.province_admin, upload=as_upload("dan-so.csv", text.encode())
    )
    assert result.saved == 1 and sorted(e["line"] for e in result.errors.entries) == [3, 4]
    person = builders.person(world, staff)
    services.dose_record_for_person(
        by=staff.commune_worker_a,
        person=person,
        dose=builders.dose("pfizer", n=1, day=DAY - timedelta(days=5)),
    )
    coverage.coverage_refresh(day=DAY)
    assert coverage.criterion_2(world.commune_a, DAY)["adults_at_least_one"] == 1 / 200
    assert coverage.denominators(world.commune_a, DAY)["18+"] == "official"
    PopulationBand.objects.update(synthetic=True)
    coverage.coverage_refresh(day=DAY)
    assert coverage.denominators(world.commune_a, DAY)["18+"] == "synthetic"


def test_outreach_filters_by_risk_group(world, staff):
    worker = staff.commune_worker_a
    teacher = builders.person(
        world, staff, full_name="Cô Giáo", birth_year=1990, phone="", id_number=""
    )
    builders.person(world, staff, full_name="Anh Thợ", birth_year=1991, phone="", id_number="")
    old = builders.person(
        world, staff, full_name="Ông Lão", birth_year=1940, phone="", id_number=""
    )
    risk.risk_flag_set(
        by=worker, person=teacher, group=RiskGroup.TEACHER, source="PGD", since=date(2021, 9, 1)
    )

    def names(group):
        found = outreach.outreach_list(world.commune_a, outreach.Filters(risk_group=group), DAY)
        return sorted(e.person.full_name for e in found.entries)

    assert names(RiskGroup.TEACHER) == ["Cô Giáo"]
    assert names("65+") == ["Ông Lão"]
    assert names("risk") == ["Cô Giáo", "Ông Lão"]
    assert len(names("")) == 3
    assert old.pk


def test_a_risk_group_added_and_ended_on_the_persons_record(client, world, staff):
    """The record shows the person's flags; a station worker adds one by hand (bounded,
    audited, the enterprise required for workers) and ends it; another commune's worker
    gets 404 for this person; the outreach filter follows the flag's days."""
    from phongdich.audit.models import AuditEvent

    person = builders.person(world, staff)
    record = f"/vaccination/people/{person.pk}/"
    add = f"/vaccination/people/{person.pk}/risk/"
    client.force_login(staff.commune_worker_a)
    page = client.get(record).content.decode()
    assert 'id="risk-flags"' in page and "Chưa ghi nhóm nguy cơ nào" in page
    refused = client.post(
        add,
        {"group": RiskGroup.ENTERPRISE, "source": "Trạm", "since": "01/02/2022"},
        follow=True,
    )
    assert "Cần ghi tên doanh nghiệp." in refused.content.decode()
    too_long = client.post(
        add, {"group": RiskGroup.TEACHER, "source": "x" * 201, "since": "01/02/2022"}
    )
    assert too_long.status_code == 302 and not RiskFlag.objects.exists()
    client.post(add, {"group": RiskGroup.PREGNANT, "source": "Sổ khám thai", "since": "01/02/2022"})
    flag = RiskFlag.objects.get(person=person)
    assert (flag.group, flag.since, flag.until, flag.recorded_by) == (
        RiskGroup.PREGNANT, date(2022, 2, 1), None, staff.commune_worker_a,
    )  # fmt: skip
    page = client.get(record).content.decode()
    assert 'data-group="pregnant"' in page and "01/02/2022" in page
    filters = outreach.Filters(risk_group=RiskGroup.PREGNANT)

    def listed(day):
        entries = outreach.outreach_list(world.commune_a, filters, day).entries
        return person.pk in {e.person.pk for e in entries}

    assert listed(date(2022, 3, 1))
    end = f"/vaccination/people/{person.pk}/risk/{flag.pk}/end/"
    before = client.post(end, {"until": "01/01/2022"}, follow=True)  # before it began
    assert "Ngày kết thúc trước ngày bắt đầu." in before.content.decode()
    client.post(end, {"until": "15/02/2022"})
    flag.refresh_from_db()
    assert flag.until == date(2022, 2, 15)
    assert not listed(date(2022, 3, 1)) and listed(date(2022, 2, 10))
    actions = list(
        AuditEvent.objects.filter(action__startswith="vaccination.risk_flag").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["vaccination.risk_flag", "vaccination.risk_flag_end"]
    client.force_login(staff.commune_worker_b)
    assert client.post(end, {"until": "16/02/2022"}).status_code == 404
    assert (
        client.post(add, {"group": "teacher", "source": "x", "since": "01/02/2022"}).status_code
        == 404
    )
    assert client.get(add).status_code == 405
