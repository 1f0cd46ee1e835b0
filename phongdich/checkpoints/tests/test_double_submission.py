"""A declaration, a report, a daily check sent twice is saved once (lib.idempotency).

The racing tests run real threads on PostgreSQL (in turn on SQLite, phongdich/testing.py).
"""

import io
import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from phongdich.audit.models import AuditEvent
from phongdich.checkpoints import services
from phongdich.checkpoints.models import (
    CitizenReport,
    Declaration,
    DeclarationLink,
    EpidemicArea,
    ForecastImport,
    Pharmacy,
    PharmacyReport,
    QuarantineCheck,
    TransitEscort,
)
from phongdich.people.models import Person
from phongdich.testing import make_world, race, winners

from . import builders

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def _key(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


@pytest.fixture(autouse=True)
def _home_province(settings, db):
    settings.CHECKPOINTS_PROVINCE_CODE = "38"
    yield
    cache.clear()  # public posts count against the per-address limit


def _declaration_form(world, **overrides):
    data = {
        "full_name": "Trần Thị Bình",
        "birth_year": "1985",
        "sex": "F",
        "nationality": "Việt Nam",
        "phone": "0987 654 321",
        "travel_mode": "bus",
        "arrival_date": timezone.localdate().strftime("%d/%m/%Y"),
        "origin_text": "TP Hồ Chí Minh",
        "destination_commune": world.commune_a.pk,
        "destination_address": "5 Nguyễn Trãi",
        "vaccine_doses": "2",
    }
    return data | overrides


def test_a_declaration_sent_twice_is_saved_once(client, world):
    key = _key(client.get(reverse("checkpoints:declare")))
    data = _declaration_form(world, submission_key=key)
    first = client.post(reverse("checkpoints:declare"), data)
    second = client.post(reverse("checkpoints:declare"), data)
    declaration = Declaration.objects.get()
    assert first.status_code == second.status_code == 302
    # Both answers open the traveller's page of the one declaration (two links to it).
    for answer in (first, second):
        assert declaration.code in client.get(answer["Location"]).content.decode()
    assert declaration.links.count() == 2


def test_a_declaration_edited_and_resent_with_the_old_key_is_refused(client, world):
    key = _key(client.get(reverse("checkpoints:declare")))
    client.post(reverse("checkpoints:declare"), _declaration_form(world, submission_key=key))
    page = client.post(
        reverse("checkpoints:declare"),
        _declaration_form(world, submission_key=key, destination_address="7 Lê Lợi"),
    )
    assert page.status_code == 200
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != key
    assert Declaration.objects.count() == 1


def test_an_officer_entry_sent_twice_is_saved_once(client, world, staff):
    client.force_login(staff.checkpoint_officer)
    key = _key(client.get(reverse("checkpoints:officer_entry")))
    data = _declaration_form(world, submission_key=key)
    for _ in range(2):
        assert client.post(reverse("checkpoints:officer_entry"), data).status_code == 200
    assert Declaration.objects.count() == 1


def _post_declaration(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/checkpoints/declarations", body, content_type="application/json", **headers
    )


API_BODY = {
    "full_name": "Lê Văn Cường",
    "birth_year": 1979,
    "phone": "0912333444",
    "arrival_date": "2026-12-01",
    "destination_commune_code": "14755",
}


def test_the_declaration_api_saves_once_per_idempotency_key(client, world):
    key = str(uuid.uuid4())
    first = _post_declaration(client, API_BODY, key)
    again = _post_declaration(client, API_BODY, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert again["Idempotent-Replayed"] == "true"
    # The replay's link works and shows the same declaration.
    assert first.json()["code"] in client.get(again.json()["personal_link"]).content.decode()
    assert _post_declaration(client, API_BODY | {"phone": "0912000000"}, key).status_code == 409
    assert Declaration.objects.count() == 1
    _post_declaration(client, API_BODY)
    assert Declaration.objects.count() == 2  # without a key every post is a new declaration


@pytest.mark.django_db(transaction=True)
def test_racing_declarations_with_one_key_save_one():
    world = make_world()
    key = str(uuid.uuid4())
    outcomes = race([lambda: _post_declaration(Client(), API_BODY, key) for _ in range(5)])
    responses = winners(outcomes)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["code"] for r in responses}) == 1
    assert Declaration.objects.count() == 1
    # What the winner writes after its savepoint (lib.query.write_together): once each;
    # every answer carries a personal link of its own.
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="person.create").count() == 1
    assert AuditEvent.objects.filter(action="checkpoints.declare").count() == 1
    assert DeclarationLink.objects.count() == 5
    cache.clear()
    form = _declaration_form(world, submission_key="d" * 24)
    outcomes = race([lambda: Client().post(reverse("checkpoints:declare"), form)] * 4)
    assert [r.status_code for r in winners(outcomes)] == [302] * 4
    assert Declaration.objects.count() == 2


