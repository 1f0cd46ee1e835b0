"""The loop pages without a browser: every bad input answers a clear message, never a 500."""

import pytest
from django.urls import reverse

from phongdich.cases.models import Alert, Case
from phongdich.hotline.models import Channel, ResponsibleUnit
from phongdich.hotline.services import ticket_create

from .builders import make_case, submit


@pytest.fixture
def care(client, staff):
    client.force_login(staff.care_team_a)
    return client


def test_the_resolve_page_states_what_will_happen_and_refuses_an_empty_outcome(care, world, staff):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    url = reverse("cases:alert_resolve", args=[alert.pk])
    page = care.get(url).content.decode()
    assert "Việc sẽ xảy ra" in page and "SpO2 95%" in page
    response = care.post(url, {"outcome": "", "note": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or "bắt buộc" in (
        response.content.decode()
    )
    alert.refresh_from_db()
    assert alert.is_open
    response = care.post(url + "?next=queue", {"outcome": "advised", "note": "dặn uống nước"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:queue")
    alert.refresh_from_db()
    assert alert.outcome == "advised"
    # A second submission (another tab, a double tap) is told it already happened.
    response = care.post(url, {"outcome": "called", "note": "lần hai"}, follow=True)
    assert "đã được người khác xử lý" in response.content.decode()


@pytest.mark.parametrize("data", [{"action": "resolve"}, {"action": "resolve", "outcome": "zz"}])
def test_the_old_one_click_close_is_refused_with_a_message(care, world, staff, data):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    response = care.post(reverse("cases:alert_action", args=[alert.pk]), data, follow=True)
    assert response.status_code in (200, 404)
    alert.refresh_from_db()
    assert alert.is_open


def test_escalating_from_the_transfer_page_lists_the_f0_then_leads_to_the_transfer(
    care, world, staff
):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    response = care.post(
        reverse("cases:alert_action", args=[alert.pk]), {"action": "escalate", "note": "chờ xe"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:transfer", args=[case.pk]) + f"?alert={alert.pk}"
    queue = care.get(reverse("cases:queue")).content.decode()
    assert f'id="transfer-{case.pk}"' in queue and "Cảnh báo nguy hiểm đã chuyển tuyến" in queue


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999", "0"])
def test_a_bad_alert_parameter_on_the_transfer_page_is_ignored(care, world, staff, raw):
    case = make_case(world, staff.commune_worker_a)
    response = care.get(reverse("cases:transfer", args=[case.pk]) + f"?alert={raw}")
    assert response.status_code == 200


def test_an_override_without_reason_is_refused(care, world, staff):
    case = make_case(world, staff.commune_worker_a, can_self_care=False)
    response = care.post(
        reverse("cases:transfer_override", args=[case.pk]), {"reason": ""}, follow=True
    )
    assert "Cần ghi lý do không chuyển tuyến" in response.content.decode()
    assert Case.objects.get(pk=case.pk).transfer_need == "ineligible"


def test_the_case_summary_page_and_its_limits(client, world, staff):
    case = make_case(world, staff.commune_worker_a, name="Vũ Văn Hải")
    ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng", kind="health_station", admin_unit=world.commune_a
    )
    with_case = ticket_create(
        by=staff.hotline_agent,
        channel=Channel.PHONE,
        category="f0_advice",
        text="hỏi",
        person=case.person,
    )
    without = ticket_create(
        by=staff.hotline_agent, channel=Channel.PHONE, category="f0_advice", text="hỏi"
    )
    client.force_login(staff.hotline_agent)
    ticket_page = client.get(reverse("hotline:ticket", args=[with_case.pk])).content.decode()
    assert reverse("hotline:ticket_case", args=[with_case.pk]) in ticket_page
    assert f'href="/cases/{case.pk}/"' not in ticket_page  # no link the role cannot open
    assert client.get(reverse("hotline:ticket_case", args=[with_case.pk])).status_code == 200
    assert client.get(reverse("hotline:ticket_case", args=[without.pk])).status_code == 404
    # A care-team member reading the same summary is offered the full record.
    client.force_login(staff.province_admin)
    page = client.get(reverse("hotline:ticket_case", args=[with_case.pk])).content.decode()
    assert f'href="/cases/{case.pk}/"' in page
    assert Alert.objects.count() == 0
