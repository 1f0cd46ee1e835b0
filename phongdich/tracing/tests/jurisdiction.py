"""Tracing records of commune B, and the paths that match contacts to people, for the
site-wide boundary walk (web/tests/test_jurisdiction.py)."""


def _case_b(world, staff):
    from phongdich.cases.tests.builders import make_case

    return make_case(world, staff.commune_worker_b, commune=world.commune_b, name="F0 Xã B")


def _contact_b(world, staff):
    from phongdich.tracing.tests import builders

    return builders.contact(
        world,
        staff.commune_worker_b,
        source_case=_case_b(world, staff),
        commune=world.commune_b,
        phone="0913555777",
    )


def _case_of_b(world, staff):
    return {"pk": _case_b(world, staff).pk}


def _contact_of_b(world, staff):
    return {"pk": _contact_b(world, staff).pk}


def _cluster_of_b(world, staff):
    from django.utils import timezone

    from phongdich.tracing import services

    cluster = services.cluster_create(
        by=staff.commune_worker_b,
        name="Chợ Bắc Sơn",
        commune=world.commune_b,
        opened_on=timezone.localdate(),
    )
    services.cluster_case_add(
        by=staff.commune_worker_b, cluster=cluster, case=_case_b(world, staff)
    )
    return {"pk": cluster.pk}


RECORDS_IN_COMMUNE_B = {
    "tracing:case_contacts": _case_of_b,
    "tracing:case_chain": _case_of_b,
    "tracing:contact": _contact_of_b,
    "tracing:contact_status": _contact_of_b,
    "tracing:contact_quarantine": _contact_of_b,
    "tracing:cluster": _cluster_of_b,
    "tracing:cluster_case_add": _cluster_of_b,
    "tracing:cluster_source": _cluster_of_b,
    "tracing:cluster_chain": _cluster_of_b,
}
NOT_PERSONAL: dict[str, str] = {}


# --- matching paths: a contact typed or imported for commune A's case ------------------------


def _case_a(world, staff):
    from phongdich.cases.tests.builders import make_case

    return make_case(world, staff.commune_worker_a, name="F0 Xã A Truy Vết", birth_year=1966)


def _submit_contact_form(client, world, staff, typed):
    case = _case_a(world, staff)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        f"/tracing/cases/{case.pk}/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "address": typed["address"],
            "commune": world.commune_a.pk,
            "sex": "F",
            "exposure_date": "01/12/2021",
            "setting": "household",
            "criterion": "physical",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


def _submit_contact_import(client, world, staff, typed):
    from phongdich.lib.imports import as_upload
    from phongdich.lib.references import reference_for

    case = _case_a(world, staff)
    client.force_login(staff.commune_worker_a)
    text = (
        "Mã ca F0,Họ và tên,Năm sinh,Số điện thoại,CCCD,Mã xã,Ngày tiếp xúc,Nơi tiếp xúc\n"
        f"{reference_for(case)},{typed['full_name']},{typed['birth_year']},{typed.get('phone', '')},"
        f"{typed.get('id_number', '')},{world.commune_a.code},01/12/2021,Hộ gia đình\n"
    )
    response = client.post(
        "/tracing/import/", {"file": as_upload("tiep-xuc.csv", text.encode()), "mode": "keep_good"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    queued = client.get(response["Location"])
    # The page hands the file to the worker: run the job as the worker does, then read the
    # report the caller sees (the job's page).
    from phongdich.lib import background_imports
    from phongdich.lib.models import ImportJob

    job = ImportJob.objects.filter(owner=staff.commune_worker_a).latest("pk")
    background_imports.import_run(job_id=job.pk)
    report = client.get(response["Location"])
    body = report.content.decode()
    assert "import-report" in body
    return [str(response.status_code), queued.content.decode(), str(report.status_code), body]


MATCHING_PATHS = {
    "tracing:case_contacts": _submit_contact_form,
    "tracing:import": _submit_contact_import,
}
MATCHING_CALLERS = {
    "tracing/services.py": ("tracing:case_contacts", "tracing:import"),
    "tracing/imports.py": ("tracing:import",),
}
