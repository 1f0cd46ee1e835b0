"""The accounts app's entries for the site-wide URL walk (phongdich/web/tests/test_jurisdiction.py)."""


def _token_of_commune_b(world, staff):
    from phongdich.accounts.services import api_token_create

    token, _raw = api_token_create(by=staff.commune_worker_b, name="trạm B")
    return {"pk": token.pk}


RECORDS_IN_COMMUNE_B = {"accounts:token_revoke": _token_of_commune_b}
