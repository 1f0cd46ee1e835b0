import io
import re
from datetime import timedelta

import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from phongdich.checkpoints import services
from phongdich.checkpoints.models import Declaration, EpidemicArea
from phongdich.checkpoints.qrread import decode_image
from phongdich.people.models import Person

from . import builders


def _form(world, **overrides):
    data = {
        "full_name": "Trần Thị Bình",
        "birth_year": "1985",
        "sex": "F",
        "nationality": "Việt Nam",
        "phone": "0987 654 321",
        "travel_mode": "bus",
        "vehicle_number": "36B-00001",
        "arrival_date": timezone.localdate().strftime("%d/%m/%Y"),
        "origin_text": "TP Hồ Chí Minh",
        "destination_commune": world.commune_a.pk,
        "destination_address": "5 Nguyễn Trãi",
        "symptoms": ["cough"],
        "vaccine_doses": "2",
    }
    data.update(overrides)
    return data


@pytest.fixture
def province_setting(settings, world):
    settings.CHECKPOINTS_PROVINCE_CODE = world.province.code


def test_it_declares_publicly_and_shows_the_qr_and_short_code(client, world, province_setting):
    response = client.post(reverse("checkpoints:declare"), _form(world))
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert re.fullmatch(f"[{services.CODE_ALPHABET}]{{6}}", declaration.code)
    assert declaration.person.phone == "+84987654321"
    page = client.get(response["Location"])
    assert declaration.code in page.content.decode()
    assert "<svg" in page.content.decode()
    png = client.get(response["Location"] + "qr.png")
    assert png["Content-Type"] == "image/png"
    # The downloaded QR decodes (zxing-cpp) to a payload that finds this declaration.
    assert services.declaration_from_qr(decode_image(png.content)) == declaration


def test_it_reuses_the_person_and_prefills_the_last_declaration(client, world, province_setting):
    first, raw = builders.declaration(world.commune_a)
    page = client.get(reverse("checkpoints:declare") + f"?from={raw}")
    assert "Nguyễn Văn An" in page.content.decode()
    data = _form(world, full_name="Nguyễn Văn An", phone="0912345678", birth_year="1990")
    response = client.post(reverse("checkpoints:declare") + f"?from={raw}", data)
    assert response.status_code == 302
    second = Declaration.objects.exclude(pk=first.pk).get()
    assert second.previous == first
    assert second.person == first.person
    assert Person.objects.count() == 1


def test_it_rejects_a_forged_or_unknown_qr(world):
    declaration, _raw = builders.declaration(world.commune_a)
    payload = services.qr_payload(declaration)
    assert services.declaration_from_qr(payload) == declaration
    assert services.declaration_from_qr(payload[:-2] + "xx") is None
    assert services.declaration_from_qr("PD1:" + "a" * 40) is None
    assert services.declaration_from_qr("https://example.com") is None


def test_it_finds_recent_declarations_by_short_code_only(world):
    declaration, _raw = builders.declaration(world.commune_a)
    assert services.declaration_by_code(declaration.code.lower()) == declaration
    Declaration.objects.filter(pk=declaration.pk).update(
        created_at=timezone.now() - timedelta(days=services.CODE_RECENT_DAYS + 1)
    )
    assert services.declaration_by_code(declaration.code) is None


