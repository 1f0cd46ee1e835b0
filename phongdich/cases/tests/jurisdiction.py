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
}
NOT_PERSONAL = {
    "cases:report": "a daily announcement: aggregate figures only, scoped to the user's units",
}
