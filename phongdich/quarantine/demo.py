"""Demo quarantine records: traced F1 at home and in the province's quarantine site, a few
daily checks, one completed (its certificate printable) and the follow-up scan run once.
The returnees handed over in the checkpoints demo already have theirs (the hand-over opens
it). The demo is dated today, past the 1909/BYT-DP row that ended F1 quarantine, so it
applies the early-2022 row by name, as the checkpoints demo does. Deterministic, small."""

import random
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from phongdich.facilities.models import Facility
from phongdich.people.models import Person

from . import services
from .models import Basis, Place, Quarantine

MARK = "demo-{seed}"


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    mark = MARK.format(seed=seed)
    if Quarantine.objects.filter(note=mark).exists():
        log("quarantine: demo data already present")
        return  # building again changes nothing
    rng = random.Random(seed + 13)
    today = timezone.localdate()
    worker_a, worker_b = users["tramyte.a"], users["tramyte.b"]
    site = Facility.objects.filter(kind=Facility.Kind.QUARANTINE_SITE, is_active=True).first()
    count = max(6, int(scale * 400))
    opened = 0
    for worker in (worker_a, worker_b):
        commune = worker.jurisdiction
        busy = Quarantine.objects.filter(status="active").values("person_id")
        candidates = Person.objects.filter(commune=commune, merged_into__isnull=True).exclude(
            pk__in=busy
        )
        if apps.is_installed("phongdich.cases"):
            from phongdich.cases.models import OPEN_STATUSES, Case

            # An F0 is isolated, not quarantined: pick people without an open case.
            candidates = candidates.exclude(
                pk__in=Case.objects.filter(status__in=OPEN_STATUSES).values("person_id")
            )
        people = list(candidates.order_by("pk")[: count // 2])
        for i, person in enumerate(people):
            at_site = site is not None and i % 4 == 3 and site.free("regular") > 0
            exposure = today - timedelta(days=rng.randint(0, 5))
            quarantine, _created = services.quarantine_open(
                by=worker,
                person=person,
                basis=Basis.F1,
                start=exposure,
                commune=commune,
                place=Place.SITE if at_site else Place.HOME,
                facility=site if at_site else None,
                note=mark,
                policy_key="2022-early",
            )
            opened += 1
            if i % 3 == 0:
                services.quarantine_check_record(
                    by=worker,
                    quarantine=quarantine,
                    temperature="38.1" if i % 6 == 0 else "36.7",
                    symptoms=["cough"] if i % 6 == 0 else [],
                )
            if i == 1:
                quarantine = services.quarantine_change_end(
                    by=worker,
                    quarantine=quarantine,
                    planned_end=today,
                    reason="Xét nghiệm âm tính ngày 5, trạm y tế cho kết thúc",
                )
                services.quarantine_complete(by=worker, quarantine=quarantine)
    result = services.scan_follow_up()
    log(f"quarantine: {opened} F1 quarantined, {result['created']} follow-up items")
