"""Vaccination records of commune B, and the paths that match doses to people, for the
site-wide boundary walk (web/tests/test_jurisdiction.py)."""

from datetime import date


def _person_of_b(world, staff):
    from phongdich.people.services import person_register

    person, _created = person_register(
        by=staff.commune_worker_b,
        full_name="Đỗ Văn Bê",
        birth_year=1975,
        phone="0913555666",
        commune=world.commune_b,
    )
    return person


def _officer_b(world):
    from phongdich.accounts.models import Role, User
    from phongdich.testing import make_user

    found = User.objects.filter(username="tiemchung.b").first()
    return found or make_user("tiemchung.b", Role.VACCINATION_OFFICER, world.commune_b)


def _dose_input(**values):
    from phongdich.vaccination import services
    from phongdich.vaccination.models import VaccineProduct

    return services.DoseInput(
        product=VaccineProduct.objects.get(code="pfizer"),
        dose_number=1,
        given_on=date(2021, 10, 11),
        **values,
    )


def _record_of_b(world, staff):
    return {"pk": _person_of_b(world, staff).pk}


def _dose_of_b(world, staff):
    from phongdich.vaccination import services

    outcome = services.dose_record_for_person(
        by=staff.commune_worker_b, person=_person_of_b(world, staff), dose=_dose_input()
    )
    return {"pk": outcome.dose.pk}


def _dose_of_b_person(world, staff):
    _dose_of_b(world, staff)
    return {"pk": _person_of_b(world, staff).pk}


def _review_of_b(world, staff):
    from phongdich.vaccination import services

    outcome = services.dose_record(
        by=_officer_b(world),
        identity=services.Identity(
            full_name="Người Chưa Rõ", birth_year=1990, phone="0913000777", commune=world.commune_b
        ),
        dose=_dose_input(),
    )
    return {"pk": outcome.review.pk}


def _certificate_of_b(world, staff):
    from phongdich.vaccination import certificates

    _dose_of_b(world, staff)
    person = _person_of_b(world, staff)
    certificates.certificate_issue(by=_officer_b(world), person=person)
    return {"pk": person.pk}


def _campaign_of_b(world, staff):
    """A campaign whose only target is commune B: commune A's staff must not reach it."""
    from phongdich.accounts.models import Role, User
    from phongdich.testing import make_user
    from phongdich.vaccination import campaigns

    officer = User.objects.filter(username="yte.tinh.campaign").first() or make_user(
        "yte.tinh.campaign", Role.HEALTH_OFFICER, world.province
    )
    campaign = campaigns.campaign_create(
        by=officer,
        name="Chiến dịch xã B",
        start=date(2022, 2, 21),
        deadline=date(2022, 2, 28),
        age_bands=["5-11"],
    )
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.commune_b, target=100, official_name="Ông B"
    )
    return {"pk": campaign.pk}


