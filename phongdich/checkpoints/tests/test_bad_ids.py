"""Record ids posted by the checkpoint pages are read from raw POST data: text, a huge
number or a NUL is no such record (404), never a 500."""

import pytest

BAD_IDS = ["abc", "1e5", str(10**30), "-1", "1\x00"]


@pytest.mark.parametrize(
    ("url", "field", "role"),
    [
        ("/checkpoints/follow-ups/", "id", "commune_worker_a"),
        ("/checkpoints/areas/", "end", "province_admin"),
        ("/checkpoints/transit/", "exit", "checkpoint_officer"),
    ],
)
def test_a_posted_id_that_is_no_record_is_not_found(client, staff, url, field, role):
    client.force_login(getattr(staff, role))
    for bad in BAD_IDS:
        response = client.post(url, {field: bad})
        assert response.status_code in (400, 404), (url, bad, response.status_code)


def test_a_posted_facility_that_is_no_record_is_ignored():
    from phongdich.lib.bounds import pk_or_none

    assert [pk_or_none(v) for v in ("12", " 7 ", "abc", "", None, str(10**30), "-1", "0")] == [
        12,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
