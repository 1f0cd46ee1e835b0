"""In a browser on a phone: a sampling-point officer takes a sample at the round's point and
records its result, and the round's figures count it; a zone's page shows its lifting inputs
read from the cases and the closed rounds."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from phongdich.labtests.models import Pool, Sample

from . import builders

PHONE = {"width": 390, "height": 844}


def _fits(page):
    # After a click the next page may still be parsing (no documentElement yet): wait for it
    # to load before measuring (seen failing under a load average of 12).
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.django_db(transaction=True)
def test_a_sampling_point_officer_takes_a_sample_and_records_its_result(
    live_server, login, world, staff
):
    rnd = builders.screening_round(world, staff, units=[world.commune_a], target_people=10)
    team = builders.team(world, staff, name="Tổ 3", accounts=[staff.commune_worker_a])
    point = builders.point(world, staff, rnd, name="Nhà văn hóa khu 5", sampling_team=team)
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/labtests/campaigns/")
    page.click("#open-rounds a")
    page.click("#points a")
    _fits(page)
    form = page.locator("#point-sample")
    form.locator("input[name=barcode]").fill("HR-000123")
    form.locator("input[name=full_name]").fill("Đỗ Thị Lấy Mẫu")
    form.locator("input[name=birth_year]").fill("1968")
    form.locator("input[name=address]").fill("9 Lê Lai")
    form.locator("select[name=commune]").select_option(str(world.commune_a.pk))
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi mẫu HR-000123")
    expect(page.locator("#point-samples")).to_contain_text("Đỗ Thị Lấy Mẫu")
    sample = Sample.objects.get(barcode="HR-000123")
    assert (sample.point_id, sample.round_id, sample.sampling_team, sample.team) == (
        point.pk,
        rnd.pk,
        team,
        "Tổ 3",
    )

    page.click("#point-samples a")
    _fits(page)
    result = page.locator("#result-form")
    result.locator("select[name=result]").select_option("negative")
    result.locator("input[name=lab]").fill("CDC Thanh Hóa")
    result.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi kết quả")
    assert Sample.objects.get(pk=sample.pk).result == "negative"

    page.goto(f"{live_server.url}/labtests/rounds/{rnd.pk}/")
    _fits(page)
    expect(page.locator("#round-figures tfoot")).to_contain_text("1")


@pytest.mark.django_db(transaction=True)
def test_at_the_point_a_team_pools_members_scanning_the_pools_code_once(
    live_server, login, world, staff
):
    from phongdich.labtests.models import PoolSizeRule

    PoolSizeRule.objects.create(kind="pcr", max_size=2)
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    point = builders.point(world, staff, rnd, name="Nhà văn hóa khu 6")
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/labtests/points/{point.pk}/")
    _fits(page)
    form = page.locator("#point-sample")
    for n, name in enumerate(["Lê Văn Gộp", "Lê Thị Gộp", "Lê Văn Thừa"]):
        if n == 0:
            form.locator("input[name=pool_code]").fill("GP-KHU6")
        else:  # the page kept the pool's code: only the member's code is scanned
            expect(form.locator("input[name=pool_code]")).to_have_value("" if n == 2 else "GP-KHU6")
            if n == 2:
                form.locator("input[name=pool_code]").fill("GP-KHU6")
        form.locator("input[name=barcode]").fill(f"K6-{n}")
        form.locator("input[name=full_name]").fill(name)
        form.locator("input[name=birth_year]").fill("1970")
        form.locator("select[name=commune]").select_option(str(world.commune_a.pk))
        form.locator("button[type=submit]").click()
        if n < 2:
            expect(page.locator(".msg.success")).to_contain_text(f"{n + 1}/2")
    # The third is refused on the form: the policy row says two.
    expect(page.locator("#point-sample")).to_contain_text("Mẫu gộp đã đủ 2 mẫu.")
    _fits(page)
    pool = Pool.objects.get(code="GP-KHU6")
    assert sorted(pool.members.values_list("barcode", flat=True)) == ["K6-0", "K6-1"]


@pytest.mark.django_db(transaction=True)
def test_a_team_records_a_pooled_sample_the_pool_is_positive_the_commune_sees_the_orders(
    live_server, login, world, staff
):
    """Issue 14: the team is picked from the team records, not typed."""
    team = builders.team(world, staff, name="Tổ lấy mẫu số 3", accounts=[staff.commune_worker_a])
    builders.team(world, staff, name="Tổ nghỉ", active=False)  # a stopped team is not offered
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/labtests/pools/")
    _fits(page)
    pick = page.locator("select[name=sampling_team]")
    expect(pick.locator("option")).to_have_count(2)  # the empty choice and the active team
    pick.select_option(label="Tổ lấy mẫu số 3 (Phường Hàm Rồng)")
    page.fill("input[name=code]", "GOP-0042")
    page.locator("select[name=commune]").select_option(str(world.commune_a.pk))
    page.get_by_role("button", name="Tạo mẫu gộp").click()
    expect(page.locator("h1")).to_contain_text("GOP-0042")
    for n, name in enumerate(("Lê Thị Gộp Một", "Trần Văn Gộp Hai")):
        page.get_by_role("link", name="Thêm mẫu vào mẫu gộp").click()
        _fits(page)
        page.fill("input[name=barcode]", f"GOP-0042-{n}")
        page.fill("input[name=full_name]", name)
        page.fill("input[name=birth_year]", "1985")
        page.fill("input[name=phone]", f"09123450{n:02d}")
        page.fill("input[name=place]", "Nhà văn hóa khu 2")
        page.locator("select[name=commune]").select_option(str(world.commune_a.pk))
        page.locator("form button[type=submit]").click()
        expect(page.locator("#members-count")).to_contain_text(f"{n + 1} /")
    expect(page.locator(".facts")).to_contain_text("Tổ lấy mẫu số 3")
    result = page.locator("#result-form")
    result.locator("select[name=result]").select_option("positive")
    result.locator("input[name=ct_value]").fill("27")
    result.locator("input[name=lab]").fill("CDC Thanh Hóa")
    result.locator("button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text("Dương tính")
    page.goto(f"{live_server.url}/labtests/orders/")
    _fits(page)
    expect(page.locator("#orders")).to_contain_text("Lê Thị Gộp Một")
    expect(page.locator("#orders")).to_contain_text("Trần Văn Gộp Hai")
    pool = Pool.objects.get(code="GOP-0042")
    assert pool.sampling_team == team
    assert set(pool.members.values_list("sampling_team", "team")) == {(team.pk, team.name)}


@pytest.mark.django_db(transaction=True)
def test_a_zone_page_shows_its_lifting_inputs(live_server, login, world, staff):
    from phongdich.zones.tests.builders import zone_in_force
    from phongdich.zones.tests.test_lift_inputs import _case_on, _closed_round

    start = date(2021, 8, 1)
    zone = zone_in_force(world, staff, started_on=start)
    _case_on(world, staff, world.commune_b, start + timedelta(days=2))
    _closed_round(world, staff, world.commune_b, start + timedelta(days=3))
    page = login(staff.commune_worker_b)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/zones/{zone.pk}/")
    _fits(page)
    expect(page.locator("#last-case")).to_have_text("03/08/2021")
    expect(page.locator("#last-round")).to_have_text("04/08/2021")
    expect(page.locator("#lift-inputs")).to_contain_text("theo danh sách F0 của xã")
    expect(page.locator("#lifting")).to_contain_text("Có thể gỡ")
    page.goto(f"{live_server.url}/zones/public/")
    _fits(page)
    expect(page.locator("#public-zones")).to_contain_text(zone.name)


@pytest.mark.django_db(transaction=True)
def test_a_commune_worker_edits_and_cancels_a_shift_and_links_a_typed_team_name_on_a_phone(
    live_server, login, world, staff
):
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    point = builders.point(world, staff, rnd, name="Nhà văn hóa khu 5")
    team = builders.team(world, staff, name="Tổ lấy mẫu phường Hàm Rồng số 3")
    shift = builders.shift(world, staff, team, point, hours=(8, 11))
    builders.sample(world, staff, campaign=rnd.campaign, team="Tổ 3 (ghi tay, trước khi có tổ)")
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/labtests/points/{point.pk}/shifts/")
    page.get_by_role("link", name="Sửa ca").click()
    _fits(page)
    page.fill("input[name=starts]", "13:00")
    page.fill("input[name=ends]", "16:00")
    page.get_by_role("button", name="Lưu ca").click()
    expect(page.locator("#shifts")).to_contain_text("13:00–16:00")
    _fits(page)
    page.get_by_role("link", name="Hủy ca").click()
    expect(page.locator("h1")).to_contain_text("Hủy ca lấy mẫu")
    _fits(page)
    page.fill("input[name=reason]", "Tổ đi hỗ trợ xã bên")
    page.get_by_role("button", name="Xác nhận hủy ca").click()
    # Kept, struck through and labelled, with no edit link left.
    cancelled = page.locator("#shifts tr.shift-cancelled")
    expect(cancelled).to_contain_text("Đã hủy")
    expect(cancelled).to_contain_text("Tổ đi hỗ trợ xã bên")
    expect(cancelled.locator("del").first).to_have_text(team.name)
    expect(page.get_by_role("link", name="Sửa ca")).to_have_count(0)
    _fits(page)
    shift.refresh_from_db()
    assert shift.cancelled and shift.cancelled_by == staff.commune_worker_a
    page.goto(f"{live_server.url}/labtests/rounds/{rnd.pk}/")
    page.get_by_role("link", name="Gắn tên tổ ghi bằng chữ với tổ lấy mẫu").click()
    _fits(page)
    row = page.locator("#team-names tbody tr").first
    row.locator("select[name=team]").select_option(str(team.pk))
    row.get_by_role("button").click()
    expect(page.locator("#team-names")).to_contain_text("Mọi tên tổ của đợt này đã gắn")
    assert Sample.objects.get(team="Tổ 3 (ghi tay, trước khi có tổ)").sampling_team == team
