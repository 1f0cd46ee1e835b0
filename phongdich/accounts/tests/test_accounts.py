import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from phongdich.accounts.models import Role, User
from phongdich.accounts.services import api_token_authenticate, api_token_create, user_create
from phongdich.audit.models import AuditEvent
from phongdich.testing import PASSWORD, make_user


def test_production_hashes_passwords_with_argon2():
    # The autouse fixture swaps hashers for speed; read the settings module itself.
    from phongdich import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().encode("x", "saltsaltsalt").startswith("argon2$")


def test_an_admin_creates_users_inside_the_jurisdiction(staff, world):
    user = user_create(
        by=staff.province_admin,
        username="moi",
        password="Rat-kho-2022!",
        role=Role.COMMUNE_HEALTH_WORKER,
        jurisdiction=world.commune_b,
        full_name="Nguyễn Văn Mới",
    )
    assert user.check_password("Rat-kho-2022!")
    assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()


def test_a_district_admin_cannot_create_users_outside_the_district(world):
    district_admin = make_user("admin380", Role.PROVINCE_ADMIN, world.district_a)
    with pytest.raises(ValidationError):
        user_create(
            by=district_admin,
            username="x",
            password="Rat-kho-2022!",
            role=Role.COMMUNE_HEALTH_WORKER,
            jurisdiction=world.commune_b,
        )
    with pytest.raises(ValidationError):
        user_create(
            by=district_admin,
            username="y",
            password="Rat-kho-2022!",
            role=Role.HEALTH_OFFICER,
            jurisdiction=world.province,
        )


def test_only_admins_create_users(staff, world):
    with pytest.raises(PermissionDenied):
        user_create(
            by=staff.commune_worker_a,
            username="x",
            password="Rat-kho-2022!",
            role=Role.COMMUNE_HEALTH_WORKER,
            jurisdiction=world.commune_a,
        )


def test_weak_passwords_are_refused(staff, world):
    with pytest.raises(ValidationError):
        user_create(
            by=staff.province_admin,
            username="weak",
            password="123456",
            role=Role.HOTLINE_AGENT,
            jurisdiction=world.province,
        )


def test_the_users_page_lists_only_the_jurisdiction(client, staff, world):
    district_admin = make_user("admin380", Role.PROVINCE_ADMIN, world.district_a)
    client.force_login(district_admin)
    page = client.get("/accounts/users/").content.decode()
    assert "tramyte.a" in page and "tramyte.b" not in page


def test_the_users_page_creates_an_account(client, staff, world):
    client.force_login(staff.province_admin)
    response = client.post(
        "/accounts/users/",
        {
            "username": "tongdai2",
            "full_name": "Bùi Văn Hai",
            "role": Role.HOTLINE_AGENT,
            "jurisdiction": world.province.pk,
            "password": "Rat-kho-2022!",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="tongdai2").role == Role.HOTLINE_AGENT


def test_repeated_failed_logins_lock_the_account(client, staff, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "tramyte.a", "password": "wrong"})
    response = client.post("/login/", {"username": "tramyte.a", "password": PASSWORD})
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_reaches_the_role_home(client, staff):
    response = client.post("/login/", {"username": "tramyte.a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/home/"
    assert "Phường Hàm Rồng" in response.content.decode()


def test_api_tokens_are_stored_hashed_and_revocable(staff):
    token, raw = api_token_create(by=staff.hotline_agent, name="lab")
    assert raw not in token.token_hash and raw.startswith("pd_")
    assert api_token_authenticate(raw) == staff.hotline_agent
    assert api_token_authenticate(raw + "x") is None
    from django.utils import timezone

    token.revoked_at = timezone.now()
    token.save()
    assert api_token_authenticate(raw) is None


def test_behind_the_proxy_the_lockout_holds_the_client_not_the_proxy(client, staff, settings):
    from django.test import Client

    settings.AXES_ENABLED = True
    settings.TRUST_PROXY_HEADERS = True
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.66")
    officer = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.10")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/login/", {"username": "tramyte.a", "password": "wrong"})
    assert attacker.post("/login/", {"username": "tramyte.a", "password": PASSWORD}).status_code == 429
    response = officer.post("/login/", {"username": "tramyte.a", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in officer.session


def test_without_a_proxy_a_forged_header_does_not_escape_the_lockout(staff, settings):
    from django.test import Client

    settings.AXES_ENABLED = True
    settings.TRUST_PROXY_HEADERS = False
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP=f"203.0.113.{n}").post(
            "/login/", {"username": "tramyte.a", "password": "wrong"}
        )
    fresh = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="203.0.113.200")
    assert fresh.post("/login/", {"username": "tramyte.a", "password": PASSWORD}).status_code == 429


def test_acting_on_a_unit_above_ones_own_is_refused_unless_the_role_allows_it(staff, world):
    from phongdich.accounts.permissions import check_act_on_unit, may_act_on_unit

    district_officer = staff.district_health_officer_a
    assert may_act_on_unit(district_officer, world.district_a)  # its own unit
    assert may_act_on_unit(district_officer, world.commune_a)  # a unit below
    assert not may_act_on_unit(district_officer, world.province)  # the unit above
    assert not may_act_on_unit(district_officer, world.commune_b)  # another district's
    assert may_act_on_unit(district_officer, world.province, roles_above=(Role.HEALTH_OFFICER,))
    assert not may_act_on_unit(
        district_officer, world.commune_b, roles_above=(Role.HEALTH_OFFICER,)
    )
    assert not may_act_on_unit(staff.outsider, world.commune_a)
    with pytest.raises(PermissionDenied):
        check_act_on_unit(district_officer, world.province)
    check_act_on_unit(staff.province_health_officer, world.province)
