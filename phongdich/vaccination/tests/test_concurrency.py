"""Simultaneous recordings of one dose make one dose, or one review (threads on PostgreSQL)."""

from functools import partial

import pytest

from phongdich.testing import losers, make_staff, make_world, race, while_paused_in
from phongdich.vaccination import services
from phongdich.vaccination.models import Dose, DoseReview

from . import builders


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("weak", [False, True])
def test_four_simultaneous_recordings_of_one_dose_make_one(weak):
    world = make_world()
    staff = make_staff(world)
    officer = builders.officer(world)
    builders.person(world, staff)
    typed = (
        builders.identity(world, full_name="Phạm Văn Mới", phone="0987000222", id_number="")
        if weak
        else builders.identity(world)
    )
    dose = builders.dose()
    outcomes = race(
        [lambda: services.dose_record(by=officer, identity=typed, dose=dose) for _ in range(4)]
    )
    assert not losers(outcomes), losers(outcomes)
    assert (Dose.objects.count(), DoseReview.objects.count()) == ((0, 1) if weak else (1, 0))
    assert sorted(outcome.created for _status, outcome in outcomes) == [False, False, False, True]


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_certificate_issues_make_one_certificate():
    from phongdich.vaccination import certificates
    from phongdich.vaccination.models import VaccinationCertificate

    world = make_world()
    staff = make_staff(world)
    officer = builders.officer(world)
    person = builders.person(world, staff)
    services.dose_record_for_person(by=staff.commune_worker_a, person=person, dose=builders.dose())
    outcomes = race([lambda: certificates.certificate_issue(by=officer, person=person)] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert VaccinationCertificate.objects.count() == 1
    assert len({cert.number for _status, cert in outcomes}) == 1


@pytest.mark.django_db(transaction=True)
def test_one_outreach_outcome_sent_four_times_at_once_is_recorded_once():
    from phongdich.lib.idempotency import Submission
    from phongdich.vaccination.models import OutreachOutcome
    from phongdich.vaccination.outreach import outreach_outcome_record

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)

    def record():
        return outreach_outcome_record(
            by=staff.commune_worker_a,
            person=person,
            kind=OutreachOutcome.Kind.BOOKED,
            submission=Submission(key=f"{staff.commune_worker_a.pk}:outcome-1", fingerprint="f"),
        )

    outcomes = race([record] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert OutreachOutcome.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_target_edits_make_one_target():
    from datetime import date

    from phongdich.vaccination import campaigns
    from phongdich.vaccination.models import CampaignTarget

    world = make_world()
    staff = make_staff(world)
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(
        by=officer, name="Mùa xuân", start=date(2022, 2, 21), deadline=date(2022, 2, 28)
    )

    def edit(n):
        return lambda: campaigns.campaign_target_set(
            by=officer, campaign=campaign, unit=world.district_a, target=n, official_name=f"Ô {n}"
        )

    outcomes = race([edit(n) for n in (10, 20, 30, 40)])
    assert not losers(outcomes), losers(outcomes)
    assert CampaignTarget.objects.count() == 1
    kept = CampaignTarget.objects.get()
    assert kept.official_name == f"Ô {kept.target}"  # one edit's values, not a mix


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_risk_flags_make_one():
    from datetime import date

    from phongdich.vaccination import risk
    from phongdich.vaccination.models import RiskFlag

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    outcomes = race(
        [
            lambda: risk.risk_flag_set(
                by=staff.commune_worker_a,
                person=person,
                group="teacher",
                source="PGD",
                since=date(2022, 1, 1),
            )
        ]
        * 4
    )
    assert not losers(outcomes), losers(outcomes)
    assert RiskFlag.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_refreshes_leave_one_set_of_rows():
    from datetime import date

    from phongdich.vaccination import campaigns
    from phongdich.vaccination.models import CampaignProgress

    world = make_world()
    staff = make_staff(world)
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(
        by=officer, name="Mùa xuân", start=date(2022, 2, 21), deadline=date(2022, 2, 28)
    )
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.district_a, target=5, official_name="A"
    )
    outcomes = race(
        [lambda: campaigns.campaign_refresh(campaign=campaign, today=date(2022, 3, 1))] * 2
    )
    assert not losers(outcomes), losers(outcomes)
    assert CampaignProgress.objects.filter(campaign=campaign).count() == 8


