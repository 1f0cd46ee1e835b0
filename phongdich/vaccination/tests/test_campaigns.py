"""Campaigns: the pace rule at its boundaries, progress per unit and day, the pages, the
link to a directive task."""

from datetime import date, timedelta

import pytest

from phongdich.audit.models import AuditEvent
from phongdich.vaccination import campaigns, rules, services
from phongdich.vaccination.models import (
    CampaignProgress,
    CampaignTarget,
    CampaignTaskLink,
    RiskGroup,
)

from . import builders

START, DEADLINE = date(2022, 2, 21), date(2022, 2, 28)  # seed 002: doses due by 28/02/2022


# Seed 002 (Thanh Hóa, 21/02/2022): "finish by 28/02/2022", the head of each district
# answerable for the pace. Projected = done + done per elapsed day × days left.
@pytest.mark.parametrize(
    "target, done, day, projected, will_miss",
    [
        # a unit exactly on target never misses, whatever the day
        (100, 100, START, 100, False),
        (100, 100, DEADLINE, 100, False),
        (100, 100, DEADLINE + timedelta(days=3), 100, False),
        # above target
        (100, 101, START + timedelta(days=2), 101, False),
        # on the deadline day no days are left: one short misses
        (100, 99, DEADLINE, 99, True),
        # after the deadline likewise
        (100, 99, DEADLINE + timedelta(days=1), 99, True),
        # the day before the deadline: 7 days elapsed, one left
        (80, 70, DEADLINE - timedelta(days=1), 80, False),  # 70 + 70/7 = 80 = target
        (81, 70, DEADLINE - timedelta(days=1), 80, True),
        # the first day counts as one elapsed day: 10 a day × 7 days left
        (80, 10, START, 80, False),
        (81, 10, START, 80, True),
        # nothing done yet after the start: certain to miss
        (1, 0, START + timedelta(days=1), 0, True),
        # before the start: not judged
        (100, 0, START - timedelta(days=1), 0, None),
    ],
)
def test_pace_projection(target, done, day, projected, will_miss):
    pace = rules.pace_projection(target=target, done=done, start=START, deadline=DEADLINE, day=day)
    assert (pace.projected, pace.will_miss) == (projected, will_miss)


def _child(world, staff, name, year=2015, commune=None, **values):
    return builders.person(
        world,
        staff,
        full_name=name,
        birth_year=year,
        phone="",
        id_number="",
        commune=commune or world.commune_a,
        **values,
    )


def _dose(person, day, by, n=1):
    services.dose_record_for_person(
        by=by, person=person, dose=builders.dose("pfizer", n=n, day=day)
    )


def test_progress_counts_target_groups_per_unit_and_day(client, world, staff):
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(
        by=officer,
        name="Tiêm trẻ 5-11 tuổi",
        start=START,
        deadline=DEADLINE,
        age_bands=["5-11"],
        risk_groups=[RiskGroup.TEACHER],
        dose_number=1,
    )
    campaigns.campaign_target_set(
        by=officer,
        campaign=campaign,
        unit=world.district_a,
        target=4,
        official_name="Nguyễn Văn Chủ",
        official_title="Chủ tịch UBND",
    )
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.commune_b, target=1, official_name="Bà B"
    )
    worker = staff.commune_worker_a
    # 2015 → 7 years old in 2022: counted; 2010 → 12: not in 5–11; dose 2: not counted.
    _dose(_child(world, staff, "Trẻ Một"), START, worker)
    _dose(_child(world, staff, "Trẻ Hai"), START + timedelta(days=2), worker)
    _dose(_child(world, staff, "Trẻ Lớn", year=2010), START, worker)
    teacher = _child(world, staff, "Cô Giáo", year=1985)
    from phongdich.vaccination import risk

    risk.risk_flag_set(
        by=worker, person=teacher, group=RiskGroup.TEACHER, source="Phòng GD", since=START
    )
    _dose(teacher, START + timedelta(days=2), worker)
    _dose(_child(world, staff, "Trẻ Ba"), START - timedelta(days=1), worker)  # before start
    rows = campaigns.campaign_refresh(campaign=campaign, today=START + timedelta(days=3))
    assert rows == 2 * 4  # two targets × four days
    done = dict(
        CampaignProgress.objects.filter(campaign=campaign, unit=world.district_a).values_list(
            "day", "done"
        )
    )
    assert [done[START + timedelta(days=i)] for i in range(4)] == [1, 1, 3, 3]
    found = campaigns.figures(campaign)
    by_unit = {r.target.unit_id: r for r in found.rows}
    # district A: 3 in 4 days, 4 days left → 3 + 3 = 6 ≥ 4; commune B: nothing → misses
    assert by_unit[world.district_a.pk].pace.projected == 6
    assert by_unit[world.district_a.pk].pace.will_miss is False
    assert by_unit[world.commune_b.pk].pace.will_miss is True
    assert [r.target.unit for r in found.missing] == [world.commune_b]
    assert found.chart["points"]
    # Each unit's own trend over every stored day, not only the latest.
    trend = by_unit[world.district_a.pk].series
    assert trend == [(START + timedelta(days=i), n) for i, n in enumerate([1, 1, 3, 3])]
    assert [d["value"] for d in by_unit[world.district_a.pk].trend["dots"]] == [1, 1, 3, 3]
    assert [n for _d, n in by_unit[world.commune_b.pk].series] == [0, 0, 0, 0]
    client.force_login(officer)
    page = client.get(f"/vaccination/campaigns/{campaign.pk}/").content.decode()
    assert 'id="campaign-unit-trends"' in page
    assert f'data-unit="{world.district_a.pk}" data-days="4"' in page
    assert f"{START:%d/%m/%Y}: 1 → {START + timedelta(days=3):%d/%m/%Y}: 3 / 4" in page
    # A commune of district A sees the district's row, not commune B's.
    mine = campaigns.figures(campaign, staff.commune_worker_a)
    assert [r.target.unit for r in mine.rows] == [world.district_a]


