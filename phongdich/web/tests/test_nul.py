"""A NUL character anywhere a view reads raw input is a 400, before PostgreSQL sees it."""


def test_a_nul_in_the_query_string_is_a_bad_request_page(client, staff):
    client.force_login(staff.province_admin)
    response = client.get("/people/", {"q": "ab\x00cd"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_nul_in_a_posted_form_is_a_bad_request(client, db):
    response = client.post("/login/", {"username": "ad\x00min", "password": "x"})
    assert response.status_code == 400


def test_under_the_api_the_same_refusal_is_json(client, db):
    response = client.get("/api/people/", {"q": "ab\x00cd"})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_text_without_nul_passes(client, staff):
    client.force_login(staff.province_admin)
    assert client.get("/people/", {"q": "Nguyễn"}).status_code == 200
