import uuid

from django.core import signing
from django.urls import reverse

from phongdich.accounts.services import api_token_create
from phongdich.checkpoints import services, views
from phongdich.checkpoints.models import Handover, Passage, TransitEscort

from . import builders


def _post_passage(client, declaration, checkpoint, key, decision="handover"):
    return client.post(
        reverse("checkpoints:passage_create"),
        {
            "ref": signing.dumps(declaration.pk, salt=views.REF_SALT),
            "checkpoint": checkpoint.pk,
            "idempotency_key": key,
            "decision": decision,
            "temperature": "36.8",
            "expected_hours": "2",
        },
        HTTP_ACCEPT="application/json",
    )


def test_it_records_one_passage_when_the_same_scan_is_posted_twice(client, world, staff):
    declaration, _raw = builders.declaration(world.commune_a)
    checkpoint = builders.checkpoint(world)
    client.force_login(staff.checkpoint_officer)
    key = uuid.uuid4().hex
    first = _post_passage(client, declaration, checkpoint, key)
    # The connection dropped before the answer arrived; the page retries with the same key.
    retry = _post_passage(client, declaration, checkpoint, key)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"]
    # The retry echoes the stored passage (its first recorded time), not a new one.
    assert first.json()["echo"] == retry.json()["echo"]
    assert first.json()["echo"].startswith(f"Đã ghi: {declaration.full_name} — ")
    assert Passage.objects.count() == 1
    assert Handover.objects.count() == 1
    # A new traveller (new key) is a new passage.
    assert _post_passage(client, declaration, checkpoint, uuid.uuid4().hex).status_code == 201
    assert Passage.objects.count() == 2


def test_it_keeps_the_api_idempotent_too(client, world, staff):
    declaration, _raw = builders.declaration(world.commune_a)
    checkpoint = builders.checkpoint(world)
    _token, raw = api_token_create(by=staff.province_admin, name="tablet")
    _token.user = staff.checkpoint_officer
    _token.save()
    body = {
        "code": declaration.code,
        "checkpoint_id": checkpoint.pk,
        "decision": "let_through",
        "idempotency_key": "k" * 20,
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = "/api/checkpoints/passages"
    first = client.post(url, body, content_type="application/json", **headers)
    again = client.post(url, body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Passage.objects.count() == 1


def test_it_records_the_suggestion_beside_the_officers_decision(world, staff):
    declaration, _raw = builders.declaration(world.commune_a, symptoms=["fever"])
    passage, _ = services.passage_record(
        by=staff.checkpoint_officer,
        declaration=declaration,
        checkpoint=builders.checkpoint(world),
        decision="let_through",
        idempotency_key=uuid.uuid4().hex,
        temperature="36.5",
    )
    assert passage.suggested_decision == "handover"
    assert passage.decision == "let_through"


def test_it_opens_a_transit_escort(world, staff):
    declaration, _raw = builders.declaration(None, destination_address="Nghệ An")
    entry = builders.checkpoint(world)
    exit_ = builders.checkpoint(world, "Chốt Hoàng Mai")
    services.passage_record(
        by=staff.checkpoint_officer,
        declaration=declaration,
        checkpoint=entry,
        decision="transit",
        exit_checkpoint=exit_,
        idempotency_key=uuid.uuid4().hex,
    )
    escort = TransitEscort.objects.get()
    assert (escort.entry_checkpoint, escort.exit_checkpoint) == (entry, exit_)


def test_it_finds_a_declaration_by_typed_code_on_the_officer_page(client, world, staff):
    declaration, _raw = builders.declaration(world.commune_a)
    builders.checkpoint(world)
    client.force_login(staff.checkpoint_officer)
    response = client.post(reverse("checkpoints:officer"), {"code": declaration.code})
    assert "Nguyễn Văn An" in response.content.decode()
    missing = client.post(reverse("checkpoints:officer"), {"code": "AAAAAA"})
    assert "Nguyễn Văn An" not in missing.content.decode()


def test_it_lets_the_officer_enter_a_traveller_without_a_phone(client, world, staff, settings):
    settings.CHECKPOINTS_PROVINCE_CODE = world.province.code
    builders.checkpoint(world)
    client.force_login(staff.checkpoint_officer)
    response = client.post(
        reverse("checkpoints:officer_entry"),
        {
            "full_name": "Lê Văn Cụ",
            "birth_year": "1950",
            "nationality": "Việt Nam",
            "travel_mode": "bus",
            "arrival_date": "01/01/2022",
            "origin_text": "Nam Định",
            "destination_commune": world.commune_a.pk,
            "destination_address": "Thôn 3",
        },
    )
    assert response.status_code == 200
    assert 'id="passage-form"' in response.content.decode()


def test_sending_to_a_quarantine_site_takes_a_bed_once(world, staff):
    import uuid

    import pytest
    from django.core.exceptions import ValidationError

    from phongdich.checkpoints import services
    from phongdich.checkpoints.tests.builders import checkpoint, declaration
    from phongdich.facilities.models import Facility

    site = Facility.objects.create(
        name="KCL Trường Quân sự",
        kind="quarantine",
        unit=world.district_b,
        beds_total=2,
        beds_occupied=1,
    )
    gate = checkpoint(world)
    decl, _raw = declaration(world.commune_a)
    key = uuid.uuid4().hex
    for _ in range(2):  # a retried scan must not take a second bed
        services.passage_record(
            by=staff.checkpoint_officer,
            declaration=decl,
            checkpoint=gate,
            decision="centralised",
            idempotency_key=key,
            facility=site,
        )
    site.refresh_from_db()
    assert site.beds_occupied == 2
    other, _raw = declaration(world.commune_a, full_name="Trần Thị Bích", phone="0987000111")
    with pytest.raises(ValidationError):
        services.passage_record(
            by=staff.checkpoint_officer,
            declaration=other,
            checkpoint=gate,
            decision="centralised",
            idempotency_key=uuid.uuid4().hex,
            facility=site,
        )


def test_the_officer_page_explains_a_full_quarantine_site(client, world, staff):
    from phongdich.facilities.models import Facility

    site = Facility.objects.create(
        name="KCL Đầy", kind="quarantine", unit=world.district_b, beds_total=1, beds_occupied=1
    )
    declaration, _raw = builders.declaration(world.commune_a)
    client.force_login(staff.checkpoint_officer)
    response = client.post(
        reverse("checkpoints:passage_create"),
        {
            "ref": signing.dumps(declaration.pk, salt=views.REF_SALT),
            "checkpoint": builders.checkpoint(world).pk,
            "idempotency_key": uuid.uuid4().hex,
            "decision": "centralised",
            "facility": site.pk,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code in (400, 409, 422)
    assert "hết chỗ" in response.json()["errors"]["__all__"][0]["message"]
    assert not Passage.objects.exists()
