"""Quarantine records of commune B, for the site-wide boundary walk (web/tests)."""

from datetime import date


def _in_b(world, staff):
    from phongdich.people.services import person_register
    from phongdich.quarantine import services
    from phongdich.quarantine.models import Basis

    person, _ = person_register(
        by=staff.commune_worker_b,
        full_name="Người Cách Ly Xã B",
        birth_year=1990,
        phone="0913555666",
        commune=world.commune_b,
    )
    quarantine, _ = services.quarantine_open(
        by=staff.commune_worker_b,
        person=person,
        basis=Basis.F1,
        start=date(2022, 1, 10),
        commune=world.commune_b,
    )
    return quarantine


def _detail(world, staff):
    return {"pk": _in_b(world, staff).pk}


def _certificate(world, staff):
    from phongdich.quarantine import services

    quarantine = _in_b(world, staff)
    services.quarantine_complete(by=staff.commune_worker_b, quarantine=quarantine)
    return {"pk": quarantine.pk}


def _document(world, staff):
    return {"pk": _in_b(world, staff).pk, "kind": "door-sign"}


RECORDS_IN_COMMUNE_B = {
    "quarantine:detail": _detail,
    "quarantine:certificate": _certificate,
    "quarantine:document": _document,
}
NOT_PERSONAL = {}


# --- matching path: a quarantine opened from scratch on the staff form -----------------------


def _submit_open_form(client, world, staff, typed):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/quarantine/new/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "address": typed["address"],
            "commune": world.commune_a.pk,
            "basis": "f1",
            "exposure_date": "10/01/2022",
            "start": "10/01/2022",
            "doses": "2",
            "place": "home",
            "action": "open",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


MATCHING_PATHS = {"quarantine:new": _submit_open_form}
MATCHING_CALLERS = {
    "quarantine/services/opening.py": ("quarantine:new",),
    "quarantine/views.py": ("quarantine:new",),
}
