""" "Publish all reviewed": one action for a unit and every unit below it, after a
confirmation that states how many; still once per unit and day."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.levels import publication, services
from phongdich.levels.models import Assessment
from phongdich.testing import losers, make_staff, make_user, make_world, race, winners

DAY = date(2021, 11, 20)


def _review(staff, units, level=2):
    for unit in units:
        a = Assessment.objects.get(unit=unit, day=DAY)
        services.assessment_review(
            by=staff.province_health_officer,
            assessment=a,
            level=level,
            reason="" if level == a.computed_level else "Theo nhận định của Sở",
        )


@pytest.fixture
def assessed(world, staff):
    services.levels_assess(by=None, day=DAY, province=world.province)
    _review(staff, [world.commune_a, world.commune_a2, world.district_a, world.commune_b])
    return world


@pytest.mark.django_db
def test_publishes_every_reviewed_unit_below_the_root_and_audits_each(assessed, staff):
    world = assessed
    effective = services.earliest_effective()
    n = publication.assessments_publish_all(
        by=staff.committee_member,
        root=world.district_a,
        day=DAY,
        effective_from=effective,
        expected=3,
    )
    assert n == 3
    published = set(
        Assessment.objects.filter(status="published").values_list("unit__code", flat=True)
    )
    assert published == {world.district_a.code, world.commune_a.code, world.commune_a2.code}
    # outside the root, and not reviewed: untouched
    assert Assessment.objects.get(unit=world.commune_b, day=DAY).status == "reviewed"
    assert Assessment.objects.get(unit=world.province, day=DAY).status == "proposed"
    assert AuditEvent.objects.filter(action="levels.publish").count() == 3
    with pytest.raises(ValidationError, match="Không còn cấp độ"):  # once per unit and day
        publication.assessments_publish_all(
            by=staff.committee_member,
            root=world.district_a,
            day=DAY,
            effective_from=effective,
            expected=3,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("expected, ok", [(2, False), (3, True), (4, False)])
def test_the_count_confirmed_must_be_the_count_published(assessed, staff, expected, ok):
    call = lambda: publication.assessments_publish_all(  # noqa: E731
        by=staff.committee_member,
        root=assessed.district_a,
        day=DAY,
        effective_from=services.earliest_effective(),
        expected=expected,
    )
    if ok:
        assert call() == 3
        return
    with pytest.raises(ValidationError, match="đã thay đổi"):
        call()
    assert not Assessment.objects.filter(status="published").exists()


@pytest.mark.django_db
def test_48_hours_roles_and_jurisdiction(assessed, staff):
    world = assessed
    early = services.earliest_effective() - timedelta(days=1)
    with pytest.raises(ValidationError, match="48 giờ"):
        publication.assessments_publish_all(
            by=staff.committee_member,
            root=world.district_a,
            day=DAY,
            effective_from=early,
            expected=3,
        )
    ok_day = services.earliest_effective()
    with pytest.raises(PermissionDenied):
        publication.assessments_publish_all(
            by=staff.province_health_officer,
            root=world.district_a,
            day=DAY,
            effective_from=ok_day,
            expected=3,
        )
    district_b_member = make_user("bcd.b", "committee_member", world.district_b)
    with pytest.raises(PermissionDenied):
        publication.assessments_publish_all(
            by=district_b_member,
            root=world.district_a,
            day=DAY,
            effective_from=ok_day,
            expected=3,
        )
    assert not Assessment.objects.filter(status="published").exists()


@pytest.mark.django_db
def test_a_rise_mails_the_units_officers(world, staff):
    # A level 1 published the day before, then level 3 reviewed and published in bulk.
    services.levels_assess(by=None, day=DAY - timedelta(days=1), province=world.province)
    a = Assessment.objects.get(unit=world.commune_a, day=DAY - timedelta(days=1))
    services.assessment_review(by=staff.province_health_officer, assessment=a, level=1, reason="x")
    services.assessment_publish(
        by=staff.committee_member, assessment=a, effective_from=services.earliest_effective()
    )
    services.levels_assess(by=None, day=DAY, province=world.province)
    b = Assessment.objects.get(unit=world.commune_a, day=DAY)
    services.assessment_review(by=staff.province_health_officer, assessment=b, level=3, reason="x")
    staff.commune_worker_a.email = "tram.a@example.vn"
    staff.commune_worker_a.save()
    mail.outbox.clear()
    with_commit = pytest.importorskip("django.test").TestCase.captureOnCommitCallbacks
    with with_commit(execute=True):
        publication.assessments_publish_all(
            by=staff.committee_member,
            root=world.commune_a,
            day=DAY,
            effective_from=services.earliest_effective(),
            expected=1,
        )
    assert [m.to for m in mail.outbox] == [["tram.a@example.vn"]]
    assert "cấp 1 → cấp 3" in mail.outbox[0].subject


@pytest.mark.django_db
def test_the_table_page_states_how_many_and_asks_first(client, assessed, staff):
    world = assessed
    client.force_login(staff.committee_member)
    page = client.get(f"/levels/u/{world.district_a.code}/?day=20/11/2021").content.decode()
    assert "Công bố cấp độ dịch của 3 đơn vị đã thẩm định thuộc Thành phố Thanh Hóa" in page
    form = {
        "day": "20/11/2021",
        "expected": "3",
        "effective_from": services.earliest_effective().strftime("%d/%m/%Y"),
    }
    url = f"/levels/u/{world.district_a.code}/publish-all/"
    refused = client.post(url, form)
    assert refused.status_code == 400 and "Chưa xác nhận thao tác" in refused.content.decode()
    assert not Assessment.objects.filter(status="published").exists()
    done = client.post(url, {**form, "confirmed": "1"})
    assert done.status_code == 302
    assert Assessment.objects.filter(status="published").count() == 3
    again = client.post(url, {**form, "confirmed": "1"})
    assert again.status_code == 400 and "Không còn cấp độ" in again.content.decode()
    for bad in ({**form, "expected": "abc"}, {**form, "effective_from": "31/02/2021"}):
        assert client.post(url, {**bad, "confirmed": "1"}).status_code == 400


@pytest.mark.django_db
def test_health_officers_see_no_publish_all(client, assessed, staff):
    client.force_login(staff.province_health_officer)
    page = client.get(f"/levels/u/{assessed.district_a.code}/?day=20/11/2021").content.decode()
    assert "publish-all" not in page
    assert client.post(f"/levels/u/{assessed.district_a.code}/publish-all/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_racing_publish_all_clicks_publish_each_unit_once():
    world = make_world()
    staff = make_staff(world)
    services.levels_assess(by=None, day=DAY, province=world.province)
    _review(staff, [world.commune_a, world.commune_a2, world.district_a])
    effective = services.earliest_effective()
    outcomes = race(
        [
            lambda: publication.assessments_publish_all(
                by=staff.committee_member,
                root=world.district_a,
                day=DAY,
                effective_from=effective,
                expected=3,
            )
            for _ in range(4)
        ]
    )
    assert winners(outcomes) == [3]
    assert all(isinstance(e, ValidationError) for e in losers(outcomes)), losers(outcomes)
    assert Assessment.objects.filter(status="published").count() == 3
    assert AuditEvent.objects.filter(action="levels.publish").count() == 3
