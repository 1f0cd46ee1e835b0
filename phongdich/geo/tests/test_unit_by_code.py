"""geo.selectors.unit_by_code: the write paths' unit lookup, kept per process (issue 17),
never serving a unit after it changed nor hiding one loaded later."""

from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import unit_by_code
from phongdich.geo.services import geography_load


def test_a_looked_up_code_costs_no_query_the_second_time(world, django_assert_num_queries):
    code = world.commune_a.code
    assert unit_by_code(code).pk == world.commune_a.pk
    with django_assert_num_queries(0):
        again = unit_by_code(code, AdminUnit.Kind.COMMUNE)
    assert again.pk == world.commune_a.pk
    # A copy: what one request sets on it no other request sees.
    again.name = "sửa trong một yêu cầu"
    assert unit_by_code(code).name == world.commune_a.name


def test_the_kind_is_checked_and_an_unknown_code_is_not_remembered(world):
    assert unit_by_code(world.commune_a.code, AdminUnit.Kind.DISTRICT) is None
    assert unit_by_code("") is None
    assert unit_by_code("99999") is None
    later = AdminUnit.objects.create(
        code="99999",
        name="Xã Mới",
        kind="commune",
        parent=world.district_a,
        path=world.district_a.path + "99999/",
    )
    assert unit_by_code("99999").pk == later.pk


def test_a_saved_unit_is_read_again(world):
    unit_by_code(world.commune_a.code)
    world.commune_a.name = "Phường Mới Tên"
    world.commune_a.save()
    assert unit_by_code(world.commune_a.code).name == "Phường Mới Tên"


def test_a_bulk_geography_load_is_read_again(db):
    geography_load(dataset="2021", province="38")
    unit = AdminUnit.objects.filter(kind="commune").order_by("code").first()
    AdminUnit.objects.filter(pk=unit.pk).update(name="Tên tạm")  # no signals
    assert unit_by_code(unit.code).name == "Tên tạm"
    geography_load(dataset="2021", province="38")  # bulk_update back: no signals either
    assert unit_by_code(unit.code).name == unit.name
