"""Demo data: contacts of some of commune A's and B's F0 (households and workplaces), F2 of
a few of them, one F1 who became F0 (so the chain shows two levels), one cluster, and the
indicators of the last days. Small at the default scale (about 60 contacts); written in
batches through `contacts_add_many`, never one save() per contact."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.cases.models import OPEN_STATUSES, Case
from phongdich.people.models import Person

from . import services
from .models import Contact

SETTINGS = ["household", "household", "workplace", "market", "school", "transport"]


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if Contact.objects.exists():
        log("tracing: demo contacts already present, skipped")
        return
    rng = random.Random(seed * 104729 + 13)
    today = timezone.localdate()
    tracer_a, tracer_b = users["tramyte.a"], users["tramyte.b"]
    added = 0
    with transaction.atomic():
        for tracer in (tracer_a, tracer_b):
            commune = tracer.jurisdiction
            cases = list(
                Case.objects.filter(commune=commune, status__in=OPEN_STATUSES)
                .select_related("person")
                .order_by("pk")[: max(4, int(1000 * scale))]
            )
            case_people = set(
                Case.objects.filter(commune=commune).values_list("person_id", flat=True)
            )
            neighbours = list(
                Person.objects.filter(commune=commune, merged_into__isnull=True)
                .exclude(pk__in=case_people)
                .order_by("pk")[: len(cases) * 4]
            )
            rng.shuffle(neighbours)
            spare = neighbours.pop() if neighbours else None  # kept for the F2 below
            for case in cases:
                picked, neighbours = neighbours[:3], neighbours[3:]
                rows = [
                    (
                        person,
                        services.Exposure(
                            exposure_date=max(
                                case.diagnosed_on - timedelta(days=rng.randint(0, 3)),
                                today - timedelta(days=20),
                            ),
                            setting=rng.choice(SETTINGS),
                            criterion=rng.choice(["physical", "unmasked", "masked_close"]),
                        ),
                    )
                    for person in picked
                ]
                added += services.contacts_add_many(by=tracer, source_case=case, rows=rows)
            first = Contact.objects.filter(source_case__in=cases[:2]).order_by("pk").first()
            if first is not None and spare is not None:
                added += services.contacts_add_many(
                    by=tracer,
                    source_contact=first,
                    rows=[
                        (
                            spare,
                            services.Exposure(
                                exposure_date=today - timedelta(days=1), setting="household"
                            ),
                        )
                    ],
                )
        if cases := list(Case.objects.filter(commune=tracer_a.jurisdiction).order_by("pk")[:3]):
            cluster = services.cluster_create(
                by=tracer_a,
                name="Chợ trung tâm",
                commune=tracer_a.jurisdiction,
                place="Chợ trung tâm",
                opened_on=today - timedelta(days=10),
            )
            for case in cases:
                services.cluster_case_add(by=tracer_a, cluster=cluster, case=case)
    for back in range(0, 14):
        services.indicators_refresh(day=today - timedelta(days=back))
    log(f"tracing: {added} contacts")
