"""The round's pages: campaign → round → sampling point, the figures, the XLSX, the
confirmed close, and who may see what."""

from io import BytesIO

from openpyxl import load_workbook

from phongdich.labtests.models import Sample, SamplingPoint, ScreeningRound

from . import builders


def test_a_round_is_added_a_point_set_up_and_a_sample_taken_there(client, world, staff):
    camp = builders.campaign(world, staff)
    client.force_login(staff.province_health_officer)
    response = client.post(
        f"/labtests/campaigns/{camp.pk}/",
        {
            "starts_on": camp.starts_on.strftime("%d/%m/%Y"),
            "ends_on": camp.starts_on.strftime("%d/%m/%Y"),
            "target_people": "100",
            "target_households": "30",
        },
    )
    rnd = ScreeningRound.objects.get(campaign=camp)
    assert response.status_code == 302 and response["Location"] == f"/labtests/rounds/{rnd.pk}/"
    client.force_login(staff.commune_worker_a)
    response = client.post(
        f"/labtests/rounds/{rnd.pk}/",
        {
            "name": "Trường THCS Hàm Rồng",
            "commune": world.commune_a.pk,
            "opens_at": "07:00",
            "closes_at": "11:00",
        },
    )
    point = SamplingPoint.objects.get(round=rnd)
    assert response.status_code == 302
    response = client.post(
        f"/labtests/points/{point.pk}/",
        {
            "barcode": "TS-0001",
            "full_name": "Hoàng Văn Sàng",
            "birth_year": "1975",
            "address": "5 Nguyễn Trãi",
            "commune": world.commune_a.pk,
            "kind": "pcr",
            "reason": "screening",
            "symptomatic": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sample = Sample.objects.get(barcode="TS-0001")
    assert (sample.round_id, sample.point_id, sample.place) == (rnd.pk, point.pk, point.name)
    assert sample.symptomatic  # the team ticked "has symptoms"
    page = client.get(f"/labtests/points/{point.pk}/").content.decode()
    assert "TS-0001" in page and "Hoàng Văn Sàng" in page
    page = client.get(f"/labtests/rounds/{rnd.pk}/").content.decode()
    assert "Phường Hàm Rồng" in page and "Trường THCS Hàm Rồng" in page
    # The commune worker reads the figures but does not close the round.
    assert "close-form" not in page
    export = client.get(f"/labtests/rounds/{rnd.pk}.xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Xã/phường" and rows[-1][0] == "Cộng" and rows[-1][2] == 1


def test_closing_a_round_needs_the_confirmation(client, world, staff):
    rnd = builders.screening_round(world, staff)
    client.force_login(staff.province_health_officer)
    client.post(f"/labtests/rounds/{rnd.pk}/close/")
    assert ScreeningRound.objects.get(pk=rnd.pk).status == "open"
    client.post(f"/labtests/rounds/{rnd.pk}/close/", {"confirmed": "1"})
    assert ScreeningRound.objects.get(pk=rnd.pk).status == "closed"
    response = client.post(f"/labtests/rounds/{rnd.pk}/close/", {"confirmed": "1"}, follow=True)
    assert "đã được kết thúc trước đó" in response.content.decode()


def test_rounds_and_points_are_scoped(client, world, staff):
    camp = builders.campaign(
        world,
        staff,
        unit=world.district_a,
        units=[world.commune_a],
        by=staff.district_health_officer_a,
    )
    rnd = builders.screening_round(world, staff, camp)
    point = builders.point(world, staff, rnd)
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/labtests/rounds/{rnd.pk}/").status_code == 404
    assert client.get(f"/labtests/points/{point.pk}/").status_code == 404
    client.force_login(staff.committee_member)
    assert client.get(f"/labtests/rounds/{rnd.pk}/").status_code == 200
    assert client.get(f"/labtests/points/{point.pk}/").status_code == 403  # personal data
    client.force_login(staff.hotline_agent)
    assert client.get(f"/labtests/rounds/{rnd.pk}/").status_code == 403


def test_bad_round_and_point_input_is_told_not_a_500(client, world, staff):
    camp = builders.campaign(world, staff)
    client.force_login(staff.province_health_officer)
    response = client.post(
        f"/labtests/campaigns/{camp.pk}/",
        {
            "starts_on": "31/02/2026",
            "ends_on": "x",
            "target_people": "-1",
            "target_households": "1e99",
        },
    )
    assert response.status_code == 200 and not ScreeningRound.objects.exists()
    rnd = builders.screening_round(world, staff, camp)
    response = client.post(
        f"/labtests/rounds/{rnd.pk}/",
        {"name": "x" * 500, "commune": world.commune_a.pk, "opens_at": "25:99"},
    )
    assert response.status_code == 200 and not SamplingPoint.objects.exists()


def test_the_round_page_shows_pending_results_and_closing_needs_them_seen(client, world, staff):
    from phongdich.labtests import services

    from . import builders as b

    rnd = b.screening_round(world, staff)
    point = b.point(world, staff, rnd)
    services.sample_take(
        by=staff.commune_worker_a,
        person=b.person(world, staff),
        barcode="W-1",
        kind="pcr",
        reason="screening",
        commune=point.commune,
        point=point,
    )
    client.force_login(staff.province_health_officer)
    page = client.get(f"/labtests/rounds/{rnd.pk}/").content.decode()
    assert 'id="pending"' in page and "Còn 1 mẫu chưa có kết quả" in page
    assert 'name="pending" value="1"' in page
    url = f"/labtests/rounds/{rnd.pk}/close/"
    for typed in ("", "abc", "-1", "9" * 30, "0"):
        refused = client.post(url, {"confirmed": "1", "pending": typed}, follow=True)
        assert refused.status_code == 200 and "Còn 1 mẫu" in refused.content.decode()
        assert ScreeningRound.objects.get(pk=rnd.pk).status == "open"
    client.post(url, {"confirmed": "1", "pending": "1"})
    assert ScreeningRound.objects.get(pk=rnd.pk).status == "closed"
