from phongdich.audit.models import AuditEvent
from phongdich.labtests.models import Pool, ResampleOrder, Sample

from . import builders


def test_a_sampling_team_records_a_pooled_sample_and_sees_the_orders(client, world, staff):
    team = builders.team(world, staff, name="Tổ 1")
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/labtests/pools/",
        {"code": "G-1", "commune": world.commune_a.pk, "sampling_team": team.pk},
    )
    pool = Pool.objects.get(code="G-1")
    assert response.status_code == 302
    assert (pool.sampling_team, pool.team) == (team, "Tổ 1")
    for n, name in enumerate(("Lê Thị Một", "Trần Văn Hai")):
        response = client.post(
            "/labtests/samples/new/",
            {
                "barcode": f"G-1-{n}",
                "full_name": name,
                "birth_year": 1990,
                "phone": f"09876543{n:02d}",
                "commune": world.commune_a.pk,
                "kind": "pcr",
                "reason": "screening",
                "pool_code": "G-1",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert pool.members.count() == 2
    response = client.post(
        f"/labtests/pools/{pool.pk}/result/",
        {"result": "positive", "lab": "CDC Thanh Hóa", "ct_value": "28"},
    )
    assert response.status_code == 302
    page = client.get("/labtests/orders/").content.decode()
    assert "Lê Thị Một" in page and "Trần Văn Hai" in page
    order = ResampleOrder.objects.order_by("pk").first()
    client.post(f"/labtests/orders/{order.pk}/sample/", {"barcode": "R-1"})
    resample = ResampleOrder.objects.get(pk=order.pk).new_sample
    assert (resample.barcode, resample.sampling_team) == ("R-1", team)


def test_the_sample_page_is_an_audited_read(client, world, staff):
    sample = builders.sample(world, staff)
    client.force_login(staff.commune_worker_a)
    assert client.get(f"/labtests/samples/{sample.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="labtests.sample").exists()


def test_another_commune_does_not_see_the_sample(client, world, staff):
    sample = builders.sample(world, staff)
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/labtests/samples/{sample.pk}/").status_code == 404
    assert sample.barcode not in client.get("/labtests/samples/").content.decode()


def test_a_result_typed_twice_is_recorded_once(client, world, staff):
    sample = builders.sample(world, staff)
    client.force_login(staff.commune_worker_a)
    for _ in range(2):
        client.post(f"/labtests/samples/{sample.pk}/result/", {"result": "negative", "lab": "CDC"})
    assert Sample.objects.get(pk=sample.pk).result == "negative"
    assert AuditEvent.objects.filter(action="labtests.result_record").count() == 1


def test_garbage_never_gives_a_500(client, world, staff):
    sample = builders.sample(world, staff)
    client.force_login(staff.commune_worker_a)
    for url, data in (
        (f"/labtests/samples/{sample.pk}/result/", {"result": "zzz", "ct_value": "1e999"}),
        (f"/labtests/samples/{sample.pk}/reject/", {"reason": "x" * 5000}),
        ("/labtests/samples/new/", {"barcode": "x" * 500, "commune": "99999999999999999999"}),
        ("/labtests/campaigns/new/", {"target_population": "-1", "units": ["abc"]}),
        ("/labtests/orders/999999/sample/", {"barcode": "Z"}),
    ):
        assert client.post(url, data).status_code in (200, 302, 403, 404), url
    assert client.get("/labtests/samples/", {"status": "zzz"}).status_code == 200


def test_campaign_pages_and_export(client, world, staff):
    client.force_login(staff.province_health_officer)
    response = client.post(
        "/labtests/campaigns/new/",
        {
            "name": "Tầm soát chợ",
            "kind": "pcr",
            "starts_on": "01/12/2026",
            "ends_on": "05/12/2026",
            "rounds": 2,
            "target_population": 500,
            "units": [world.commune_a.pk, world.commune_b.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"]).content.decode()
    assert "Phường Hàm Rồng" in page and "Thành phố Thanh Hóa" in page
    export = client.get(response["Location"].rstrip("/") + ".xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
