"""Release asks first in a dialog that names the open alerts; cancelling changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phongdich.cases.models import Alert, Case, CaseStatus

from .builders import make_case, submit

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_release_dialog_names_open_alerts_and_cancel_changes_nothing(
    live_server, page, login, world, staff
):
    case = make_case(world, staff.commune_worker_a, name="Lê Văn Bình", vaccination="full")
    start = timezone.localdate() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)
    submit(case, key="a1", spo2=94)
    open_alerts = Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).count()
    assert open_alerts >= 1

    page.set_viewport_size(PHONE)
    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    # With JS the tick box is replaced by the dialog.
    expect(page.locator("[data-confirm-step]").first).to_be_hidden()
    page.click("#release-submit")
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Cấp giấy xác nhận khỏi bệnh và kết thúc theo dõi")
    expect(dialog).to_contain_text(f"{open_alerts} cảnh báo đang mở sẽ được đóng")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    dialog.get_by_role("button", name="Quay lại").click()
    expect(dialog).to_be_hidden()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).count() == open_alerts
    expect(page.locator("#release-submit")).to_be_enabled()

    page.click("#release-submit")
    dialog.get_by_role("button", name="Đồng ý, thực hiện").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã kết thúc cách ly")
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    assert not Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).exists()


@pytest.mark.django_db(transaction=True)
def test_the_link_panel_copies_and_shows_the_qr_within_a_phone_screen(
    live_server, page, context, login, world, staff
):
    case = make_case(world, staff.commune_worker_a, name="Lê Văn Bình")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size(PHONE)
    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("#link-issue-submit")
    panel = page.locator("#link-panel")
    expect(panel).to_be_visible()
    link = page.input_value("#new-link")
    assert link.startswith(f"{live_server.url}/cases/c/")  # the request's host and port
    # Nothing wider than the phone: the panel, the link box, the QR code.
    for selector in ("#link-panel", "#new-link", "#link-qr svg", "#copy-link"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#copy-link")
    expect(page.locator("#copy-link")).to_have_text("Đã sao chép")
    assert page.evaluate("navigator.clipboard.readText()") == link

    # Re-issuing asks first (the F0's current link stops working); going back changes nothing.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("#link-issue-submit")
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("sẽ ngừng hoạt động")
    dialog.get_by_role("button", name="Quay lại").click()
    from phongdich.cases.models import CaseLink

    assert CaseLink.objects.filter(case=case).count() == 1
