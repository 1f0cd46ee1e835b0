"""On a phone: the province admin finds the policy pages in the menu, edits a service level
and sees it saved, with no horizontal scrolling on the list or the form."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(
    not apps.is_installed("phongdich.hotline"), reason="walks the hotline's SLA table"
)


@pytest.mark.django_db(transaction=True)
def test_the_province_admin_edits_a_service_level_on_a_phone(live_server, login, world, staff):
    from phongdich.hotline.models import SlaPolicy

    # transaction=True tests start from an empty database: the migration's rows are gone.
    for priority, minutes in (("P1", 15), ("P2", 120), ("P3", 1440), ("P4", 4320)):
        SlaPolicy.objects.update_or_create(priority=priority, defaults={"minutes": minutes})
    page = login(staff.province_admin)
    page.set_viewport_size(PHONE)
    page.click("label.nav-toggle-label")
    page.click(".nav >> text=Chính sách, quy định")
    page.click("text=Thời hạn xử lý theo mức ưu tiên")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("tbody tr", has_text="P3").locator("text=Sửa").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#id_minutes", "600")
    page.click("button:has-text('Lưu')")
    expect(page.locator(".msg.success")).to_contain_text("Đã lưu")
    assert SlaPolicy.objects.get(priority="P3").minutes == 600


@pytest.mark.django_db(transaction=True)
def test_wide_policy_tables_fit_a_phone(live_server, login, world, staff):
    from datetime import date

    if not apps.is_installed("phongdich.checkpoints"):
        pytest.skip("walks the checkpoints' tables")

    from phongdich.checkpoints.models import QuarantineGroupRow, QuarantinePolicyRow

    policy = QuarantinePolicyRow.objects.create(
        key="2022-early",
        valid_from=date(2022, 2, 1),
        regulation="Hướng dẫn của Bộ Y tế đầu năm 2022",
        summary="Tiêm ≥ 2 mũi hoặc khỏi bệnh ≤ 3 tháng: 5 ngày + 5 ngày theo dõi",
    )
    QuarantineGroupRow.objects.create(
        policy=policy, label="Tiêm từ 2 mũi hoặc đã khỏi bệnh trong 3 tháng", home_days=5
    )
    page = login(staff.province_admin)
    page.set_viewport_size(PHONE)
    for path in (
        "/policy/",
        "/policy/quarantine-groups/",
        "/policy/checkpoint-decisions/",
        f"/policy/quarantine-policies/{policy.pk}/",
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.goto(f"{live_server.url}/policy/quarantine-groups/")
    expect(page.locator(".badge.warn").first).to_have_text("chưa đối chiếu văn bản")
