"""The overview's ?day= filter: a day outside the years a person means is today."""

import pytest


@pytest.mark.parametrize("raw", ["01/01/0001", "31/12/9999", "32/01/2022", "hôm qua"])
def test_an_impossible_day_shows_today(client, staff, raw):
    client.force_login(staff.province_admin)
    response = client.get("/stats/", {"day": raw})
    assert response.status_code == 200


def test_parse_day_keeps_real_days_only():
    from datetime import date

    from phongdich.lib.bounds import parse_day

    assert parse_day("15/01/2022", "%d/%m/%Y") == date(2022, 1, 15)
    assert parse_day(" 15/01/2022 ", "%d/%m/%Y") == date(2022, 1, 15)
    assert parse_day("01/01/0001", "%d/%m/%Y") is None
    assert parse_day("", "%d/%m/%Y") is None
