import pytest
from django.utils import timezone

from phongdich.accounts.services import api_token_create
from phongdich.cases.models import Case
from phongdich.labtests.models import Sample

from .builders import make_case


@pytest.fixture
def lab_token(staff):
    _token, raw = api_token_create(by=staff.province_health_officer, name="CDC lab")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def payload(world, **extra):
    body = {
        "lab": "CDC Thanh Hóa",
        "sample_id": "TH-2022-0001",
        "kind": "pcr",
        "positive": True,
        "taken_at": timezone.now().isoformat(),
        "full_name": "Trịnh Văn Khoa",
        "birth_year": 1970,
        "phone": "0912555666",
        "commune_code": world.commune_a.code,
    }
    body.update(extra)
    return body


def test_the_same_sample_posted_twice_creates_one_result(client, world, lab_token):
    url = "/api/cases/lab-results"
    first = client.post(url, payload(world), content_type="application/json", **lab_token)
    again = client.post(url, payload(world), content_type="application/json", **lab_token)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["result_id"] == again.json()["result_id"]
    assert again.json()["created"] is False
    assert Sample.objects.count() == 1 and Case.objects.count() == 1
    assert Case.objects.get().basis == "pcr"


def test_it_refuses_posts_without_a_token(client, world):
    response = client.post(
        "/api/cases/lab-results", payload(world), content_type="application/json"
    )
    assert response.status_code == 401


def test_it_refuses_a_commune_outside_the_tokens_jurisdiction(client, world, staff):
    _token, raw = api_token_create(by=staff.commune_worker_a, name="station")
    response = client.post(
        "/api/cases/lab-results",
        payload(world, commune_code=world.commune_b.code),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422 and Case.objects.count() == 0


def test_a_hotline_token_may_not_post_results(client, world, staff):
    _token, raw = api_token_create(by=staff.hotline_agent, name="x")
    response = client.post(
        "/api/cases/lab-results",
        payload(world),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403


def test_the_case_summary_is_scoped_to_the_jurisdiction(client, world, staff):
    case = make_case(world, staff.commune_worker_b, commune=world.commune_b)
    _token, raw_a = api_token_create(by=staff.commune_worker_a, name="a")
    _token, raw_b = api_token_create(by=staff.commune_worker_b, name="b")
    url = f"/api/cases/{case.pk}/summary"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw_a}").status_code == 404
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw_b}")
    assert response.status_code == 200 and response.json()["case_id"] == case.pk
    assert client.get(url).status_code == 401
