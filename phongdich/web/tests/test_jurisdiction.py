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


def _people_referral(world, staff):
    """A referral commune B must judge: commune A registered B's person's CCCD."""
    from phongdich.people.models import MatchReferral
    from phongdich.people.services import person_register

    person_register(
        by=staff.commune_worker_b,
        full_name="Người Xã B",
        id_number="038090000123",
        commune=world.commune_b,
    )
    person_register(
        by=staff.commune_worker_a,
        full_name="Người Xã B",
        id_number="038090000123",
        commune=world.commune_a,
    )
    return {"pk": MatchReferral.objects.get(owner_unit=world.commune_b).pk}


def _accounts_user(world, staff):
    return {"pk": staff.commune_worker_b.pk}


def _geo_unit(world, staff):
    return {"code": world.district_b.code}


# url name -> builder(world, staff) returning the URL kwargs of a record in commune B.
RECORDS_IN_COMMUNE_B = {
    "people:detail": _people_person,
    "people:merge": _people_merge,
    "people:referral_resolve": _people_referral,
    "accounts:user_toggle": _accounts_user,
    "geo:unit": _geo_unit,
}
NOT_PERSONAL: dict[str, str] = {}


def _app_tables(name: str, base: dict) -> dict:
    """`base` extended with the dict `name` of each domain app's `tests/jurisdiction.py`."""
    table = dict(base)
    for config in apps.get_app_configs():
        if not config.name.startswith("phongdich."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.jurisdiction")
        except ModuleNotFoundError:
            continue
        table.update(getattr(module, name, {}))
    return table


def _app_registries():
    """Domain apps extend the tables with `tests/jurisdiction.py` (same two dicts)."""
    return (
        _app_tables("RECORDS_IN_COMMUNE_B", RECORDS_IN_COMMUNE_B),
        _app_tables("NOT_PERSONAL", NOT_PERSONAL),
    )


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
    return _app_tables("API_PUBLIC", API_PUBLIC)


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


# --- matching and registration ---------------------------------------------------------------
#
# Every path that looks people up by phone or CCCD and registers them (forms, case
# registration, imports, lab and other write APIs, public declarations) is listed in
# MATCHING_PATHS (here and in each app's `tests/jurisdiction.py`): a function
# `submit(client, world, staff, typed)` that logs in as commune A's worker (or stays
# anonymous for a public form), submits `typed` as a new person of commune A and returns what
# the caller saw (every response body, redirects followed). The walk below has a person of
# commune B, with an open F0 case there, carry that identity, and checks for every path that
# the caller sees nothing of them, nothing of theirs changes, and the caller gets the very
# answer they get when nobody of that identity exists.

ELSEWHERE_ADDRESS = "Số 9 ngõ Kín, Bắc Sơn"
IDENTITIES = {
    # B's record has the CCCD but no phone: matching on the CCCD must not fill B's phone.
    "cccd": (
        {"full_name": "Trần Thị Kín", "birth_year": 1971, "id_number": "038171000111"},
        {"phone": "0977000111"},
    ),
    # B's record has the phone: phone + folded name + birth year is a strong match.
    "phone": (
        {"full_name": "Trần Thị Kín", "birth_year": 1971, "phone": "0977000111"},
        {"id_number": "038171000222"},
    ),
}


def _submit_people_register(client, world, staff, typed):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/people/new/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "address": typed["address"],
            "commune": world.commune_a.pk,
            "sex": "F",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


def _submit_people_api_search(client, world, staff, typed):
    client.force_login(staff.commune_worker_a)
    seen = []
    for query in (typed.get("phone"), typed.get("id_number"), typed["full_name"]):
        if query:
            response = client.get("/api/people/", {"q": query})
            seen += [str(response.status_code), response.content.decode()]
    return seen


MATCHING_PATHS = {
    "people:register": _submit_people_register,
    "api:people/search": _submit_people_api_search,
}


# Every module outside tests that calls the matching (person_register, person_candidates,
# PersonData), with the walked paths that reach it. A new caller (vaccination, tracing...)
# fails `test_every_caller_of_the_matching_is_walked` until its paths are in the walk; apps
# may extend this table with MATCHING_CALLERS in their tests/jurisdiction.py.
MATCHING_CALLERS = {
    "people/services/matching.py": ("people:register",),
    "people/services/registration.py": ("people:register",),
    "people/views.py": ("people:register",),
    "cases/services/registration.py": (
        "cases:register",
        "cases:import",
        "api:cases/lab-results",
        "cases:self_declare",
    ),
    "cases/views.py": ("cases:register", "cases:self_declare"),
    "cases/imports.py": ("cases:import",),
    "cases/api.py": ("api:cases/lab-results",),
    "checkpoints/services/declarations.py": ("checkpoints:declare", "api:checkpoints/declarations"),
}


def test_every_caller_of_the_matching_is_walked():
    from pathlib import Path

    import phongdich

    root = Path(phongdich.__file__).parent
    callers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "testing.py"
        and re.search(r"\b(person_register|person_candidates|PersonData)\(", path.read_text())
    }
    table = _app_tables("MATCHING_CALLERS", MATCHING_CALLERS)
    assert sorted(callers - set(table)) == []
    walked = set(_matching_paths())
    assert sorted({p for paths in table.values() for p in paths} - walked) == []