def test_public_reports_sent_twice_are_saved_once(client, world):
    key = _key(client.get(reverse("checkpoints:citizen_report")))
    report = {
        "submission_key": key,
        "commune": world.commune_a.pk,
        "address": "Ngõ 4",
        "description": "Có người về không khai báo",
        "anonymous": "on",
    }
    for _ in range(2):
        assert client.post(reverse("checkpoints:citizen_report"), report).status_code == 200
    assert CitizenReport.objects.count() == 1
    key = _key(client.get(reverse("checkpoints:pharmacy_register")))
    pharmacy = {
        "submission_key": key,
        "name": "Nhà thuốc Hàm Rồng",
        "owner_name": "DS. Phạm Thu",
        "phone": "0904111222",
        "address": "1 Nguyễn Trãi",
        "commune": world.commune_a.pk,
    }
    links = [client.post(reverse("checkpoints:pharmacy_register"), pharmacy) for _ in range(2)]
    assert Pharmacy.objects.count() == 1
    link = links[1]["Location"]
    key = _key(client.get(link))
    buyer = {
        "submission_key": key,
        "buyer_name": "Hoàng Văn Ho",
        "commune": world.commune_a.pk,
        "symptoms": ["cough"],
    }
    for _ in range(2):
        client.post(link, buyer)
    assert PharmacyReport.objects.count() == 1


def test_daily_checks_sent_twice_are_saved_once(client, world, staff):
    from phongdich.quarantine import services as quarantine_services
    from phongdich.quarantine.models import DailyCheck

    handover = builders.handover(world, staff)
    services.handover_confirm(by=staff.commune_worker_a, handover=handover)
    quarantine = services.quarantine_start(
        by=staff.commune_worker_a, handover=handover, policy_key="2022-early"
    )
    raw = quarantine_services.quarantine_link_mint(by=staff.commune_worker_a, quarantine=quarantine)
    url = reverse("quarantine:self_check", args=[raw])
    key = _key(client.get(url))
    for _ in range(2):
        client.post(url, {"submission_key": key, "temperature": "36.6"})
    assert DailyCheck.objects.count() == 1
    client.force_login(staff.commune_worker_a)
    url = reverse("quarantine:detail", args=[quarantine.pk])
    key = _key(client.get(url))
    for _ in range(2):
        client.post(url, {"submission_key": key, "action": "check", "temperature": "37.0"})
    assert DailyCheck.objects.count() == 2
    assert not QuarantineCheck.objects.exists()


def test_officer_forms_sent_twice_are_saved_once(client, world, staff):
    gate_in = builders.checkpoint(world)
    gate_out = builders.checkpoint(world, name="Chốt Nghi Sơn")
    client.force_login(staff.checkpoint_officer)
    key = _key(client.get(reverse("checkpoints:transit")))
    vehicle = {
        "submission_key": key,
        "vehicle_number": "29A-12345",
        "people_count": 2,
        "entry_checkpoint": gate_in.pk,
        "exit_checkpoint": gate_out.pk,
        "hours": 4,
    }
    for _ in range(2):
        client.post(reverse("checkpoints:transit"), vehicle)
    assert TransitEscort.objects.count() == 1

    client.force_login(staff.province_admin)
    key = _key(client.get(reverse("checkpoints:areas")))
    area = {
        "submission_key": key,
        "unit": builders.origin_unit().pk,
        "level": 3,
        "valid_from": timezone.localdate().strftime("%d/%m/%Y"),
    }
    for _ in range(2):
        client.post(reverse("checkpoints:areas"), area)
    assert EpidemicArea.objects.count() == 1

    book = Workbook()
    book.active.append(services.FORECAST_HEADER)
    book.active.append(["Nguyễn Văn An", "0912345678", "Hà Nội", "14755", "01/12/2026"])
    content = io.BytesIO()
    book.save(content)
    key = _key(client.get(reverse("checkpoints:forecasts")))
    for _ in range(2):
        upload = io.BytesIO(content.getvalue())
        upload.name = "hoi-dong-huong.xlsx"
        client.post(
            reverse("checkpoints:forecasts"),
            {"submission_key": key, "source_association": "Hội đồng hương", "file": upload},
        )
    assert ForecastImport.objects.count() == 1
