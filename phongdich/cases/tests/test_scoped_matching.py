"""Registering an F0 or a test result never reaches into another district: no disclosure
by redirect, message or API answer, no write on another commune's person or case."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts.services import api_token_create
from phongdich.cases import imports, rules, services
from phongdich.cases.models import Case, CaseStatus
from phongdich.labtests.models import Sample
from phongdich.lib.imports import as_upload
from phongdich.people.models import MatchReferral, Person

from .builders import make_case


def _f0_b(world, staff, **person):
    values = {"full_name": "Bùi Văn Kín", "birth_year": 1977, "phone": "0977333444"}
    values.update(person)
    return make_case(
        world,
        staff.commune_worker_b,
        commune=world.commune_b,
        **{"person_data": services.PersonData(address="Khu 4, Bắc Sơn", **values)},
    )


def _lab_post(client, world, raw, **extra):
    body = {
        "lab": "Trạm y tế Hàm Rồng",
        "sample_id": "HR-1",
        "kind": "rat",
        "positive": False,
        "taken_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "full_name": "Bùi Văn Kín",
        "birth_year": 1977,
        "phone": "0977333444",
        "commune_code": world.commune_a.code,
    }
    body.update(extra)
    return client.post(
        "/api/cases/lab-results",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def test_register_f0_with_an_identity_of_another_district_opens_a_local_case(client, world, staff):
    case_b = _f0_b(world, staff)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/cases/new/",
        {
            "full_name": "Bùi Văn Kín",
            "birth_year": "1977",
            "phone": "0977333444",
            "commune": world.commune_a.pk,
            "test_kind": "pcr",
            "lab": "CDC Thanh Hóa",
            "tested_at": (timezone.localtime() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"),
            "detection": "community",
            "occupation": "other",
            "vaccination": "none",
            "can_self_care": "on",
        },
    )
    local = Case.objects.exclude(pk=case_b.pk).get()
    assert response["Location"] == f"/cases/{local.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã ghi nhận ca bệnh."]
    assert local.commune == world.commune_a and local.person_id != case_b.person_id
    assert MatchReferral.objects.get().existing_id == case_b.person_id


def test_a_local_persons_open_case_elsewhere_is_not_revealed(world, staff):
    """A person of commune A whose open case commune B looks after."""
    person, _ = services.PersonData(
        full_name="Cao Thị Mai", birth_year=1990, phone="0977555666"
    ).register(by=staff.commune_worker_a, commune=world.commune_a)
    case_b = services.case_register(
        by=staff.province_health_officer,
        person=person,
        commune=world.commune_b,
        evidence=[rules.LabEvidence("pcr", True, timezone.now() - timedelta(hours=3))],
    )[0]
    case, created = services.case_register(
        by=staff.commune_worker_a,
        person_data=services.PersonData(
            full_name="Cao Thị Mai", birth_year=1990, phone="0977555666"
        ),
        commune=world.commune_a,
        evidence=[rules.LabEvidence("pcr", True, timezone.now() - timedelta(hours=1))],
    )
    assert created and case.pk != case_b.pk and case.person_id != person.pk
    referral = MatchReferral.objects.get()
    assert referral.reason == "open_case" and referral.owner_unit == world.commune_b


def test_a_lab_negative_never_joins_another_communes_case(client, world, staff):
    case_b = _f0_b(world, staff)
    _token, raw = api_token_create(by=staff.commune_worker_a, name="trạm A")
    response = _lab_post(client, world, raw)
    assert response.status_code == 201 and response.json()["case_id"] is None
    assert not case_b.samples.filter(result="negative").exists()
    result = Sample.objects.get(lab_sample_id="HR-1")
    assert result.person_id != case_b.person_id and result.person.commune == world.commune_a


def test_a_province_lab_joins_the_matching_person_anywhere_in_the_province(client, world, staff):
    case_b = _f0_b(world, staff)
    _token, raw = api_token_create(by=staff.province_health_officer, name="CDC")
    response = _lab_post(client, world, raw, sample_id="CDC-1")
    assert response.json()["case_id"] == case_b.pk
    assert case_b.samples.filter(result="negative").count() == 1


def test_a_sample_id_of_another_unit_is_refused_without_details(client, world, staff):
    _token, raw_b = api_token_create(by=staff.commune_worker_b, name="trạm B")
    _lab_post(client, world, raw_b, commune_code=world.commune_b.code, positive=True)
    _token, raw_a = api_token_create(by=staff.commune_worker_a, name="trạm A")
    response = _lab_post(client, world, raw_a)
    assert response.status_code == 422
    assert "result_id" not in response.json() and "Bùi" not in response.content.decode()
    assert Sample.objects.count() == 1 and Person.objects.count() == 1


def test_an_import_row_of_another_districts_person_writes_nothing_there(world, staff):
    case_b = _f0_b(world, staff, id_number="038177000444")
    before = Person.objects.get(pk=case_b.person_id)
    taken = (timezone.localtime() - timedelta(hours=2)).strftime("%d/%m/%Y %H:%M")
    content = (
        "Họ tên,Năm sinh,Số điện thoại,CCCD,Mã xã,Địa chỉ,Loại XN,Kết quả,Thời điểm lấy mẫu\n"
        f"Bùi Văn Kín,1977,0977999888,038177000444,{world.commune_a.code},Thôn 2,RAT,âm tính,"
        f"{taken}\n"
    ).encode()
    report = imports.import_lab_results(
        by=staff.commune_worker_a,
        upload=as_upload("kq.csv", content),
        lab="Trạm A",
        mode="keep_good",
    )
    assert report.recorded == 1 and not report.errors
    after = Person.objects.get(pk=case_b.person_id)
    assert (after.phone, after.address, after.updated_at) == (
        before.phone,
        before.address,
        before.updated_at,
    )
    assert not case_b.samples.filter(result="negative").exists()


def test_the_database_allows_one_open_case_per_person(world, staff):
    case = make_case(world, staff.commune_worker_a)
    second = Case(
        person=case.person,
        commune=case.commune,
        source="staff",
        diagnosed_on=case.diagnosed_on,
        isolation_start=case.isolation_start,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RECOVERED)
    second.save()  # a new episode after the first has ended
    assert Case.objects.filter(person=case.person).count() == 2


def test_merging_two_people_who_both_have_open_cases_is_refused_clearly(world, staff):
    from phongdich.people.services import person_merge

    one = make_case(world, staff.commune_worker_a, name="Người Một")
    two = make_case(world, staff.commune_worker_a, name="Người Hai")
    with pytest.raises(ValidationError, match="Cả hai hồ sơ đều đang có ca F0"):
        person_merge(by=staff.commune_worker_a, keep=one.person, duplicate=two.person)


def test_an_import_row_whose_sample_another_unit_recorded_is_a_row_error(client, world, staff):
    _token, raw_b = api_token_create(by=staff.commune_worker_b, name="trạm B")
    _lab_post(
        client, world, raw_b, lab="Trạm A", sample_id="S-9", commune_code=world.commune_b.code
    )
    taken = (timezone.localtime() - timedelta(hours=2)).strftime("%d/%m/%Y %H:%M")
    content = (
        "Họ tên,Năm sinh,Số điện thoại,Mã xã,Loại XN,Kết quả,Thời điểm lấy mẫu,Mã mẫu\n"
        f"Người Một,1990,0977000001,{world.commune_a.code},RAT,âm tính,{taken},S-9\n"
        f"Người Hai,1991,0977000002,{world.commune_a.code},RAT,âm tính,{taken},S-10\n"
    ).encode()
    report = imports.import_lab_results(
        by=staff.commune_worker_a,
        upload=as_upload("kq.csv", content),
        lab="Trạm A",
        mode="keep_good",
    )
    assert report.recorded == 1 and [e["line"] for e in report.errors.entries] == [2]
    refused = imports.import_lab_results(
        by=staff.commune_worker_a,
        upload=as_upload("kq.csv", content),
        lab="Trạm A",
        mode="all_or_nothing",
    )
    assert refused.refused and refused.recorded == 0
    assert Sample.objects.filter(lab_sample_id="S-10").count() == 1  # from the first import
