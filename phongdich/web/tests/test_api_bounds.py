"""Every API operation answers bad input with a 4xx and a JSON message, never a 5xx.

The probe walks the OpenAPI schema, so an operation or a field added later is probed too:
each body field gets an over-long string, a NUL character and a value of the wrong kind;
each query and path parameter gets the same plus out-of-range numbers. PostgreSQL is the
database that turns an unbounded string into a 500 (SQLite stores any length), so CI's
PostgreSQL run is the one that proves the bounds.
"""

import copy
import json
from urllib.parse import quote

import pytest
from django.utils import timezone

from phongdich.accounts.services import api_token_create
from phongdich.checkpoints.tests import builders as checkpoint_builders

# Longer than any bound in the schema; a field without maxLength gets this too.
OVERLONG = 100_001
HUGE = 10**30


@pytest.fixture
def api_world(world, staff):
    declaration, _raw = checkpoint_builders.declaration(world.commune_a)
    checkpoint = checkpoint_builders.checkpoint(world)
    token_of = {}
    for role in ("province_admin", "province_health_officer", "hotline_agent"):
        _token, raw = api_token_create(by=getattr(staff, role), name=role)
        token_of[role] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    _token, raw = api_token_create(by=staff.checkpoint_officer, name="tablet")
    token_of["checkpoint_officer"] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    return {
        "world": world,
        "declaration": declaration,
        "checkpoint": checkpoint,
        "token_of": token_of,
    }


def _bodies(api_world):
    world = api_world["world"]
    return {
        ("post", "/api/cases/lab-results"): (
            "province_health_officer",
            {
                "lab": "CDC Thanh Hóa",
                "sample_id": "TH-PROBE-1",
                "kind": "pcr",
                "positive": True,
                "taken_at": timezone.now().isoformat(),
                "full_name": "Trịnh Văn Khoa",
                "birth_year": 1970,
                "phone": "0912555666",
                "commune_code": world.commune_a.code,
            },
        ),
        ("post", "/api/labtests/results"): (
            "province_health_officer",
            {
                "lab": "CDC Thanh Hóa",
                "results": [{"sample_id": "TH-PROBE-1", "result": "negative"}],
            },
        ),
        ("post", "/api/hotline/tickets"): (
            "hotline_agent",
            {"category": "f0_advice", "text": "Cần tư vấn thuốc", "caller_phone": "0912000111"},
        ),
        ("post", "/api/checkpoints/declarations"): (
            None,
            {
                "full_name": "Nguyễn Văn An",
                "birth_year": 1990,
                "phone": "0912345678",
                "arrival_date": timezone.localdate().isoformat(),
                "origin_text": "Hà Nội",
                "destination_commune_code": world.commune_a.code,
            },
        ),
        ("post", "/api/checkpoints/passages"): (
            "checkpoint_officer",
            {
                "code": api_world["declaration"].code,
                "checkpoint_id": api_world["checkpoint"].pk,
                "decision": "let_through",
                "idempotency_key": "probe-key-0001",
            },
        ),
        ("post", "/api/vaccination/doses"): (
            "province_health_officer",
            {
                "doses": [
                    {
                        "source_id": "QG-PROBE-1",
                        "full_name": "Lê Văn Tiêm",
                        "birth_year": 1980,
                        "phone": "0912345678",
                        "commune_code": world.commune_a.code,
                        "vaccine": "pfizer",
                        "dose_number": 1,
                        "given_on": "2021-10-11",
                    }
                ]
            },
        ),
    }


# Parameters of operations that take no body: who may call them and a valid value each.
QUERY_OPERATIONS = {
    ("get", "/api/people/"): ("province_admin", {"q": "nguyen"}),
    ("get", "/api/people/{person_id}"): ("province_admin", {"person_id": 1}),
    ("get", "/api/cases/{case_id}/summary"): ("province_admin", {"case_id": 1}),
    ("get", "/api/hotline/tickets"): ("hotline_agent", {"limit": 10, "offset": 0}),
    ("get", "/api/checkpoints/declarations/{code}"): ("checkpoint_officer", {"code": "ABC123"}),
    ("get", "/api/vaccination/people/{person_id}/doses"): ("province_admin", {"person_id": 1}),
    ("get", "/api/directives/documents"): ("province_admin", {"limit": 10, "offset": 0}),
    ("get", "/api/directives/documents/{pk}/tasks"): ("province_admin", {"pk": 1}),
    ("get", "/api/directives/tasks/{pk}"): ("province_admin", {"pk": 1}),
    ("get", "/api/directives/tasks/{pk}/reports"): ("province_admin", {"pk": 1}),
}
# Operations the probe does not fill in, each with why.
NOT_PROBED = {
    ("get", "/api/health"): "takes no input",
    ("get", "/api/ping"): "takes no input",
    # Signed raw body: anything unsigned is refused (401) before it is read; its own tests
    # post over-long and malformed signed messages (hotline/tests/test_webhook_gateways.py).
    ("post", "/api/hotline/inbound"): "signed raw body",
    # Only a unit reporter posts, from their session (reporters hold no API token); its
    # body is bounded by ApiText and refused there (directives/tests/test_members.py).
    ("post", "/api/directives/tasks/{pk}/reports"): "unit reporter's session only",
}