@pytest.mark.django_db(transaction=True)
def test_two_reminder_workers_at_once_send_one_reminder():
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from phongdich.hotline.gateways import console_outbox
    from phongdich.vaccination.models import DoseReminder
    from phongdich.vaccination.reminders import reminders_send

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(day=date(2021, 10, 11))
    )
    console_outbox.clear()
    now = datetime.combine(date(2021, 11, 1), time(9), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    outcomes = race([lambda: reminders_send(now=now)] * 2)
    assert not losers(outcomes), losers(outcomes)
    assert DoseReminder.objects.count() == 1
    assert len(console_outbox) == 1
    assert sorted(counts["sent"] for _status, counts in outcomes) == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_one_aefi_report_sent_four_times_at_once_is_recorded_once():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from phongdich.lib.idempotency import Submission
    from phongdich.vaccination import aefi
    from phongdich.vaccination.models import Aefi

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)

    def report():
        return aefi.aefi_report(
            by=None,
            person=person,
            report=aefi.AefiInput(
                onset_at=datetime(2021, 10, 12, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
                description="Sốt cao",
                reporter_name="Người nhà",
            ),
            submission=Submission(key="anon:aefi-tap-1", fingerprint="f"),
        )

    outcomes = race([report] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert Aefi.objects.count() == 1
    assert len({item.pk for _status, item in outcomes}) == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_revoking_one_certificate_at_once_revoke_it_once():
    from django.core.exceptions import ValidationError

    from phongdich.vaccination import certificates
    from phongdich.vaccination.models import VaccinationCertificate

    world = make_world()
    staff = make_staff(world)
    officer = builders.officer(world)
    person = builders.person(world, staff)
    services.dose_record_for_person(by=staff.commune_worker_a, person=person, dose=builders.dose())
    cert = certificates.certificate_issue(by=officer, person=person)
    outcomes = race(
        [lambda: certificates.certificate_revoke(by=officer, person=person, reason="Sai")] * 2
    )
    refused = [value for status, value in outcomes if status == "error"]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError)
    assert "đã được thu hồi" in " ".join(refused[0].messages)
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    # Two re-issues at once after it make one new certificate in force.
    issued = race([lambda: certificates.certificate_issue(by=officer, person=person)] * 3)
    assert not losers(issued), losers(issued)
    assert VaccinationCertificate.objects.filter(revoked_at__isnull=True).count() == 1
    assert len({c.number for _status, c in issued}) == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_unlinking_one_dose_at_once_make_one_review():
    from django.core.exceptions import ValidationError

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    outcome = services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose()
    )
    outcomes = race(
        [
            lambda: services.dose_unlink(
                by=staff.commune_worker_a, dose=outcome.dose, reason="Ghép nhầm"
            )
        ]
        * 2
    )
    refused = [value for status, value in outcomes if status == "error"]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), outcomes
    assert (Dose.objects.count(), DoseReview.objects.count()) == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_one_aefi_link_send_tapped_four_times_at_once_sends_once():
    from phongdich.hotline import gateways
    from phongdich.lib.idempotency import Submission
    from phongdich.vaccination import aefi
    from phongdich.vaccination.models import AefiLinkSend

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    services.dose_record_for_person(by=staff.commune_worker_a, person=person, dose=builders.dose())
    link, _raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=person)
    gateways.console_outbox.clear()

    def send():
        return aefi.aefi_link_send(
            by=staff.commune_worker_a,
            link=link,
            url="https://covid.example.gov.vn/vaccination/phan-ung/abc/",
            channel="sms",
            submission=Submission(key=f"{staff.commune_worker_a.pk}:aefi-1", fingerprint="f"),
        )

    outcomes = race([send] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert AefiLinkSend.objects.count() == 1
    assert len(gateways.console_outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_campaign_refresh_does_not_lock_its_province(monkeypatch):
    """A refresh serialises on its campaign's row only. It used to lock the joined province
    unit FOR UPDATE as well, for the whole rebuild: every insert naming that unit (another
    campaign of the province, a coverage figure, a level assessment) waited for it."""
    from datetime import date

    from django.db import connection

    from phongdich.vaccination import campaigns

    if connection.vendor != "postgresql":
        pytest.skip("row locks and lock_timeout: PostgreSQL")
    world = make_world()
    officer = make_staff(world).province_health_officer
    campaign = campaigns.campaign_create(
        by=officer, name="Mùa xuân", start=date(2022, 2, 21), deadline=date(2022, 2, 28)
    )
    refresh = partial(campaigns.campaign_refresh, campaign=campaign, today=date(2022, 3, 1))
    with while_paused_in(monkeypatch, campaigns, "daily_counts", refresh) as outcome:
        other = campaigns.campaign_create(
            by=officer, name="Mũi nhắc lại", start=date(2022, 3, 1), deadline=date(2022, 3, 31)
        )
    assert other.pk and "result" in outcome


def _posting(user, url, data=None):
    """A logged-in browser's POST, to race through the whole view (each thread its own
    client and, on PostgreSQL, its own connection); returns the page after the redirect."""
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return lambda: browser.post(url, data or {}, follow=True).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_managers_unlinking_one_task_at_once_unlink_it_once():
    from datetime import date

    from phongdich.audit.models import AuditEvent
    from phongdich.directives.models import Document, Task
    from phongdich.vaccination import campaigns
    from phongdich.vaccination.models import CampaignTaskLink

    world = make_world()
    staff = make_staff(world)
    campaign = campaigns.campaign_create(
        by=staff.province_health_officer,
        name="Mùa xuân",
        start=date(2022, 2, 21),
        deadline=date(2022, 2, 28),
    )
    document = Document.objects.create(title="Công văn 2", number="2/CV")
    task = Task.objects.create(
        document=document, text="Tiêm đủ mũi", is_draft=False, deadline=date(2022, 2, 28)
    )
    campaigns.campaign_task_link(by=staff.province_health_officer, campaign=campaign, task=task)
    url = f"/vaccination/campaigns/{campaign.pk}/task/{task.pk}/unlink/"
    pages = race(
        [_posting(staff.province_health_officer, url), _posting(staff.province_admin, url)]
    )
    assert not losers(pages), losers(pages)
    said = [page for _status, page in pages]
    assert sum("Đã bỏ liên kết nhiệm vụ" in page for page in said) == 1, said
    assert sum("đã không còn liên kết với chiến dịch" in page for page in said) == 1
    assert not CampaignTaskLink.objects.exists() and Task.objects.filter(pk=task.pk).exists()
    assert AuditEvent.objects.filter(action="vaccination.campaign.unlink_task").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_ending_one_risk_flag_at_once_end_it_once():
    from datetime import date

    from phongdich.audit.models import AuditEvent
    from phongdich.vaccination import risk

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    flag, _created = risk.risk_flag_set(
        by=staff.commune_worker_a,
        person=person,
        group="pregnant",
        source="Sổ khám thai",
        since=date(2022, 1, 1),
    )
    url = f"/vaccination/people/{person.pk}/risk/{flag.pk}/end/"
    officer = builders.officer(world)
    pages = race(
        [
            _posting(staff.commune_worker_a, url, {"until": "15/02/2022"}),
            _posting(officer, url, {"until": "20/02/2022"}),
        ]
    )
    assert not losers(pages), losers(pages)
    said = [page for _status, page in pages]
    assert sum("Đã ghi ngày kết thúc nhóm nguy cơ." in page for page in said) == 1, said
    flag.refresh_from_db()
    # The loser is told the day the winner wrote, and that day is the one kept.
    told = [page for page in said if "đã được ghi kết thúc từ ngày" in page]
    assert len(told) == 1 and flag.until.strftime("%d/%m/%Y") in told[0]
    assert flag.until in (date(2022, 2, 15), date(2022, 2, 20))
    assert AuditEvent.objects.filter(action="vaccination.risk_flag_end").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_risk_flag_added_twice_at_once_through_the_page_is_one_row():
    from phongdich.vaccination.models import RiskFlag

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    url = f"/vaccination/people/{person.pk}/risk/"
    data = {"group": "teacher", "source": "Phòng GD&ĐT", "since": "01/09/2021"}
    pages = race([_posting(staff.commune_worker_a, url, data) for _ in range(2)])
    assert not losers(pages), losers(pages)
    said = [page for _status, page in pages]
    # One adds it, the other is told it updated the one already there.
    assert sum("Đã thêm nhóm nguy cơ." in page for page in said) == 1, said
    assert sum("Đã cập nhật nhóm nguy cơ đã có." in page for page in said) == 1
    assert RiskFlag.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reminder_channel_saves_at_once_make_one_row_and_one_change():
    from phongdich.audit.models import AuditEvent
    from phongdich.vaccination import reminders
    from phongdich.vaccination.models import ReminderChannel

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    outcomes = race(
        [
            lambda: reminders.reminder_channel_set(
                by=staff.commune_worker_a, person=person, channel="zalo"
            )
        ]
        * 2
    )
    assert not losers(outcomes), losers(outcomes)
    assert sorted(changed for _status, (_row, changed) in outcomes) == [False, True]
    assert ReminderChannel.objects.count() == 1
    assert AuditEvent.objects.filter(action="vaccination.reminder_channel").count() == 1
