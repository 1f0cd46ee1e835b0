"""Registers the briefing pages with the site-wide boundary walker (web/tests)."""


def _briefing_of_district_b(world, staff):
    from django.utils import timezone

    from phongdich.reports.services import briefing_create

    briefing = briefing_create(
        by=staff.province_health_officer,
        unit=world.district_b,
        day_from=timezone.localdate(),
        day_to=timezone.localdate(),
    )
    return {"pk": briefing.pk}


def _briefing_pdf_of_district_b(world, staff):
    return {**_briefing_of_district_b(world, staff), "fmt": "pdf"}


RECORDS_IN_COMMUNE_B = {
    "reports:detail": _briefing_of_district_b,
    "reports:download": _briefing_pdf_of_district_b,
}
