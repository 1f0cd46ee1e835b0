"""The province code every dose insert names (issue 17: doses partitioned by province).

On PostgreSQL `vaccination_dose` is `PARTITION BY LIST (province)` (migration 0015). An
INSERT is routed to its partition before the BEFORE-ROW fill trigger runs, so a dose sent
without its code would go to the DEFAULT partition, the trigger would set the person's
code, and PostgreSQL would refuse the row ("moving row to another partition"). Every
insert path therefore names the code itself, from the person it already holds: `save()`
and `bulk_create` here, the bulk import's INSERT (its joined person's `province`), the
demo (the code read with its people). The statement trigger of migration 0014 still
checks every inserted dose against its person's code.
"""

from django.db import models

from phongdich.geo.province import province_of_unit


def person_province(person) -> str:
    """The code a dose of `person` is stored under: the person row's own, read with the
    person (no query), or, for a person made in this process (the database fills its code
    and the instance does not read it back), its commune's, which is what the person's
    trigger wrote."""
    if person is None:
        return ""
    return person.province or province_of_unit(person.commune)


class DoseQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # The code from the person instances held; people not held with their code (ids
        # only, as the demo and the benches build doses, or made in this process) are read
        # in one query, never one each (nor one commune each).
        objs = list(objs)
        unnamed = [dose for dose in objs if not dose.province]
        person = self.model._meta.get_field("person")
        codes = {
            dose.person_id: dose.person.province
            for dose in unnamed
            if person.is_cached(dose) and dose.person.province
        }
        rest = {dose.person_id for dose in unnamed} - codes.keys()
        if rest:
            people = person.related_model.objects.filter(pk__in=rest)
            codes.update(people.values_list("pk", "province"))
        for dose in unnamed:
            dose.province = codes.get(dose.person_id, "")
        return super().bulk_create(objs, *args, **kwargs)

    def of_person(self, person):
        """`person`'s doses, with the code that names their partition (one partition read
        on PostgreSQL instead of a probe of every province's)."""
        return self.filter(person=person, province=person_province(person))
