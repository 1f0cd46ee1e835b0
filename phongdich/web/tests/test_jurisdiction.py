"""Walks every URL pattern: deny by default, anonymous users to login, and commune A's
worker refused on commune B's records.

A new page that takes a record id must be added to RECORDS_IN_COMMUNE_B (how to build a
record of commune B and the URL arguments that open it) or to NOT_PERSONAL (with the reason);
otherwise `test_every_record_url_is_covered` fails. That is the point: no page that shows or
changes personal data can ship without its boundary being tested.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from phongdich.api import api

# URL names that need no login, with the reason.
PUBLIC_NAMES = {
    "root": "redirects to login or home",
    "login": "the login form",
    "logout": "POST only; ends the session",
    "set_language": "switches the interface language",
}


def walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if p.namespace and namespace:
                ns = f"{namespace}:{p.namespace}"
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else (p.name or "")
            yield prefix + str(p.pattern), name, p.callback


def site_patterns():
    """Every page of the site (the admin and the API are checked on their own terms)."""
    return [
        (route, name, view)
        for route, name, view in walk(get_resolver().url_patterns)
        if not route.startswith(("django-admin/", "api/"))
    ]


def _people_person(world, staff):
    from phongdich.people.services import person_register

    person, _ = person_register(
        by=staff.province_admin,
        full_name="Người Xã B",
        birth_year=1990,
        phone="0911222333",
        commune=world.commune_b,
    )
    return {"pk": person.pk}


def _people_merge(world, staff):
    return _people_person(world, staff)


def _accounts_user(world, staff):
    return {"pk": staff.commune_worker_b.pk}


def _geo_unit(world, staff):
    return {"code": world.district_b.code}


# url name -> builder(world, staff) returning the URL kwargs of a record in commune B.
RECORDS_IN_COMMUNE_B = {
    "people:detail": _people_person,
    "people:merge": _people_merge,
    "accounts:user_toggle": _accounts_user,
    "geo:unit": _geo_unit,
}
NOT_PERSONAL: dict[str, str] = {}


def _app_registries():
    """Domain apps extend the tables with `tests/jurisdiction.py` (same two dicts)."""
    records, not_personal = dict(RECORDS_IN_COMMUNE_B), dict(NOT_PERSONAL)
    for config in apps.get_app_configs():
        if not config.name.startswith("phongdich."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.jurisdiction")
        except ModuleNotFoundError:
            continue
        records.update(getattr(module, "RECORDS_IN_COMMUNE_B", {}))
        not_personal.update(getattr(module, "NOT_PERSONAL", {}))
    return records, not_personal


def _has_parameters(route: str) -> bool:
    return "<" in route


def test_every_view_declares_who_may_use_it():
    undeclared = [
        (route, name)
        for route, name, view in site_patterns()
        if name not in PUBLIC_NAMES
        and not getattr(view, "allowed_roles", None)
        and not getattr(view, "is_public", False)
    ]
    assert undeclared == []


def test_every_record_url_is_covered():
    records, not_personal = _app_registries()
    uncovered = [
        (route, name)
        for route, name, view in site_patterns()
        if _has_parameters(route)
        and not getattr(view, "is_public", False)
        and name not in records
        and name not in not_personal
    ]
    assert uncovered == []


def _fill(route: str, kwargs: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


def _sample_kwargs(route: str) -> dict:
    return {
        m: ("x" if t == "str" or t == "slug" else "1")
        for t, m in re.findall(r"<(?:(\w+):)?(\w+)>", route)
    }


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    for route, name, view in site_patterns():
        if getattr(view, "is_public", False) or name in PUBLIC_NAMES:
            continue
        url = _fill(route, _sample_kwargs(route))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/login/"), (method, url)


def test_commune_a_cannot_reach_commune_b_records(client, world, staff):
    records, _ = _app_registries()
    routes = {name: route for route, name, _ in site_patterns()}
    client.force_login(staff.commune_worker_a)
    checked = 0
    for name, build in records.items():
        if name not in routes:
            continue
        url = _fill(routes[name], build(world, staff))
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (403, 404, 405), (name, method, url, status)
        checked += 1
    assert checked >= len(RECORDS_IN_COMMUNE_B)


def test_commune_b_reaches_its_own_person(client, world, staff):
    """The other side of the boundary: the same URL works for the record's own commune."""
    kwargs = _people_person(world, staff)
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/people/{kwargs['pk']}/").status_code == 200


def test_users_without_jurisdiction_see_nothing(client, world, staff):
    kwargs = _people_person(world, staff)
    client.force_login(staff.outsider)
    assert client.get(f"/people/{kwargs['pk']}/").status_code == 404
    assert "Người Xã B" not in client.get("/people/", {"q": "nguoi"}).content.decode()


# --- API -------------------------------------------------------------------------------------

API_PUBLIC = {"/api/health": "liveness probe", "/api/ping": "benchmark baseline"}


def _api_app_public():
    public = dict(API_PUBLIC)
    for config in apps.get_app_configs():
        if config.name.startswith("phongdich."):
            try:
                module = importlib.import_module(f"{config.name}.tests.jurisdiction")
            except ModuleNotFoundError:
                continue
            public.update(getattr(module, "API_PUBLIC", {}))
    return public


def test_every_api_operation_requires_auth_unless_declared_public():
    schema = api.get_openapi_schema()
    public = _api_app_public()
    open_operations = [
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security") and path not in public
    ]
    assert open_operations == []


def test_api_people_detail_is_404_outside_the_jurisdiction(client, world, staff):
    kwargs = _people_person(world, staff)
    client.force_login(staff.commune_worker_a)
    assert client.get(f"/api/people/{kwargs['pk']}").status_code == 404
    client.logout()
    assert client.get(f"/api/people/{kwargs['pk']}").status_code == 401
