"""The shell: language, error pages, role homes."""


def test_the_interface_stays_vietnamese_for_an_english_browser(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers.get("Content-Language", "vi") == "vi"
    assert '<html lang="vi">' in response.content.decode()


def test_unknown_pages_get_the_vietnamese_404(client, db, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_role_without_access_gets_the_vietnamese_403(client, staff, settings):
    settings.DEBUG = False
    client.force_login(staff.commune_worker_a)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_every_role_has_a_home_page(client, staff):
    for user in vars(staff).values():
        if user.jurisdiction is None:
            continue
        client.force_login(user)
        response = client.get("/home/")
        assert response.status_code == 200, user.username
        assert user.get_role_display() in response.content.decode()