def _schema(client):
    return client.get("/api/openapi.json").json()


def _resolve(schema, node):
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _properties(schema, body_schema):
    body_schema = _resolve(schema, body_schema)
    return {name: _resolve(schema, prop) for name, prop in body_schema["properties"].items()}


def _string_kind(prop):
    kinds = [prop] + [p for p in prop.get("anyOf", [])]
    return next((k for k in kinds if k.get("type") == "string"), None)


def _bad_values(prop):
    """Values that must be refused for a property described by `prop`."""
    string = _string_kind(prop)
    if string is not None:
        too_long = (string.get("maxLength") or OVERLONG - 1) + 1
        yield "over-long", "x" * too_long
        if not string.get("format"):
            yield "NUL", "ab\x00cd"
        if "enum" in string:
            yield "invalid choice", "zzz-not-a-choice"
        return
    kinds = [prop] + list(prop.get("anyOf", []))
    if any(k.get("type") == "integer" for k in kinds):
        yield "huge", HUGE
        yield "negative", -HUGE
        yield "text for a number", "x" * 200
    if any(k.get("type") == "array" for k in kinds):
        yield "over-long item", ["x" * OVERLONG]
        yield "NUL item", ["ab\x00cd"]


def _assert_refused(response, what):
    assert 400 <= response.status_code < 500, (what, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), (what, response["Content-Type"])
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail, (what, response.json())


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_the_probe_covers_every_operation(client, db):
    known = (
        set(NOT_PROBED)
        | set(QUERY_OPERATIONS)
        | {
            ("post", "/api/cases/lab-results"),
            ("post", "/api/labtests/results"),
            ("post", "/api/hotline/tickets"),
            ("post", "/api/checkpoints/declarations"),
            ("post", "/api/checkpoints/passages"),
            ("post", "/api/vaccination/doses"),
        }
    )
    found = {(method, path) for method, path, _op in _operations(_schema(client))}
    assert found <= known, f"probe these operations too: {sorted(found - known)}"


def test_every_body_field_refuses_bad_values_with_a_json_message(client, api_world):
    schema = _schema(client)
    bodies = _bodies(api_world)
    probed = 0
    for method, path, operation in _operations(schema):
        if (method, path) not in bodies:
            continue
        role, base = bodies[(method, path)]
        headers = api_world["token_of"][role] if role else {}
        body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        for name, prop in _properties(schema, body_schema).items():
            for what, value in _bad_values(prop):
                body = copy.deepcopy(base)
                body[name] = value
                response = client.generic(
                    method.upper(),
                    path,
                    json.dumps(body),
                    content_type="application/json",
                    **headers,
                )
                _assert_refused(response, f"{method} {path} {name}: {what}")
                probed += 1
    assert probed > 50


def test_every_parameter_refuses_bad_values_with_a_json_message(client, api_world):
    schema = _schema(client)
    probed = 0
    for method, path, operation in _operations(schema):
        if (method, path) not in QUERY_OPERATIONS:
            continue
        role, valid = QUERY_OPERATIONS[(method, path)]
        headers = api_world["token_of"][role]
        for parameter in operation.get("parameters", []):
            name, where = parameter["name"], parameter["in"]
            for what, value in _bad_values(_resolve(schema, parameter["schema"])):
                if isinstance(value, list):
                    continue
                values = {**valid, name: value}
                url = path
                query = {}
                for key, given in values.items():
                    if "{" + key + "}" in url:
                        url = url.replace("{" + key + "}", _path_segment(given))
                    else:
                        query[key] = given
                response = client.get(url, query, **headers)
                _assert_refused(response, f"{method} {path} {where} {name}: {what}")
                probed += 1
    assert probed > 10


def _path_segment(value):
    return quote(str(value), safe="")


def test_unknown_routes_and_methods_answer_json(client, api_world):
    headers = api_world["token_of"]["province_admin"]
    for response in (
        client.get("/api/no-such-thing", **headers),
        client.delete("/api/people/", **headers),
        client.post(
            "/api/hotline/tickets",
            "{not json",
            content_type="application/json",
            **api_world["token_of"]["hotline_agent"],
        ),
    ):
        _assert_refused(response, response.status_code)


def test_a_body_past_the_upload_limit_is_refused_in_the_same_shape(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"full_name": "x" * 20_000})
    response = client.post("/api/checkpoints/declarations", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"]


def test_an_unexpected_error_is_json_too(client, api_world, monkeypatch):
    from phongdich.people import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "person_search", broken)
    client.raise_request_exception = False
    response = client.get("/api/people/", {"q": "an"}, **api_world["token_of"]["province_admin"])
    assert response.status_code == 500
    assert response.json() == {"detail": "Lỗi máy chủ, vui lòng thử lại sau.", "errors": []}


def test_every_operation_documents_its_error_codes(client, db):
    schema = _schema(client)
    for method, path, operation in _operations(schema):
        if (method, path) in NOT_PROBED and path != "/api/hotline/inbound":
            continue
        codes = set(operation["responses"])
        expected = {"400"} if path == "/api/hotline/inbound" else {"400", "422"}
        if operation.get("security"):
            expected |= {"401", "403"}
        assert expected <= codes, (method, path, sorted(codes))
        for code in codes - {"200", "201"}:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"]["$ref"].endswith("/Error"), (method, path, code)