def test_refresh_stops_at_the_deadline(world, staff):
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(by=officer, name="C", start=START, deadline=DEADLINE)
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.commune_a, target=1, official_name="X"
    )
    campaigns.campaign_refresh(campaign=campaign, today=DEADLINE + timedelta(days=5))
    days = CampaignProgress.objects.filter(campaign=campaign).values_list("day", flat=True)
    assert max(days) == DEADLINE and min(days) == START


def test_only_province_and_district_officers_manage(world, staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        campaigns.campaign_create(
            by=staff.commune_worker_a, name="C", start=START, deadline=DEADLINE
        )
    campaign = campaigns.campaign_create(
        by=staff.province_health_officer, name="C", start=START, deadline=DEADLINE
    )
    with pytest.raises(PermissionDenied):
        campaigns.campaign_target_set(
            by=staff.commune_worker_a,
            campaign=campaign,
            unit=world.commune_a,
            target=1,
            official_name="X",
        )


def test_pages_and_export(client, world, staff):
    officer = staff.province_health_officer
    client.force_login(officer)
    response = client.post(
        "/vaccination/campaigns/new/",
        {
            "name": "Chiến dịch mùa xuân 2022",
            "start": "21/02/2022",
            "deadline": "28/02/2022",
            "age_bands": ["5-11"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = campaigns.Campaign.objects.get()
    response = client.post(
        f"/vaccination/campaigns/{campaign.pk}/targets/",
        {
            "unit": world.district_a.pk,
            "target": 50,
            "official_name": "Lê Văn Huyện",
            "official_title": "Chủ tịch UBND",
        },
    )
    assert response.status_code == 302
    target = CampaignTarget.objects.get()
    assert (target.unit, target.target) == (world.district_a, 50)
    page = client.get(f"/vaccination/campaigns/{campaign.pk}/").content.decode()
    assert "Lê Văn Huyện" in page and "Thành phố Thanh Hóa" in page
    assert 'class="card campaign-unit-chart"' in page and "<rect" in page
    assert client.get("/vaccination/campaigns/").status_code == 200
    export = client.get(f"/vaccination/campaigns/{campaign.pk}.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    # Bad input never gives a 500.
    assert (
        client.post(
            "/vaccination/campaigns/new/", {"name": "x" * 500, "start": "99/99/9999"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/vaccination/campaigns/{campaign.pk}/targets/", {"unit": "abc", "target": "-1"}
        ).status_code
        == 302
    )
    # A commune worker sees the campaign (its district's row) but may not edit it.
    client.force_login(staff.commune_worker_a)
    assert client.get(f"/vaccination/campaigns/{campaign.pk}/").status_code == 200
    assert client.get(f"/vaccination/campaigns/{campaign.pk}/edit/").status_code == 403


def test_a_confirmed_directive_task_shows_the_campaign(client, world, staff):
    from phongdich.directives.models import Document, Task

    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(
        by=officer, name="Mùa xuân", start=START, deadline=DEADLINE
    )
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.district_a, target=10, official_name="Ông A"
    )
    document = Document.objects.create(title="Công văn 1", number="1/CV")
    draft = Task.objects.create(document=document, text="Tiêm đủ mũi", is_draft=True)
    task = Task.objects.create(
        document=document, text="Tiêm đủ mũi", is_draft=False, deadline=DEADLINE
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        campaigns.campaign_task_link(by=officer, campaign=campaign, task=draft)
    client.force_login(officer)
    client.post(f"/vaccination/campaigns/{campaign.pk}/task/", {"task": task.pk})
    assert task.vaccination_campaign_link.campaign == campaign
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = officer
    html = render_to_string("vaccination/_task_campaign.html", {"task": task}, request=request)
    assert "Mùa xuân" in html and "Ông A" in html
    request.user = staff.commune_worker_b  # district B: the campaign covers district A only
    assert "Mùa xuân" not in render_to_string(
        "vaccination/_task_campaign.html", {"task": task}, request=request
    )


def test_progress_counts_people_once_not_doses(world, staff):
    """A person with two doses in the window, or in two target groups at once, is one person
    reached, counted on the day of their first dose in the window."""
    from phongdich.vaccination import risk

    officer = staff.province_health_officer
    worker = staff.commune_worker_a
    campaign = campaigns.campaign_create(
        by=officer,
        name="Mọi mũi đến hạn",
        start=START,
        deadline=DEADLINE,
        age_bands=["18+", "50+"],
        risk_groups=[RiskGroup.TEACHER],
    )
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.commune_a, target=3, official_name="Ông A"
    )
    # 1960: 18+ and 50+, and a teacher too; doses 2 and 3 both inside the window.
    both = _child(world, staff, "Bà Hai Nhóm", year=1960)
    risk.risk_flag_set(
        by=worker, person=both, group=RiskGroup.TEACHER, source="Phòng GD", since=START
    )
    _dose(both, START - timedelta(days=60), worker, n=1)
    _dose(both, START + timedelta(days=1), worker, n=2)
    _dose(both, START + timedelta(days=5), worker, n=3)
    single = _child(world, staff, "Ông Một Mũi", year=1990)
    _dose(single, START + timedelta(days=3), worker)
    campaigns.campaign_refresh(campaign=campaign, today=DEADLINE)
    done = dict(CampaignProgress.objects.filter(campaign=campaign).values_list("day", "done"))
    # day 0: nobody; day 1: Bà Hai Nhóm; day 3: Ông Một Mũi; her third dose adds no one.
    assert [done[START + timedelta(days=i)] for i in range(8)] == [0, 1, 1, 2, 2, 2, 2, 2]
    assert campaigns.figures(campaign).done == 2


def test_unit_chart_has_one_bar_per_unit_marking_those_that_miss(world, staff):
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(by=officer, name="C", start=START, deadline=DEADLINE)
    for unit, target in ((world.commune_a, 1), (world.commune_b, 2)):
        campaigns.campaign_target_set(
            by=officer, campaign=campaign, unit=unit, target=target, official_name="X"
        )
    _dose(_child(world, staff, "Người A", year=1990), START, staff.commune_worker_a)
    campaigns.campaign_refresh(campaign=campaign, today=START + timedelta(days=1))
    chart = campaigns.figures(campaign).unit_chart
    bars = {b["label"]: b for b in chart["bars"]}
    assert set(bars) == {world.commune_a.label(), world.commune_b.label()}
    a, b = bars[world.commune_a.label()], bars[world.commune_b.label()]
    # commune A reached its target (a full bar to the 100 % line); B has nothing and misses.
    assert (a["width"], a["will_miss"]) == (chart["full_x"], False)
    assert (b["width"], b["will_miss"]) == (0, True)


def test_unit_chart_caps_a_unit_far_ahead():
    from types import SimpleNamespace

    row = campaigns.UnitRow(
        target=SimpleNamespace(unit=SimpleNamespace(label=lambda: "Xã X, Huyện Y")),
        pace=rules.Pace(done=500, target=100, projected=500, will_miss=False),
        day=START,
    )
    (bar,) = campaigns.unit_chart([row])["bars"]
    assert bar["width"] == round(campaigns.CHART_CAP * campaigns.unit_chart([row])["full_x"], 1)
    assert bar["percent"] == 500


def _targets_file(rows):
    from phongdich.lib.imports import as_upload

    text = "Chức vụ,Mã đơn vị,Chi tieu,Người chịu trách nhiệm\n" + "".join(f"{r}\n" for r in rows)
    return as_upload("chi-tieu.csv", text.encode())


@pytest.mark.parametrize("mode, saved", [("keep_good", 2), ("all_or_nothing", 0)])
def test_targets_imported_from_a_file_with_a_line_report(client, world, staff, mode, saved):
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(by=officer, name="C", start=START, deadline=DEADLINE)
    client.force_login(officer)
    url = f"/vaccination/campaigns/{campaign.pk}/targets/import/"
    assert (
        'id="target-import"'
        in client.get(f"/vaccination/campaigns/{campaign.pk}/").content.decode()
    )
    upload = _targets_file(
        [
            f"Chủ tịch UBND,{world.district_a.code},1.200,Lê Văn Huyện",
            f"Trưởng trạm,{world.commune_b.code},300,Bà Xã B",
            "Chủ tịch,99999,10,Không Ai",  # line 4: no such unit
            f"Chủ tịch,{world.commune_a.code},-5,Ông A",  # line 5: not a count
            f",{world.commune_a.code},5,",  # line 6: no official
        ]
    )
    page = client.post(url, {"file": upload, "mode": mode}).content.decode()
    assert 'id="import-report"' in page
    assert CampaignTarget.objects.filter(campaign=campaign).count() == saved
    if saved:
        row = CampaignTarget.objects.get(campaign=campaign, unit=world.district_a)
        assert (row.target, row.official_name, row.official_title) == (
            1200,
            "Lê Văn Huyện",
            "Chủ tịch UBND",
        )
    from phongdich.lib.imports import ErrorReport

    report = ErrorReport.from_dict(client.session["vaccination_campaign_target_errors"])
    assert sorted({e["line"] for e in report.entries}) == [4, 5, 6]
    # The same file again changes nothing (one row per unit).
    client.post(
        url,
        {
            "file": _targets_file([f"X,{world.district_a.code},1200,Lê Văn Huyện"]),
            "mode": "keep_good",
        },
    )
    assert CampaignTarget.objects.filter(campaign=campaign, unit=world.district_a).count() == 1
    assert (
        client.get(f"/vaccination/campaigns/{campaign.pk}/targets/errors.xlsx").status_code == 200
    )


def test_a_district_officer_imports_only_units_of_their_district(world, staff):
    from phongdich.testing import make_user
    from phongdich.vaccination import campaign_targets

    district_officer = make_user("yte.huyen.a", "health_officer", world.district_a)
    campaign = campaigns.campaign_create(
        by=district_officer, name="C", start=START, deadline=DEADLINE
    )
    result = campaign_targets.campaign_target_import(
        by=district_officer,
        campaign=campaign,
        upload=_targets_file(
            [
                f"Chủ tịch,{world.commune_a.code},10,Ông A",
                f"Chủ tịch,{world.commune_b.code},10,Bà B",
            ]
        ),
    )
    assert result.saved == 1
    assert [t.unit for t in campaign.targets.all()] == [world.commune_a]
    assert "trong địa bàn của bạn" in " ".join(" ".join(e["errors"]) for e in result.errors.entries)


def test_a_task_link_is_undone_from_the_campaign_page(client, world, staff):
    """A manager unlinks a directive task (audited; the task stays); a second click finds
    nothing to undo; a commune worker cannot; GET does nothing."""
    from phongdich.directives.models import Document, Task

    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(
        by=officer, name="Mùa xuân", start=START, deadline=DEADLINE
    )
    document = Document.objects.create(title="Công văn 2", number="2/CV")
    task = Task.objects.create(
        document=document, text="Tiêm đủ mũi", is_draft=False, deadline=DEADLINE
    )
    campaigns.campaign_task_link(by=officer, campaign=campaign, task=task)
    url = f"/vaccination/campaigns/{campaign.pk}/task/{task.pk}/unlink/"
    client.force_login(officer)
    page = client.get(f"/vaccination/campaigns/{campaign.pk}/").content.decode()
    assert url in page and "data-confirm" in page
    assert client.get(url).status_code == 405
    client.force_login(staff.commune_worker_a)
    assert client.post(url).status_code in (403, 404)
    assert CampaignTaskLink.objects.filter(task=task).exists()
    client.force_login(officer)
    response = client.post(url, follow=True)
    assert "Đã bỏ liên kết" in response.content.decode()
    assert not CampaignTaskLink.objects.filter(task=task).exists()
    assert Task.objects.filter(pk=task.pk).exists()
    event = AuditEvent.objects.get(action="vaccination.campaign.unlink_task")
    assert event.changes == {"task": task.pk} and event.actor == officer
    again = client.post(url, follow=True)
    assert "đã không còn liên kết" in again.content.decode()
    assert AuditEvent.objects.filter(action="vaccination.campaign.unlink_task").count() == 1
