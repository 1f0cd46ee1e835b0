"""The dose API: token-authenticated, idempotent on the source's own id (also when the same
dose is posted twice at once), several doses per request each answered by its index, clear
errors; a person's doses scoped to the jurisdiction and audited."""

import pytest
from django.test import Client

from phongdich.accounts.services import api_token_create
from phongdich.audit.models import AuditEvent
from phongdich.testing import losers, make_staff, make_world, race
from phongdich.vaccination.models import Dose, DoseReview

from . import builders

URL = "/api/vaccination/doses"


def _auth(user):
    _token, raw = api_token_create(by=user, name="nền tảng tiêm chủng")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def token(staff):
    return _auth(staff.district_health_officer_a)


def item(world, **extra):
    body = {
        "source_id": "QG-0001",
        "full_name": "Lê Văn Tiêm",
        "birth_year": 1980,
        "phone": "0912345678",
        "id_number": "038080001234",
        "commune_code": world.commune_a.code,
        "vaccine": "Pfizer",
        "dose_number": 1,
        "given_on": "2021-10-11",
        "lot": "FF1",
    }
    body.update(extra)
    return body


def post(client, auth, *items):
    return client.post(URL, {"doses": list(items)}, content_type="application/json", **auth)


def test_a_dose_posted_twice_is_recorded_once(client, world, staff, token):
    person = builders.person(world, staff)
    first = post(client, token, item(world))
    again = post(client, token, item(world, lot="changed"))
    assert first.status_code == again.status_code == 200
    one, two = first.json()["results"][0], again.json()["results"][0]
    assert (one["status"], two["status"]) == ("recorded", "unchanged")
    assert one["dose_id"] == two["dose_id"] and Dose.objects.get().person == person
    assert Dose.objects.get().source == "api" and Dose.objects.get().lot == "FF1"


def test_several_doses_in_one_request_are_answered_by_index(client, world, staff, token):
    builders.person(world, staff)
    response = post(
        client,
        token,
        item(world),
        # Nobody on record: queued for staff, no person created.
        item(world, source_id="QG-2", full_name="Phạm Thị Mới", phone="0987000222", id_number=""),
        item(world, source_id="QG-3", commune_code=world.commune_b.code),
        item(world, source_id="QG-4", vaccine="Covaxin", phone="12"),
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["recorded"], body["queued"], body["unchanged"], body["failed"]) == (1, 1, 0, 2)
    results = body["results"]
    assert [r["status"] for r in results] == ["recorded", "queued", "error", "error"]
    assert results[1]["review_id"] == DoseReview.objects.get().pk
    assert "không thuộc địa bàn" in results[2]["errors"][0]
    assert len(results[3]["errors"]) == 2 and "Vắc xin" in results[3]["errors"][0]
    again = post(
        client, token, item(world, source_id="QG-2", full_name="Phạm Thị Mới", id_number="")
    )
    assert again.json()["results"][0]["review_id"] == results[1]["review_id"]
    assert DoseReview.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"dose_number": 9},
        {"given_on": "11/10/2021"},
        {"source_id": ""},
        {"lot": "x" * 41},
        {"full_name": "Lê\x00Văn"},
        {"site_kind": "boat"},
    ],
)
def test_a_malformed_dose_is_refused_with_its_field(client, world, token, bad):
    response = post(client, token, item(world, **bad))
    assert response.status_code == 422
    assert response.json()["detail"] and response.json()["errors"]
    assert not Dose.objects.exists() and not DoseReview.objects.exists()


def test_more_than_500_doses_or_none_are_refused(client, world, token):
    assert post(client, token).status_code == 422
    many = [item(world, source_id=f"QG-{i}") for i in range(501)]
    assert post(client, token, *many).status_code == 422
    assert not Dose.objects.exists()


def test_without_a_token_or_the_role_it_is_refused(client, world, staff):
    assert post(client, {}, item(world)).status_code == 401
    assert post(client, _auth(staff.hotline_agent), item(world)).status_code == 403


def test_a_persons_doses_are_scoped_and_audited(client, world, staff, token):
    person = builders.person(world, staff)
    post(
        client,
        token,
        item(world),
        item(world, source_id="QG-2", dose_number=2, given_on="2021-11-01"),
    )
    url = f"/api/vaccination/people/{person.pk}/doses"
    response = client.get(url, **token)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "fully"
    assert [d["dose_number"] for d in body["doses"]] == [1, 2]
    assert body["doses"][0]["vaccine"] == "pfizer"
    assert AuditEvent.objects.filter(
        action="vaccination.api_doses", target_id=str(person.pk)
    ).exists()
    outside = client.get(url, **_auth(staff.commune_worker_b))
    assert outside.status_code == 404
    assert client.get("/api/vaccination/people/999999/doses", **token).status_code == 404


@pytest.mark.parametrize(
    "method, setting",
    [("post", "VACCINATION_API_POST_LIMIT"), ("get", "VACCINATION_API_READ_LIMIT")],
)
def test_past_the_accounts_limit_the_api_answers_429_in_vietnamese(
    client, world, staff, token, settings, method, setting
):
    setattr(settings, setting, 3)
    person = builders.person(world, staff)

    def call(auth):
        if method == "post":
            return post(client, auth, item(world))
        return client.get(f"/api/vaccination/people/{person.pk}/doses", **auth)

    assert [call(token).status_code for _ in range(3)] == [200, 200, 200]  # the limit itself
    refused = call(token)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json() == {"detail": "Gửi quá nhiều lần, thử lại sau ít phút.", "errors": []}
    # Keyed on the account: another officer's token is still served this minute.
    other = _auth(staff.commune_worker_a)
    assert call(other).status_code == 200
    if method == "post":
        assert Dose.objects.count() == 1  # the refused call wrote nothing


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("weak", [False, True])
def test_two_identical_posts_at_once_record_one_dose(weak):
    world = make_world()
    staff = make_staff(world)
    builders.product()  # a transactional test flushes the seeded products
    builders.person(world, staff)
    auth = _auth(staff.district_health_officer_a)
    body = (
        item(world, full_name="Phạm Thị Mới", phone="", id_number="", birth_year=1990)
        if weak
        else item(world)
    )
    outcomes = race([lambda: post(Client(), auth, body) for _ in range(2)])
    assert not losers(outcomes), losers(outcomes)
    answers = [response.json()["results"][0] for _kind, response in outcomes]
    assert sorted(a["status"] for a in answers) == sorted(
        ["queued" if weak else "recorded", "unchanged"]
    )
    key = "review_id" if weak else "dose_id"
    assert answers[0][key] == answers[1][key] is not None
    assert (Dose.objects.count(), DoseReview.objects.count()) == ((0, 1) if weak else (1, 0))
