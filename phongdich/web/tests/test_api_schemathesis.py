"""Schemathesis over the API's own OpenAPI schema: every operation, anonymous and with a
real token, must answer without a 5xx and only with the status codes it documents.

The app is called in-process through WSGI, inside the test's database transaction.
Examples are bounded (MAX_EXAMPLES per operation and mode) so the module takes seconds;
raise SCHEMATHESIS_MAX_EXAMPLES for a longer hunt.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from phongdich.accounts.services import api_token_create
from phongdich.checkpoints.tests import builders as checkpoint_builders

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Figures for the report: requests sent and statuses seen, per run.
SEEN = Counter()


def _schema(*, coverage: bool):
    # Loaded when the module is collected (serving the schema reads no table).
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    # The coverage phase sends every boundary the schema states (maxLength + 1, each enum
    # value, each missing field): worth it where a token lets the request past auth.
    loaded.config.phases.coverage.enabled = coverage
    return loaded


anonymous_schema = _schema(coverage=False)
token_schema = _schema(coverage=True)


@pytest.fixture(autouse=True)
def api_world(world, staff, settings):
    # The webhook answers 401 without a secret; with one, unsigned bodies are still refused.
    settings.HOTLINE_WEBHOOK_SECRET = "schemathesis-secret"
    checkpoint_builders.declaration(world.commune_a)
    checkpoint_builders.checkpoint(world)
    # Django closes the connection when a request ends; here that would close the test's
    # transaction (and an in-memory SQLite database). The test client does the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(staff):
    # The province admin may use every router (people, cases, hotline, checkpoints).
    _token, raw = api_token_create(by=staff.province_admin, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _record(response, who):
    SEEN[f"{who} requests"] += 1
    SEEN[f"{who} {response.status_code // 100}xx"] += 1


@anonymous_schema.parametrize()
@HYPOTHESIS
def test_anonymous_callers_get_no_server_error(case):
    response = case.call_and_validate(checks=CHECKS)
    _record(response, "anonymous")


@token_schema.parametrize()
@HYPOTHESIS
def test_token_holders_get_no_server_error(case, token_header):
    response = case.call_and_validate(headers=token_header, checks=CHECKS)
    _record(response, "token")


def teardown_module():
    if SEEN:
        print("\nschemathesis:", dict(sorted(SEEN.items())))
