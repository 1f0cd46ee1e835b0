"""Four tracers recording the same contact at once make one contact (threads on PostgreSQL)."""

import pytest

from phongdich.testing import losers, make_staff, make_world, race
from phongdich.tracing import services
from phongdich.tracing.models import Contact

from . import builders


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_recordings_of_one_contact_make_one():
    world = make_world()
    staff = make_staff(world)
    case = builders.case(world, staff.commune_worker_a)
    identity = builders.identity(world)

    def record():
        person = services.contact_person(by=staff.commune_worker_a, identity=identity)
        return services.contact_add(
            by=staff.commune_worker_a, person=person, source_case=case, exposure=builders.exposure()
        )

    outcomes = race([record] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert Contact.objects.count() == 1
    assert sorted(created for _status, (_contact, created) in outcomes) == [
        False,
        False,
        False,
        True,
    ]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_one_file_make_each_person_once():
    from phongdich.lib.imports import as_upload
    from phongdich.lib.references import reference_for
    from phongdich.people.models import Person
    from phongdich.tracing.imports import import_contacts

    world = make_world()
    staff = make_staff(world)
    case = builders.case(world, staff.commune_worker_a)
    body = "Mã ca F0,Họ và tên,Năm sinh,Số điện thoại,Mã xã,Ngày tiếp xúc,Nơi tiếp xúc\n" + "".join(
        f"{reference_for(case)},Người Nhập {i},{1970 + i},09136{i:05d},{world.commune_a.code},"
        "01/12/2021,Hộ gia đình\n"
        for i in range(30)
    )

    def run():
        return import_contacts(
            by=staff.commune_worker_a,
            upload=as_upload("tiep-xuc.csv", body.encode()),
            mode="keep_good",
        )

    outcomes = race([run, run])
    assert not losers(outcomes), losers(outcomes)
    assert Person.objects.filter(full_name__startswith="Người Nhập").count() == 30
    assert Contact.objects.filter(source_case=case).count() == 30
