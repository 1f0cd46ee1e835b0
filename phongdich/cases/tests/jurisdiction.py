"""The F0 app's entries for the site-wide URL walk (phongdich/web/tests/test_jurisdiction.py):
how to build a record of commune B for every page that takes a record id."""

from datetime import timedelta

from django.utils import timezone


def _case_b(world, staff, **extra):
    from .builders import make_case

    return make_case(
        world, staff.commune_worker_b, commune=world.commune_b, name="F0 Xã B", **extra
    )


def _case(world, staff):
    return {"pk": _case_b(world, staff).pk}


def _recovered_case(world, staff):
    from phongdich.cases import services
    from phongdich.cases.models import Case

    case = _case_b(world, staff, vaccination="full")
    start = timezone.localdate() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)
    case.refresh_from_db()
    services.case_release(by=staff.commune_worker_b, case=case)
    return {"pk": case.pk}


def _dead_case(world, staff):
    from phongdich.cases import services

    case = _case_b(world, staff)
    services.case_death_record(
        by=staff.commune_worker_b,
        case=case,
        died_on=timezone.localdate(),
        place="nhà",
        cause="x",
        pcr_confirmed=True,
    )
    return {"pk": case.pk}


def _alert(world, staff):
    from .builders import submit

    return {"pk": submit(_case_b(world, staff), spo2=90).alert.pk}


RECORDS_IN_COMMUNE_B = {
    "cases:detail": _case,
    "cases:check_new": _case,
    "cases:link_issue": _case,
    "cases:link_send": _case,
    "cases:verify": _case,
    "cases:home_care_override": _case,
    "cases:transfer": _case,
    "cases:release": _case,
    "cases:certificate": _recovered_case,
    "cases:death": _case,
    "cases:dossier": _dead_case,
    "cases:medicine_bag": _case,
    "cases:mobile_visit": _case,
    "cases:photo": _case,
    "cases:alert_action": _alert,
    "cases:alert_resolve": _alert,
    "cases:transfer_override": _case,
}
NOT_PERSONAL = {
    "cases:report": "a daily announcement: aggregate figures only, scoped to the user's units",
}


# --- matching paths (web/tests/test_jurisdiction.py: nothing shown or changed elsewhere) ------


def _submit_case_register(client, world, staff, typed):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/cases/new/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "address": typed["address"],
            "commune": world.commune_a.pk,
            "test_kind": "pcr",
            "lab": "CDC Thanh Hóa",
            "tested_at": (timezone.localtime() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"),
            "detection": "community",
            "occupation": "other",
            "vaccination": "none",
            "can_self_care": "on",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


def _submit_import(client, world, staff, typed):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff.commune_worker_a)
    taken = (timezone.localtime() - timedelta(hours=3)).strftime("%d/%m/%Y %H:%M")
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(
        ["Họ tên", "Năm sinh", "Số điện thoại", "CCCD", "Mã xã", "Địa chỉ", "Loại XN"]
        + ["Kết quả", "Thời điểm lấy mẫu", "Mã mẫu"]
    )
    writer.writerow(
        [typed["full_name"], typed["birth_year"], typed.get("phone", "")]
        + [typed.get("id_number", ""), world.commune_a.code, typed["address"], "RAT"]
        + ["âm tính", taken, "A-IMPORT-1"]
    )
    content = rows.getvalue().encode()
    response = client.post(
        "/cases/import/",
        {
            "file": SimpleUploadedFile("ket-qua.csv", content, content_type="text/csv"),
            "mode": "keep_good",
            "lab": "Trạm y tế Hàm Rồng",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Đã ghi 1 kết quả" in page  # the row itself is valid: it must be recorded
    return [str(response.status_code), page]


def _submit_lab_result(client, world, staff, typed):
    from phongdich.accounts.services import api_token_create

    _token, raw = api_token_create(by=staff.commune_worker_a, name="Máy xét nghiệm trạm A")
    seen = []
    for sample_id, positive in (("A-LAB-1", False), ("A-LAB-2", True)):
        response = client.post(
            "/api/cases/lab-results",
            {
                "lab": "Trạm y tế Hàm Rồng",
                "sample_id": sample_id,
                "kind": "rat",
                "positive": positive,
                "taken_at": (timezone.now() - timedelta(hours=1)).isoformat(),
                "full_name": typed["full_name"],
                "birth_year": typed["birth_year"],
                "phone": typed.get("phone", ""),
                "id_number": typed.get("id_number", ""),
                "address": typed["address"],
                "commune_code": world.commune_a.code,
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 201, response.content
        seen += [str(response.status_code), response.content.decode()]
    return seen


def _submit_self_declaration(client, world, staff, typed):
    client.logout()
    response = client.post(
        "/cases/tu-khai-bao/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone") or "0977000999",
            "commune": world.commune_a.pk,
            "address": typed["address"],
            "tested_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
        follow=True,
    )
    assert "Đã nhận khai báo" in response.content.decode(), "the declaration was refused"
    return [str(response.status_code), response.content.decode()]


MATCHING_PATHS = {
    "cases:register": _submit_case_register,
    "cases:import": _submit_import,
    "api:cases/lab-results": _submit_lab_result,
    "cases:self_declare": _submit_self_declaration,
}
