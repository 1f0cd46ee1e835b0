"""POST /api/labtests/results: a lab token, idempotent on the sample's code, bulk."""

import pytest

from phongdich.accounts.services import api_token_create
from phongdich.audit.models import AuditEvent
from phongdich.cases.models import Case
from phongdich.labtests.models import Pool, ResampleOrder, Sample

from . import builders

URL = "/api/labtests/results"


@pytest.fixture
def lab_token(staff):
    _token, raw = api_token_create(by=staff.province_health_officer, name="CDC lab")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, body, headers):
    return client.post(URL, body, content_type="application/json", **headers)


def test_results_posted_twice_are_recorded_once(client, world, staff, lab_token):
    for code in ("L-1", "L-2"):
        builders.sample(world, staff, barcode=code)
    body = {
        "lab": "CDC Thanh Hóa",
        "results": [
            {"sample_id": "L-1", "result": "negative"},
            {"sample_id": "L-2", "result": "positive", "ct": 21.5},
            {"sample_id": "NOPE", "result": "negative"},
        ],
    }
    first = _post(client, body, lab_token)
    assert first.status_code == 200, first.content
    assert (first.json()["recorded"], first.json()["refused"]) == (2, 1)
    assert [i["status"] for i in first.json()["items"]] == ["recorded", "recorded", "refused"]
    again = _post(client, body, lab_token)
    assert (again.json()["recorded"], again.json()["unchanged"]) == (0, 2)
    assert Sample.objects.get(barcode="L-2").ct_value == 21.5
    assert Case.objects.filter(person=Sample.objects.get(barcode="L-2").person).count() == 1
    assert AuditEvent.objects.filter(action="labtests.api_results").count() == 2


def test_a_different_result_later_is_refused_and_the_first_stays(client, world, staff, lab_token):
    builders.sample(world, staff, barcode="L-1")
    _post(
        client, {"lab": "CDC", "results": [{"sample_id": "L-1", "result": "negative"}]}, lab_token
    )
    response = _post(
        client, {"lab": "CDC", "results": [{"sample_id": "L-1", "result": "positive"}]}, lab_token
    )
    assert response.json()["items"][0]["status"] == "refused"
    assert "kết quả khác" in response.json()["items"][0]["message"]
    assert Sample.objects.get(barcode="L-1").result == "negative"


def test_a_pool_code_orders_the_members_within_the_request(client, world, staff, lab_token):
    pool = builders.pool(world, staff, code="P-9", members=3)
    response = _post(
        client, {"lab": "CDC", "results": [{"sample_id": "P-9", "result": "positive"}]}, lab_token
    )
    assert response.json()["recorded"] == 1
    assert Pool.objects.get(pk=pool.pk).status == Pool.Status.POSITIVE_AWAITING
    assert ResampleOrder.objects.filter(pool=pool).count() == 3


def test_tokens_roles_and_jurisdiction(client, world, staff):
    builders.sample(world, staff, barcode="L-1")
    body = {"lab": "CDC", "results": [{"sample_id": "L-1", "result": "negative"}]}
    assert client.post(URL, body, content_type="application/json").status_code == 401
    _t, hotline = api_token_create(by=staff.hotline_agent, name="x")
    assert _post(client, body, {"HTTP_AUTHORIZATION": f"Bearer {hotline}"}).status_code == 403
    _t, other = api_token_create(by=staff.commune_worker_b, name="trạm B")
    response = _post(client, body, {"HTTP_AUTHORIZATION": f"Bearer {other}"})
    assert response.json()["items"][0]["status"] == "refused"  # commune A's sample
    assert Sample.objects.get(barcode="L-1").result == ""


@pytest.mark.parametrize(
    "body",
    [
        {"lab": "CDC", "results": []},
        {"lab": "", "results": [{"sample_id": "L-1", "result": "negative"}]},
        {"lab": "CDC", "results": [{"sample_id": "L-1", "result": "maybe"}]},
        {"lab": "CDC", "results": [{"sample_id": "L-1", "result": "negative", "ct": 46}]},
        {"lab": "CDC", "results": [{"sample_id": "x" * 41, "result": "negative"}]},
        {"lab": "CDC", "results": [{"sample_id": "L-1", "result": "negative"}] * 2},
        {
            "lab": "CDC",
            "results": [{"sample_id": f"L-{n}", "result": "negative"} for n in range(1001)],
        },
    ],
)
def test_bad_bodies_are_refused_with_a_json_message(client, world, staff, lab_token, body):
    builders.sample(world, staff, barcode="L-1")
    response = _post(client, body, lab_token)
    assert response.status_code == 422 and response.json()["detail"]
    assert Sample.objects.get(barcode="L-1").result == ""