def _aefi_of_b(world, staff):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from phongdich.vaccination import aefi

    report = aefi.aefi_report(
        by=_officer_b(world),
        person=_person_of_b(world, staff),
        report=aefi.AefiInput(
            onset_at=datetime(2021, 10, 12, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            description="Sốt cao",
        ),
    )
    return {"pk": report.pk}


def _aefi_link_of_b(world, staff):
    from phongdich.vaccination import aefi

    person = _person_of_b(world, staff)
    link, _raw = aefi.aefi_link_issue(by=_officer_b(world), person=person)
    return {"pk": person.pk, "link_pk": link.pk}


def _campaign_task_of_b(world, staff):
    """Commune B's campaign with a directive task linked to it (the unlink's URL)."""
    from phongdich.accounts.models import User
    from phongdich.directives.models import Document, Task
    from phongdich.vaccination import campaigns
    from phongdich.vaccination.models import Campaign

    found = _campaign_of_b(world, staff)
    document = Document.objects.create(title="Công văn tiêm chủng", number="9/CV")
    task = Task.objects.create(document=document, text="Tiêm đủ mũi", is_draft=False)
    campaigns.campaign_task_link(
        by=User.objects.get(username="yte.tinh.campaign"),
        campaign=Campaign.objects.get(pk=found["pk"]),
        task=task,
    )
    return {"pk": found["pk"], "task_pk": task.pk}


def _risk_flag_of_b(world, staff):
    from datetime import date

    from phongdich.vaccination import risk

    person = _person_of_b(world, staff)
    flag, _created = risk.risk_flag_set(
        by=staff.commune_worker_b,
        person=person,
        group="teacher",
        source="Trường tiểu học",
        since=date(2022, 1, 1),
    )
    return {"pk": person.pk, "flag_pk": flag.pk}


RECORDS_IN_COMMUNE_B = {
    "vaccination:campaign_unlink_task": _campaign_task_of_b,
    "vaccination:risk_flag_add": _record_of_b,
    "vaccination:risk_flag_end": _risk_flag_of_b,
    "vaccination:reminder_channel": _record_of_b,
    "vaccination:campaign": _campaign_of_b,
    "vaccination:campaign_edit": _campaign_of_b,
    "vaccination:campaign_target": _campaign_of_b,
    "vaccination:campaign_link_task": _campaign_of_b,
    "vaccination:campaign_export": _campaign_of_b,
    "vaccination:campaign_target_import": _campaign_of_b,
    "vaccination:campaign_target_errors": _campaign_of_b,
    "vaccination:aefi": _aefi_of_b,
    "vaccination:aefi_status": _aefi_of_b,
    "vaccination:aefi_reopen": _aefi_of_b,
    "vaccination:aefi_new": _record_of_b,
    "vaccination:aefi_link": _record_of_b,
    "vaccination:aefi_link_send": _record_of_b,
    "vaccination:aefi_link_revoke": _aefi_link_of_b,
    "vaccination:certificate_revoke": _certificate_of_b,
    "vaccination:dose_unlink": _dose_of_b,
    "vaccination:record": _record_of_b,
    "vaccination:dose_for_person": _record_of_b,
    "vaccination:dose_check": _dose_of_b,
    "vaccination:review": _review_of_b,
    "vaccination:review_match": _review_of_b,
    "vaccination:review_register": _review_of_b,
    "vaccination:certificate_issue": _dose_of_b_person,
    "vaccination:certificate": _certificate_of_b,
}
NOT_PERSONAL: dict[str, str] = {}


# --- matching paths: a dose typed or imported for commune A ---------------------------------


def _submit_dose_form(client, world, staff, typed):
    from phongdich.vaccination.models import VaccineProduct

    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/vaccination/doses/new/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "commune": world.commune_a.pk,
            "sex": "F",
            "product": VaccineProduct.objects.get(code="pfizer").pk,
            "dose_number": 1,
            "given_on": "11/10/2021",
            "site_kind": "fixed",
            "site_name": "Trạm y tế Hàm Rồng",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


def _submit_dose_import(client, world, staff, typed):
    from phongdich.lib.imports import as_upload

    client.force_login(staff.commune_worker_a)
    text = (
        "Họ và tên,Năm sinh,Số điện thoại,CCCD,Mã xã,Vắc xin,Mũi số,Ngày tiêm\n"
        f"{typed['full_name']},{typed['birth_year']},{typed.get('phone', '')},"
        f"{typed.get('id_number', '')},{world.commune_a.code},Pfizer,1,11/10/2021\n"
    )
    from phongdich.lib import background_imports

    response = client.post(
        "/vaccination/import/",
        {"file": as_upload("mui-tiem.csv", text.encode()), "mode": "keep_good"},
    )
    # The page stores the file; the worker's run (here in the test) matches the rows.
    job_id = int(response["Location"].strip("/").rsplit("/", 1)[-1])
    background_imports.import_run(job_id=job_id)
    response = client.get(response["Location"])
    assert "import-report" in response.content.decode()
    return [str(response.status_code), response.content.decode()]


MATCHING_PATHS = {
    "vaccination:dose_new": _submit_dose_form,
    "vaccination:import": _submit_dose_import,
}
MATCHING_CALLERS = {
    "vaccination/services.py": (
        "vaccination:dose_new",
        "vaccination:import",
    ),
}