def _matching_paths():
    return _app_tables("MATCHING_PATHS", MATCHING_PATHS)


def _person_elsewhere(world, staff, known: dict):
    """A person of commune B with an open F0 case there, registered by B's own worker."""
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.cases import rules
    from phongdich.cases import services as case_services

    case, _ = case_services.case_register(
        by=staff.commune_worker_b,
        person_data=case_services.PersonData(address=ELSEWHERE_ADDRESS, **known),
        commune=world.commune_b,
        evidence=[rules.LabEvidence("pcr", True, timezone.now() - timedelta(days=2))],
        record_evidence=True,
        lab="CDC",
        sample_id="B-0001",
    )
    return case


def _snapshot(case):
    from django.forms.models import model_to_dict

    from phongdich.cases.models import Case
    from phongdich.labtests.models import Sample
    from phongdich.people.models import Person

    person = Person.objects.get(pk=case.person_id)
    case = Case.objects.get(pk=case.pk)
    return (
        {**model_to_dict(person), "updated_at": person.updated_at},
        {**model_to_dict(case, exclude=["self_test_photo"]), "updated_at": case.updated_at},
        sorted(Sample.objects.filter(person=person).values_list("pk", flat=True)),
        sorted(Sample.objects.filter(case=case).values_list("pk", flat=True)),
        Case.objects.filter(person=person).count(),
    )


# Random per page: CSRF tokens and the double-submit keys of forms.
_RANDOM = re.compile(
    r'(csrfmiddlewaretoken" value=|csrf-token" content=|X-CSRFToken": |submission_key" value=)'
    r'"[^"]*"'
)


# A reference number (lib.references) is opaque and differs for every new record, like an id.
_REFERENCE = re.compile(r"\b(F0|TD|1022|HT|KB)-\d{4}-[0-9A-Z]{6}\b")


def _normalise(seen: list[str]) -> list[str]:
    """What the caller saw, without what differs between any two requests (random tokens,
    record ids, reference numbers, times)."""
    return [
        re.sub(r"\d+", "#", _REFERENCE.sub("REF", _RANDOM.sub("random", text))) for text in seen
    ]


def _difference(expected: list[str], seen: list[str]) -> list[str]:
    import difflib

    lines = lambda texts: "\n".join(texts).splitlines()  # noqa: E731
    diff = difflib.unified_diff(lines(expected), lines(_normalise(seen)), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-"][:20]


@pytest.mark.parametrize("variant", sorted(IDENTITIES))
def test_matching_shows_and_changes_nothing_outside_the_jurisdiction(client, world, staff, variant):
    from django.db import transaction

    known, extra = IDENTITIES[variant]
    typed = {**known, **extra, "address": "Thôn Mới, Hàm Rồng"}
    paths = _matching_paths()
    assert {"people:register", "cases:register", "cases:import", "api:cases/lab-results"} <= set(
        paths
    )
    alone = {}
    for name, submit in paths.items():
        with transaction.atomic():
            alone[name] = _normalise(submit(client, world, staff, typed))
            transaction.set_rollback(True)
    case_b = _person_elsewhere(world, staff, known)
    before = _snapshot(case_b)
    for name, submit in paths.items():
        with transaction.atomic():
            seen = submit(client, world, staff, typed)
            text = "\n".join(seen)
            assert ELSEWHERE_ADDRESS not in text, name
            assert f"/people/{case_b.person_id}/" not in text, name
            assert f"/cases/{case_b.pk}/" not in text, name
            assert f'"case_id": {case_b.pk}' not in text, name
            assert _snapshot(case_b) == before, name
            assert _normalise(seen) == alone[name], (name, _difference(alone[name], seen))
            transaction.set_rollback(True)


def test_commune_a_finds_nobody_of_commune_b_by_name_phone_or_cccd(client, world, staff):
    known, _extra = IDENTITIES["cccd"]
    case_b = _person_elsewhere(world, staff, {**known, "phone": "0977000111"})
    client.force_login(staff.commune_worker_a)
    for query in ("0977000111", "038171000111", "Trần Thị Kín", "kin"):
        page = client.get("/people/", {"q": query}).content.decode()
        api_answer = client.get("/api/people/", {"q": query})
        assert f"/people/{case_b.person_id}/" not in page, query
        assert api_answer.status_code == 200 and api_answer.json() == [], query
    client.force_login(staff.commune_worker_b)
    assert [p["id"] for p in client.get("/api/people/", {"q": "038171000111"}).json()] == [
        case_b.person_id
    ]
