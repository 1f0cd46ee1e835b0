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

from phongdich.geo.province import CodedQuerySet, code_of


class DoseQuerySet(CodedQuerySet):
    """`bulk_create` names each dose's code from its person (geo.province.name_codes)."""

    def of_person(self, person):
        """`person`'s doses, with the code that names their partition (one partition read
        on PostgreSQL instead of a probe of every province's)."""
        return self.filter(person=person, province=code_of(person))
