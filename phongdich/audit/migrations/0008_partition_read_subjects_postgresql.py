"""On PostgreSQL, the audit's read subjects become partitioned by province (issue 17, step 2).

`audit_auditreadsubject` is `PARTITION BY LIST (province)`, no month level: one partition
per served province (`audit_auditreadsubject_p38`) and a DEFAULT one, made by geo.province
(the daily `geo.prepare_partitions` job adds a newly served province's). A subject's code is
its event's (the reader's province), computed inside the one INSERT that writes an event's
subjects (`audit.services._insert_subjects`), so the row is routed on it: no trigger fills
it and the partitioning trap (docs/operations.md "National scale") does not arise. Nothing
points into the table and it has no unique key but its primary key, which becomes (id,
province). The append-only trigger is made again on the partitioned table (and cloned onto
every partition) by `geo.province.rebuild`.

SQLite keeps one table. The copy holds an exclusive lock on the table (one row per record
shown on a list page: the largest audit table): run it in a maintenance window. Reversible.
"""

from django.db import migrations

from phongdich.geo import province


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_read_subject_province"),
        ("geo", "0001_initial"),
    ]

    operations = [province.rebuild_operation("audit_auditreadsubject")]
