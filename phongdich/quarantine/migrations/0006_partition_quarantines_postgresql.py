"""On PostgreSQL, the quarantine table becomes partitioned by province (issue 17, step 2).

`quarantine_quarantine` is `PARTITION BY LIST (province)` (the province of the commune
where the person is quarantined): one partition per served province
(`quarantine_quarantine_p38`) and a DEFAULT one, made by geo.province (the daily
`geo.prepare_partitions` job adds a newly served province's). The table is rebuilt, not
altered (geo.province.rebuild):

- Every unique key names `province` (PostgreSQL requires the partition key in each): the
  primary key (id, province), "one active quarantine per person" (person, province) where
  active, the hand-over's (handover_id, province) and the site stay's (stay, province),
  which were their columns' own unique keys (`stay` becomes a foreign key with that
  constraint: a one-to-one field's own key cannot name the province). Across provinces
  they stay one by the writers' locks and lookups: `quarantine_open` looks the person's
  active quarantine up in every partition under the person's key lock,
  `quarantine_from_handover` the hand-over's under the hand-over's row lock, and a stay is
  made for one quarantine by `_admit`.
- The three foreign keys into the table (the personal link's, the daily check's and the
  follow-up item's) lose their database constraint (one into a partitioned table would
  have to name (id, province)); Django still cascades the delete.

Every insert path names the code before this runs (an INSERT is routed before the fill
trigger: docs/operations.md "National scale"; geo.province.name_codes). SQLite keeps one
table; only the unique keys change there (its province triggers taken off around the
table's rebuild). The copy holds an exclusive lock on the table: run it in a maintenance
window. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0004_facility_health_staff"),
        ("geo", "0001_initial"),
        ("people", "0006_person_province_check_fewer_indexes"),
        ("quarantine", "0005_quarantine_province"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going back, this runs last: after the table's remakes, the triggers again.
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.QUARANTINES),
            province.on_sqlite(province.install, province.QUARANTINES),
            elidable=False,
        ),
        migrations.RemoveConstraint(
            model_name="quarantine",
            name="quarantine_one_active_per_person",
        ),
        migrations.AlterField(
            model_name="dailycheck",
            name="quarantine",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="checks",
                to="quarantine.quarantine",
            ),
        ),
        migrations.AlterField(
            model_name="followupitem",
            name="quarantine",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="quarantine.quarantine",
            ),
        ),
        migrations.AlterField(
            model_name="quarantinelink",
            name="quarantine",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="links",
                to="quarantine.quarantine",
            ),
        ),
        migrations.AlterField(
            model_name="quarantine",
            name="handover_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="quarantine",
            name="stay",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="facilities.stay",
            ),
        ),
        migrations.AddConstraint(
            model_name="quarantine",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "active")),
                fields=("person", "province"),
                name="quarantine_one_active_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="quarantine",
            constraint=models.UniqueConstraint(
                fields=("handover_id", "province"), name="quarantine_one_per_handover"
            ),
        ),
        migrations.AddConstraint(
            model_name="quarantine",
            constraint=models.UniqueConstraint(
                fields=("stay", "province"), name="quarantine_one_per_stay"
            ),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.QUARANTINES),
            province.on_sqlite(province.uninstall, province.QUARANTINES),
            elidable=False,
        ),
        province.rebuild_operation("quarantine_quarantine"),
    ]
