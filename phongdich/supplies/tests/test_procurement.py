"""Procurement dossiers: forward-only steps, the public summary, its export, jurisdiction."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from phongdich.audit.models import AuditEvent
from phongdich.lib.idempotency import new_key
from phongdich.supplies import procurement as proc
from phongdich.supplies.models import Procurement

from .builders import item

S = Procurement.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _dossier(world, staff, unit=None, **extra):
    return proc.procurement_create(
        by=staff.province_health_officer,
        unit=unit or world.province,
        need="Bổ sung oxy lỏng cho bệnh viện tầng 3",
        item=item("oxy-long"),
        quantity=20000,
        amount_vnd=1_250_000_000,
        **extra,
    )


def _advance(record, staff, to, **kwargs):
    return proc.procurement_advance(
        by=staff.province_health_officer, procurement=record, to=to, **kwargs
    )


def test_the_steps_go_forward_one_at_a_time_each_dated_and_audited(world, staff):
    record = _dossier(world, staff)
    with pytest.raises(ValidationError, match="Cần ghi số quyết định"):
        _advance(record, staff, S.APPROVED)
    record = _advance(record, staff, S.APPROVED, decision_number="123/QĐ-UBND")
    with pytest.raises(ValidationError, match="Cần ghi nhà cung cấp"):
        _advance(record, staff, S.CONTRACTED)
    record = _advance(
        record, staff, S.CONTRACTED, supplier="Công ty Khí Việt", amount_vnd=1_200_000_000
    )
    record = _advance(record, staff, S.DELIVERED)
    record = _advance(record, staff, S.PAID)
    record.refresh_from_db()
    assert record.status == S.PAID and record.amount_vnd == 1_200_000_000
    assert all(on is not None for _label, on in record.step_dates())
    actions = list(
        AuditEvent.objects.filter(action="supplies.procurement_advance")
        .order_by("pk")
        .values_list("changes", flat=True)
    )
    assert [c["status"] for c in actions] == [
        ["proposed", "approved"],
        ["approved", "contracted"],
        ["contracted", "delivered"],
        ["delivered", "paid"],
    ]


@pytest.mark.parametrize(
    ("at", "to", "message"),
    [
        (S.PROPOSED, S.CONTRACTED, "Phải qua bước"),
        (S.PROPOSED, S.PAID, "Phải qua bước"),
        (S.APPROVED, S.APPROVED, "đã ở bước"),
        (S.APPROVED, S.PROPOSED, "đã ở bước"),
        (S.CONTRACTED, S.APPROVED, "đã ở bước"),
    ],
)
def test_no_step_is_skipped_or_taken_back(world, staff, at, to, message):
    record = _dossier(world, staff, supplier="Công ty A")
    for step in Procurement.STEPS[1 : Procurement.STEPS.index(at) + 1]:
        record = _advance(record, staff, step, decision_number="1/QĐ")
    with pytest.raises(ValidationError, match=message):
        _advance(record, staff, to, decision_number="1/QĐ")
    record.refresh_from_db()
    assert record.status == at


def test_a_double_click_on_a_step_takes_it_once(client, world, staff):
    record = _dossier(world, staff)
    client.force_login(staff.province_health_officer)
    url = f"/supplies/procurement/{record.pk}/advance/"
    data = {"to": "approved", "decision_number": "45/QĐ-SYT"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the second shows the result
    assert AuditEvent.objects.filter(action="supplies.procurement_advance").count() == 1


def test_creating_twice_with_one_key_makes_one_dossier(client, world, staff):
    client.force_login(staff.province_health_officer)
    data = {
        "submission_key": new_key(),
        "unit": world.province.code,
        "need": "Kit test nhanh",
        "item": item("test-nhanh").pk,
        "quantity": "50000",
        "amount_vnd": "3000000000",
    }
    first = client.post("/supplies/procurement/new/", data)
    second = client.post("/supplies/procurement/new/", data)
    assert first.status_code == second.status_code == 302
    assert Procurement.objects.count() == 1


def test_the_public_page_shows_purchases_without_login_and_no_person(client, world, staff):
    record = _dossier(world, staff)
    _advance(record, staff, S.APPROVED, decision_number="123/QĐ-UBND")
    _advance(record, staff, S.CONTRACTED, supplier="Công ty Khí Việt")
    staff.province_health_officer.first_name = "Nguyễn Văn Cán"
    staff.province_health_officer.save()
    page = client.get("/supplies/purchases/")
    assert page.status_code == 200
    body = page.content.decode()
    for shown in (
        "Oxy lỏng",
        "20.000",
        "Công ty Khí Việt",
        "1.250.000.000",
        "Đã ký hợp đồng",
        "123/QĐ-UBND",
        "Tỉnh Thanh Hóa",
    ):
        assert shown in body, shown
    assert "Nguyễn Văn Cán" not in body and "soyte" not in body
    assert "Bổ sung oxy lỏng" not in body  # the need stays with the staff pages


def test_the_public_export_is_a_workbook_of_the_same_rows(client, world, staff):
    _dossier(world, staff, supplier="Công ty Khí Việt")
    response = client.get("/supplies/purchases.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Đơn vị mua", "Vật tư")
    assert (
        rows[1][1] == "Oxy lỏng"
        and rows[1][4] == "Công ty Khí Việt"
        and rows[1][5] == 1_250_000_000
    )
    assert len(rows) == 2


def test_the_public_page_is_rate_limited(client, settings, world):
    settings.SUPPLIES_PUBLIC_LIMIT = 2
    assert [client.get("/supplies/purchases/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_district_officer_sees_only_their_district(client, world, staff):
    own = _dossier(world, staff, unit=world.district_a)
    other = _dossier(world, staff, unit=world.district_b)
    client.force_login(staff.district_health_officer_a)
    assert client.get(f"/supplies/procurement/{own.pk}/").status_code == 200
    assert client.get(f"/supplies/procurement/{other.pk}/").status_code == 404
    assert (
        client.post(
            f"/supplies/procurement/{other.pk}/advance/", {"to": "approved", "decision_number": "1"}
        ).status_code
        == 404
    )
    listing = client.get("/supplies/procurement/").content.decode()
    assert (
        f"/supplies/procurement/{own.pk}/" in listing
        and f"/supplies/procurement/{other.pk}/" not in listing
    )
    # a district officer cannot buy in the province's or another district's name
    response = client.post(
        "/supplies/procurement/new/",
        {
            "unit": world.district_b.code,
            "need": "x",
            "item": item().pk,
            "quantity": "1",
            "amount_vnd": "1",
        },
    )
    assert response.status_code == 200 and Procurement.objects.count() == 2


def test_committee_reads_but_does_not_write_and_commune_staff_do_not_reach_it(client, world, staff):
    record = _dossier(world, staff)
    client.force_login(staff.committee_member)
    assert client.get(f"/supplies/procurement/{record.pk}/").status_code == 200
    assert (
        client.post(f"/supplies/procurement/{record.pk}/advance/", {"to": "approved"}).status_code
        == 403
    )
    client.force_login(staff.commune_worker_a)
    assert client.get("/supplies/procurement/").status_code == 403


@pytest.mark.parametrize(
    ("name", "size", "ok"),
    [
        ("qd.pdf", 10 * 1024 * 1024, True),
        ("qd.pdf", 10 * 1024 * 1024 + 1, False),
        ("qd.exe", 10, False),
    ],
)
def test_documents_are_bounded(world, staff, name, size, ok):
    record = _dossier(world, staff)
    upload = SimpleUploadedFile(name, b"x" * size)
    if ok:
        proc.procurement_attach(by=staff.province_health_officer, procurement=record, upload=upload)
        assert record.documents.count() == 1
    else:
        with pytest.raises(ValidationError):
            proc.procurement_attach(
                by=staff.province_health_officer, procurement=record, upload=upload
            )


def test_a_document_is_downloaded_by_staff_only(client, world, staff):
    record = _dossier(world, staff)
    document = proc.procurement_attach(
        by=staff.province_health_officer,
        procurement=record,
        upload=SimpleUploadedFile("hop-dong.pdf", b"%PDF-1.4 x"),
    )
    url = f"/supplies/procurement/{record.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 302  # to the login
    client.force_login(staff.province_health_officer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 x"


@pytest.mark.django_db(transaction=True)
def test_two_officers_advancing_at_once_take_one_step():
    from phongdich.testing import losers, make_staff, make_world, race, winners

    world = make_world()
    staff = make_staff(world)
    record = _dossier(world, staff)
    outcomes = race(
        [
            lambda n=n: _advance(record, staff, S.APPROVED, decision_number=f"{n}/QĐ")
            for n in range(3)
        ]
    )
    assert len(winners(outcomes)) == 1
    assert all(isinstance(e, ValidationError) for e in losers(outcomes)), losers(outcomes)
    assert AuditEvent.objects.filter(action="supplies.procurement_advance").count() == 1


def test_a_step_is_not_dated_before_the_previous_one_or_in_the_future(world, staff):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    record = _dossier(world, staff, proposed_on=today - timedelta(days=3))
    for on, message in (
        (today - timedelta(days=4), "trước ngày"),
        (today + timedelta(days=1), "chưa tới"),
    ):
        with pytest.raises(ValidationError, match=message):
            _advance(record, staff, S.APPROVED, decision_number="1/QĐ", on=on)
    assert _advance(
        record, staff, S.APPROVED, decision_number="1/QĐ", on=today - timedelta(days=3)
    ).approved_on
