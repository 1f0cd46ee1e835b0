import pytest

from phongdich.audit.models import AuditEvent
from phongdich.audit.services import audit_record
from phongdich.audit.tests.exports import download_export
from phongdich.testing import make_user


def test_events_are_append_only(staff):
    event = audit_record(actor=staff.province_admin, action="test.write")
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_the_request_ip_is_recorded(client, staff, world):
    from phongdich.people import services

    person, _ = services.person_register(
        by=staff.province_admin, full_name="Lý Văn Tài", birth_year=1960, commune=world.commune_a
    )
    client.force_login(staff.commune_worker_a)
    client.get(f"/people/{person.pk}/", REMOTE_ADDR="10.1.2.3")
    assert AuditEvent.objects.get(kind="read").ip == "10.1.2.3"


def test_the_audit_page_filters_and_scopes(client, staff, world):
    audit_record(actor=staff.commune_worker_a, action="people.x", changes={"a": 1})
    audit_record(actor=staff.commune_worker_b, action="people.y")
    client.force_login(staff.province_admin)
    page = client.get("/audit/", {"actor": "tramyte.a"}).content.decode()
    assert "people.x" in page and "people.y" not in page
    district_admin = make_user("admin380", "province_admin", world.district_a)
    client.force_login(district_admin)
    page = client.get("/audit/").content.decode()
    assert "people.x" in page and "people.y" not in page


def test_the_audit_page_exports_xlsx(client, staff):
    audit_record(actor=staff.commune_worker_a, action="people.x")
    client.force_login(staff.province_admin)
    assert download_export(client, "/audit/", {"format": "xlsx"})[:2] == b"PK"


def test_only_admins_see_the_audit_page(client, staff):
    client.force_login(staff.commune_worker_a)
    assert client.get("/audit/").status_code == 403


def test_the_audit_export_writes_a_formula_like_name_as_text(client, staff):
    import io

    from openpyxl import load_workbook

    # A person's name is the label of the record an event points at.
    audit_record(actor=staff.commune_worker_a, action="people.x", target="=1+2")
    client.force_login(staff.province_admin)
    content = download_export(client, "/audit/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert "=1+2" in [c.value for c in cells]
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_the_log_pages_by_keyset_and_caps_its_count(client, staff, settings):
    """Older and newer pages follow the ids shown, never an OFFSET; the total is counted
    only up to the cap."""
    from phongdich.audit.services import audit_record
    from phongdich.lib import pagination

    for n in range(120):
        audit_record(actor=staff.commune_worker_a, action=f"people.n{n:03d}")
    client.force_login(staff.province_admin)
    first = client.get("/audit/", {"action": "people.n"})
    page = first.context["page"]
    assert [e.action for e in page][:2] == ["people.n119", "people.n118"]
    assert page.prev is None and page.next is not None and page.count == 120
    second = client.get("/audit/", {"action": "people.n", "next": page.next}).context["page"]
    assert second.items[0].action == "people.n069" and len(second) == 50
    third = client.get("/audit/", {"action": "people.n", "next": second.next}).context["page"]
    assert [e.action for e in third][-1] == "people.n000" and third.next is None
    back = client.get("/audit/", {"action": "people.n", "prev": third.prev}).context["page"]
    assert [e.pk for e in back] == [e.pk for e in second]
    # Anything that is not an id reads the first page, never a 500.
    for junk in ("abc", "-5", "99999999999999999999999", "x" * 5000):
        for name in ("next", "prev"):
            response = client.get("/audit/", {"action": "people.n", name: junk})
            assert response.status_code == 200
            assert response.context["page"].items[0].action == "people.n119"
    qs = client.get("/audit/").context["page"]
    capped = pagination.keyset_page(type(qs.items[0]).objects.all(), size=10, cap=100)
    assert capped.capped and capped.count == 100
    html = client.get("/audit/", {"action": "people.n"}).content.decode()
    assert "next=" in html and "page=" not in html
