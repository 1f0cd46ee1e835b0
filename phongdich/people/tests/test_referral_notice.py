"""The owner of a referral hears about it: a home-page panel and an e-mail after commit
that carries no personal data."""

import pytest
from django.test import RequestFactory

from phongdich.people import panels, services
from phongdich.people.models import MatchReferral

NAME, CCCD, PHONE = "Đỗ Thị Bảo", "038166000777", "0966123456"


@pytest.fixture(autouse=True)
def _inline_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def emails(staff):
    for user in (
        staff.commune_worker_a,
        staff.commune_worker_b,
        staff.care_team_a,
        staff.province_admin,
        staff.province_health_officer,
    ):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    return staff


def _refer_to_b(world, staff):
    """Commune B holds the person; commune A registers the same CCCD: B gets a referral."""
    services.person_register(
        by=staff.commune_worker_b,
        full_name=NAME,
        birth_year=1966,
        id_number=CCCD,
        commune=world.commune_b,
    )
    services.person_register(
        by=staff.commune_worker_a,
        full_name=NAME,
        birth_year=1966,
        id_number=CCCD,
        phone=PHONE,
        commune=world.commune_a,
    )
    return MatchReferral.objects.get()


PANEL_TITLE = "Hồ sơ có thể trùng chờ xử lý"


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/home/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_owning_commune_sees_the_panel_with_its_count(client, world, staff):
    referral = _refer_to_b(world, staff)
    assert referral.owner_unit == world.commune_b
    page = _home(client, staff.commune_worker_b)
    assert PANEL_TITLE in page
    assert 'href="/people/referrals/"' in page
    request = RequestFactory().get("/")
    request.user = staff.commune_worker_b
    assert panels.referrals_panel(request)["count"] == 1


def test_another_commune_and_an_empty_jurisdiction_see_no_panel(client, world, staff):
    assert PANEL_TITLE not in _home(client, staff.commune_worker_b)
    _refer_to_b(world, staff)
    assert PANEL_TITLE not in _home(client, staff.commune_worker_a)
    assert PANEL_TITLE in _home(client, staff.commune_worker_b)


def test_the_panel_counts_and_ages_in_one_query(world, staff, django_assert_max_num_queries):
    _refer_to_b(world, staff)
    request = RequestFactory().get("/")
    request.user = staff.province_admin
    with django_assert_max_num_queries(1):
        context = panels.referrals_panel(request)
    assert context["count"] == 1 and context["oldest_days"] == 0


def test_the_owning_communes_workers_get_one_mail_without_personal_data(
    world, emails, mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        _refer_to_b(world, emails)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [emails.commune_worker_b.email]
    text = mail.subject + mail.body
    settings_base = settings.SITE_URL or settings.DEV_SITE_URL
    assert f"{settings_base}/people/referrals/" in mail.body
    for secret in (NAME, "Đỗ", CCCD, PHONE, "1966"):
        assert secret not in text


def test_no_mail_before_commit(world, emails, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _refer_to_b(world, emails)
    assert mailoutbox == [] and callbacks


def test_a_second_open_referral_for_the_same_commune_sends_no_second_mail(
    world, emails, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _refer_to_b(world, emails)
        services.person_register(
            by=emails.commune_worker_b,
            full_name="Lý Văn Sáu",
            birth_year=1950,
            id_number="038050000111",
            commune=world.commune_b,
        )
        services.person_register(
            by=emails.commune_worker_a,
            full_name="Lý Văn Sáu",
            birth_year=1950,
            id_number="038050000111",
            commune=world.commune_a,
        )
    assert MatchReferral.objects.filter(owner_unit=world.commune_b).count() == 2
    assert len(mailoutbox) == 1


def test_a_province_owned_referral_mails_the_province_admins(
    world, emails, mailoutbox, django_capture_on_commit_callbacks
):
    services.person_register(
        by=emails.province_admin, full_name=NAME, birth_year=1966, id_number=CCCD
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.person_register(
            by=emails.commune_worker_a,
            full_name=NAME,
            birth_year=1966,
            id_number=CCCD,
            commune=world.commune_a,
        )
    referral = MatchReferral.objects.get()
    assert referral.owner_unit == world.province
    assert [m.to for m in mailoutbox] == [[emails.province_admin.email]]
