"""API tokens: who may create them, how long they live, who sees and revokes them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from phongdich.accounts.models import ApiToken, Role
from phongdich.accounts.permissions import API_TOKEN_ROLES
from phongdich.accounts.services import (
    API_TOKEN_DEFAULT_DAYS,
    API_TOKEN_MAX_DAYS,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from phongdich.audit.models import AuditEvent
from phongdich.testing import make_user


def test_only_roles_that_need_machine_access_create_tokens(staff):
    for user in (
        staff.committee_member,
        staff.care_team_a,
        staff.relief_officer,
        staff.directive_clerk,
        staff.unit_reporter_a,
    ):
        assert user.role not in API_TOKEN_ROLES
        with pytest.raises(PermissionDenied):
            api_token_create(by=user, name="x")
    for user in (
        staff.province_admin,
        staff.province_health_officer,
        staff.commune_worker_a,
        staff.hotline_agent,
        staff.checkpoint_officer,
    ):
        token, raw = api_token_create(by=user, name="x")
        assert api_token_authenticate(raw) == user


def test_a_token_expires_after_its_validity(staff):
    token, raw = api_token_create(by=staff.province_health_officer, name="CDC lab")
    expected = timezone.now() + timedelta(days=API_TOKEN_DEFAULT_DAYS)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert api_token_authenticate(raw) == staff.province_health_officer
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_token_authenticate(raw) is None


def test_the_validity_is_bounded(staff):
    with pytest.raises(ValidationError):
        api_token_create(by=staff.hotline_agent, name="x", valid_days=API_TOKEN_MAX_DAYS + 1)
    with pytest.raises(ValidationError):
        api_token_create(by=staff.hotline_agent, name="x", valid_days=0)
    token, _raw = api_token_create(by=staff.hotline_agent, name="x", valid_days=7)
    assert abs(token.expires_at - token.created_at - timedelta(days=7)) < timedelta(seconds=5)


def test_an_expired_token_gets_401_from_the_api(client, staff):
    token, raw = api_token_create(by=staff.hotline_agent, name="switchboard")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/hotline/tickets", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get("/api/hotline/tickets", **auth).status_code == 401


def test_the_owner_revokes_a_token_after_confirming(client, staff):
    token, raw = api_token_create(by=staff.hotline_agent, name="tổng đài Viettel")
    client.force_login(staff.hotline_agent)
    url = f"/accounts/tokens/{token.pk}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "tổng đài Viettel" in confirm.content.decode()
    assert api_token_authenticate(raw) == staff.hotline_agent  # a GET changes nothing
    assert client.post(url).status_code == 302
    assert api_token_authenticate(raw) is None
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.actor == staff.hotline_agent and event.target_id == str(token.pk)


def test_creation_is_audited_and_the_raw_token_is_shown_once(client, staff):
    client.force_login(staff.checkpoint_officer)
    page = client.post("/accounts/tokens/", {"name": "máy quét chốt 1", "valid_days": 30})
    token = ApiToken.objects.get(user=staff.checkpoint_officer)
    raw = page.context["raw"]
    assert raw in page.content.decode() and api_token_authenticate(raw) is not None
    assert raw not in client.get("/accounts/tokens/").content.decode()
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.target_id == str(token.pk) and raw not in str(event.changes)


def test_a_role_without_machine_access_cannot_create_a_token(client, staff):
    client.force_login(staff.unit_reporter_a)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post("/accounts/tokens/", {"name": "x", "valid_days": 30}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_user_sees_and_revokes_only_their_own_tokens(client, staff):
    theirs, raw = api_token_create(by=staff.province_health_officer, name="CDC lab")
    mine, _ = api_token_create(by=staff.hotline_agent, name="switchboard")
    client.force_login(staff.hotline_agent)
    page = client.get("/accounts/tokens/")
    assert list(page.context["tokens"]) == [mine] and "CDC lab" not in page.content.decode()
    assert client.get(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_token_authenticate(raw) == staff.province_health_officer
    with pytest.raises(PermissionDenied):
        api_token_revoke(by=staff.hotline_agent, token=theirs)


def test_an_admin_lists_and_revokes_the_tokens_of_the_jurisdiction(client, world, staff):
    district_admin = make_user("admin380", Role.PROVINCE_ADMIN, world.district_a)
    worker_b_token, raw_b = api_token_create(by=staff.commune_worker_b, name="trạm B")
    worker_a_token, raw_a = api_token_create(by=staff.commune_worker_a, name="trạm A")
    client.force_login(district_admin)
    page = client.get("/accounts/tokens/")
    assert list(page.context["all_tokens"]) == [worker_a_token]
    assert client.post(f"/accounts/tokens/{worker_b_token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{worker_a_token.pk}/revoke/").status_code == 302
    assert api_token_authenticate(raw_a) is None and api_token_authenticate(raw_b) is not None
    client.force_login(staff.province_admin)
    page = client.get("/accounts/tokens/")
    assert set(page.context["all_tokens"]) == {worker_a_token, worker_b_token}
    assert "tramyte.b" in page.content.decode()
