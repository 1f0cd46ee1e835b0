"""An API token or a staff account created twice by one submission (a double click, a
refresh of the page that answered the POST) is created once. The racing test runs real
threads on PostgreSQL (in turn on SQLite, see phongdich/testing.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from phongdich.accounts.models import ApiToken, User
from phongdich.testing import make_staff, make_world, race, winners

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
RAW = re.compile(r"<code>(pd_[^<]+)</code>")


def _key(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


def test_refreshing_the_page_that_showed_a_token_mints_no_second_token(client, staff):
    client.force_login(staff.province_health_officer)
    key = _key(client.get(reverse("accounts:tokens")))
    data = {"submission_key": key, "name": "LIS", "valid_days": 90}
    first = client.post(reverse("accounts:tokens"), data)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store"
    assert RAW.search(first.content.decode()), "the raw token is shown once"
    again = client.post(reverse("accounts:tokens"), data, follow=True)
    text = again.content.decode()
    assert not RAW.search(text)  # the raw value is not shown again
    assert "chỉ hiện một lần" in text
    assert ApiToken.objects.filter(user=staff.province_health_officer).count() == 1


def test_a_token_key_reused_for_another_name_is_refused_and_a_new_key_offered(client, staff):
    client.force_login(staff.province_health_officer)
    key = _key(client.get(reverse("accounts:tokens")))
    data = {"submission_key": key, "name": "LIS", "valid_days": 90}
    client.post(reverse("accounts:tokens"), data)
    page = client.post(reverse("accounts:tokens"), data | {"name": "SMS"})
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != key
    assert not RAW.search(page.content.decode())
    assert ApiToken.objects.count() == 1
    client.post(reverse("accounts:tokens"), data | {"name": "SMS", "submission_key": _key(page)})
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["LIS", "SMS"]


def _account(world, key, **changed):
    return {
        "submission_key": key,
        "username": "yte_xa_moi",
        "full_name": "Trần Thị Hoa",
        "role": "commune_health_worker",
        "jurisdiction": world.commune_a.pk,
        "password": "Mật-khẩu-đủ-dài-2021",
    } | changed


def test_a_double_submitted_account_is_created_once(client, staff, world):
    client.force_login(staff.province_admin)
    data = _account(world, _key(client.get(reverse("accounts:users"))))
    first = client.post(reverse("accounts:users"), data)
    second = client.post(reverse("accounts:users"), data)
    assert first.status_code == second.status_code == 302  # no "username taken" on a replay
    assert User.objects.filter(username="yte_xa_moi").count() == 1


def test_the_password_stays_out_of_the_stored_fingerprint(client, staff, world):
    client.force_login(staff.province_admin)
    data = _account(world, "acct-key-000001")
    client.post(reverse("accounts:users"), data)
    created = User.objects.get(username="yte_xa_moi")
    assert created.submission_key == f"u{staff.province_admin.pk}:acct-key-000001"
    # Not derivable from the password: the digest of the same answers without it matches.
    from phongdich.lib.idempotency import _digest

    without = {k: [str(v)] for k, v in data.items() if k not in ("submission_key", "password")}
    assert created.submission_fingerprint == _digest(without)


def test_an_account_key_reused_for_another_user_is_refused(client, staff, world):
    client.force_login(staff.province_admin)
    client.post(reverse("accounts:users"), _account(world, "acct-key-000002"))
    page = client.post(
        reverse("accounts:users"), _account(world, "acct-key-000002", username="yte_xa_khac")
    )
    assert page.status_code == 200
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != "acct-key-000002"
    assert not User.objects.filter(username="yte_xa_khac").exists()


@pytest.mark.django_db(transaction=True)
def test_racing_token_posts_with_one_key_mint_one_token():
    world = make_world()
    staff = make_staff(world)
    data = {"submission_key": "t" * 24, "name": "LIS", "valid_days": 90}

    def post():
        client = Client()
        client.force_login(staff.province_health_officer)
        return client.post(reverse("accounts:tokens"), data)

    responses = winners(race([post for _ in range(4)]))
    assert len(responses) == 4
    shown = [r for r in responses if r.status_code == 200 and RAW.search(r.content.decode())]
    assert len(shown) == 1  # exactly one answer carries the raw token
    assert sorted(r.status_code for r in responses) == [200, 302, 302, 302]
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_account_posts_create_one_account_and_never_fail():
    world = make_world()
    staff = make_staff(world)
    same_key = _account(world, "a" * 24)
    other_key = _account(world, "b" * 24)  # a second admin's form for the same name

    def post(data):
        client = Client()
        client.force_login(staff.province_admin)
        return client.post(reverse("accounts:users"), data)

    outcomes = race([lambda d=d: post(d) for d in (same_key, same_key, other_key, other_key)])
    responses = winners(outcomes)
    assert len(responses) == 4
    assert all(r.status_code in (200, 302) for r in responses)  # a refusal, never a 500
    assert User.objects.filter(username="yte_xa_moi").count() == 1
    refused = [r for r in responses if r.status_code == 200]
    assert all("Tên đăng nhập đã tồn tại" in r.content.decode() for r in refused)