def test_it_rate_limits_public_declarations(client, world, settings, province_setting):
    settings.CHECKPOINTS_PUBLIC_RATE_LIMIT = 2
    from django.core.cache import cache

    cache.clear()
    statuses = [
        client.post(reverse("checkpoints:declare"), _form(world)).status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    cache.clear()


def test_it_unknown_personal_link_is_404(client, world):
    assert client.get(reverse("checkpoints:me", args=["nope" * 10])).status_code == 404


def test_it_decodes_an_uploaded_photo_of_the_qr(client, world, staff):
    declaration, _raw = builders.declaration(world.commune_a)
    builders.checkpoint(world)
    buffer = io.BytesIO()
    segno.make(services.qr_payload(declaration), error="m").save(buffer, kind="png", scale=8)
    buffer.seek(0)
    buffer.name = "photo.png"
    client.force_login(staff.checkpoint_officer)
    response = client.post(reverse("checkpoints:officer"), {"photo": buffer, "code": ""})
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.content.decode()
    assert 'name="ref"' in response.content.decode()


def test_it_flags_origin_in_a_listed_epidemic_area(world):
    hanoi = builders.origin_unit()
    EpidemicArea.objects.create(unit=hanoi, level=4, valid_from=timezone.localdate())
    declaration, _raw = builders.declaration(world.commune_a, origin=hanoi, vaccine_doses=0)
    assessment = services.assess(declaration)
    assert assessment.facts.area_level == 4
    assert assessment.suggestion.decision == "centralised"
    EpidemicArea.objects.update(valid_to=timezone.localdate() - timedelta(days=1))
    assert services.assess(declaration).facts.area_level is None


def test_it_suggests_transit_for_a_destination_outside_the_province(world, settings):
    settings.CHECKPOINTS_PROVINCE_CODE = world.province.code
    declaration, _raw = builders.declaration(None, destination_address="Nghệ An")
    assert services.assess(declaration).suggestion.decision == "transit"


def test_it_follows_the_provinces_edited_decision_table(world):
    from phongdich.checkpoints.models import DecisionRuleRow

    declaration, _raw = builders.declaration(world.commune_a, vaccine_doses=3)
    assert services.assess(declaration).suggestion.decision == "let_through"
    DecisionRuleRow.objects.create(
        position=1, key="everyone-home", decision="handover", reason="Tất cả về xã theo dõi"
    )
    assert services.assess(declaration).suggestion.decision == "handover"
    DecisionRuleRow.objects.update(active=False)  # no signals: say so
    services.decision_rules_changed()
    assert services.assess(declaration).suggestion.decision == "let_through"


def test_it_shows_the_rules_with_their_sources_and_unconfirmed_flags(client, world, staff):
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("checkpoints:rules")).content.decode()
    assert "10696/BYT-MT" in page and "1909/BYT-DP" in page
    # Three quarantine rows are unchecked, and every decision row is the province's own.
    assert page.count(">chưa đối chiếu văn bản</span>") >= 3
    # Flagged in proper words, never as working notes inside the citations.
    for note in ("seed", "(số hiệu", "chưa xác nhận)", "Mọi người chưa"):
        assert note not in page, note
    # The table's origin is said once, not once more in every row.
    assert page.count("Ban Chỉ đạo tỉnh") == 1 + page.count('<td data-label="Văn bản">Cấu hình')


def test_it_lets_the_province_list_an_epidemic_area(client, world, staff):
    hanoi = builders.origin_unit()
    client.force_login(staff.province_health_officer)
    client.post(
        reverse("checkpoints:areas"),
        {"unit": hanoi.pk, "level": "4", "valid_from": timezone.localdate().strftime("%d/%m/%Y")},
    )
    area = EpidemicArea.objects.get()
    assert (area.unit, area.level) == (hanoi, 4)
    client.force_login(staff.district_health_officer_a)  # districts read, the province edits
    assert client.post(reverse("checkpoints:areas"), {"end": area.pk}).status_code == 403
    client.force_login(staff.checkpoint_officer)
    assert "Thành phố Hà Nội" in client.get(reverse("checkpoints:areas")).content.decode()


def test_it_accepts_the_public_json_declaration_and_rejects_unknown_units(client, world):
    from django.core.cache import cache

    cache.clear()
    body = {
        "full_name": "Vũ Thị Én",
        "birth_year": 1999,
        "phone": "0983111222",
        "arrival_date": timezone.localdate().isoformat(),
        "origin_text": "Hải Phòng",
        "destination_commune_code": world.commune_a.code,
        "destination_address": "2 Lý Thường Kiệt",
    }
    response = client.post("/api/checkpoints/declarations", body, content_type="application/json")
    assert response.status_code == 201
    code = response.json()["code"]
    assert Declaration.objects.get().code == code
    me = client.get(response.json()["personal_link"])
    assert code in me.content.decode() and "no-store" in me["Cache-Control"]
    bad = client.post(
        "/api/checkpoints/declarations",
        {**body, "destination_commune_code": "99999"},
        content_type="application/json",
    )
    assert bad.status_code == 422
