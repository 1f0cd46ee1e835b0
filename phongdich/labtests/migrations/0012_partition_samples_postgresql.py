"""On PostgreSQL, the sample table becomes partitioned by province (issue 17, step 2).

`labtests_sample` (every sample and every result) is `PARTITION BY LIST (province)`: one
partition per served province (`labtests_sample_p38`) and a DEFAULT one, made by
geo.province (the daily `geo.prepare_partitions` job adds a newly served province's). The
table is rebuilt, not altered (geo.province.rebuild):

- Every unique key names `province` (PostgreSQL requires the partition key in each): the
  primary key (id, province), the tube's code (barcode, province), the lab's id
  (lab_sample_id, lab_key, province) and the moved result's (legacy_result_id, province).
- The code and the lab's id stay unique across provinces: `labtests_sample_key` (plain,
  not partitioned) holds one row per code and per lab's id, written by row triggers on the
  sample table in the same statement (insert, a change of code or lab's id, delete; a
  TRUNCATE empties it). A second sample with a code another province already has fails its
  INSERT with a unique violation, as before (the services' IntegrityError paths). A row
  moved to another province's partition (its commune re-parented) is a DELETE and an
  INSERT to PostgreSQL: the row triggers delete and write its keys again.
  `legacy_result_id` has no such row: only migration 0005 wrote it, before this one, and
  it was unique then.
- The foreign keys into the table (a re-sampling order's pooled and new sample, a test
  order's new sample) lose their database constraint (one into a partitioned table would
  have to name (id, province)); Django still cascades and nulls them on delete.
- Fill factor 50 (labtests 0011's HOT results) is set on each partition: a partitioned
  table holds no storage parameters; rebuild gives the old table's to every partition and
  a partition made later takes the DEFAULT's (geo.province.prepare_province_partitions).

Every insert path names the code before this runs (an INSERT is routed before the fill
trigger: docs/operations.md "National scale"; geo.province.name_codes). SQLite keeps one
table: only the unique keys change there (its province triggers made again after the
remakes), and the code and the lab's id are unique per province only. The copy holds an
exclusive lock on the table: run it in a maintenance window. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province

KEYS = "labtests_sample_key"
# The keys of a sample row: its code, and its lab's id when it has one (with `lab_key`).
KEY_ROWS = """SELECT 'b', {row}.barcode, '', {row}.id
    UNION ALL SELECT 'l', {row}.lab_sample_id, {row}.lab_key, {row}.id
    WHERE {row}.lab_sample_id <> ''"""
KEY_MATCH = """(scope = 'b' AND value = {row}.barcode AND lab = '' AND sample_id = {row}.id)
    OR (scope = 'l' AND value = {row}.lab_sample_id AND lab = {row}.lab_key
        AND sample_id = {row}.id)"""


def _keys(apps, schema_editor):
    """The table of codes and lab's ids across provinces, its triggers and its rows."""
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(
        f"""CREATE TABLE {KEYS} (scope char(1) NOT NULL, value varchar(60) NOT NULL,
        lab varchar(60) NOT NULL, sample_id bigint NOT NULL,
        CONSTRAINT {KEYS}_pkey PRIMARY KEY (scope, value, lab))"""
    )
    run(
        f"""CREATE FUNCTION {KEYS}_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO {KEYS} (scope, value, lab, sample_id) {KEY_ROWS.format(row="NEW")};
        RETURN NULL; END $$"""
    )
    run(
        f"""CREATE FUNCTION {KEYS}_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        DELETE FROM {KEYS} WHERE {KEY_MATCH.format(row="OLD")};
        RETURN NULL; END $$"""
    )
    run(
        f"""CREATE FUNCTION {KEYS}_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        DELETE FROM {KEYS} WHERE {KEY_MATCH.format(row="OLD")};
        INSERT INTO {KEYS} (scope, value, lab, sample_id) {KEY_ROWS.format(row="NEW")};
        RETURN NULL; END $$"""
    )
    run(f"CREATE FUNCTION {KEYS}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {KEYS}; RETURN NULL; END $$")
    run(
        f"CREATE TRIGGER {KEYS}_insert AFTER INSERT ON labtests_sample "
        f"FOR EACH ROW EXECUTE FUNCTION {KEYS}_insert()"
    )
    run(
        f"CREATE TRIGGER {KEYS}_delete AFTER DELETE ON labtests_sample "
        f"FOR EACH ROW EXECUTE FUNCTION {KEYS}_delete()"
    )
    # Only when a key changes: a result (which writes `lab` of a sample without a lab's id)
    # queues nothing.
    run(
        f"CREATE TRIGGER {KEYS}_update AFTER UPDATE OF barcode, lab_sample_id, lab "
        "ON labtests_sample FOR EACH ROW WHEN (OLD.barcode IS DISTINCT FROM NEW.barcode "
        "OR OLD.lab_sample_id IS DISTINCT FROM NEW.lab_sample_id "
        f"OR OLD.lab_key IS DISTINCT FROM NEW.lab_key) EXECUTE FUNCTION {KEYS}_update()"
    )
    run(
        f"CREATE TRIGGER {KEYS}_truncate AFTER TRUNCATE ON labtests_sample "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {KEYS}_truncate()"
    )
    run(
        f"""INSERT INTO {KEYS} (scope, value, lab, sample_id)
        SELECT 'b', barcode, '', id FROM labtests_sample
        UNION ALL SELECT 'l', lab_sample_id, lab_key, id FROM labtests_sample
        WHERE lab_sample_id <> ''"""
    )


def _keys_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in ("insert", "delete", "update", "truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {KEYS}_{event} ON labtests_sample")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {KEYS}_{event}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {KEYS}")


def _sqlite_triggers(apps, schema_editor):
    """SQLite remakes the table to change its keys, which drops its province triggers."""
    if schema_editor.connection.vendor == "sqlite":
        province.uninstall(schema_editor, province.SAMPLES)
        province.install(schema_editor, province.SAMPLES)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_partition_healthchecks_postgresql'),
        ('geo', '0001_initial'),
        ('labtests', '0011_sample_hot_results'),
        ('people', '0005_person_province'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going back, this runs last: after the remakes, the triggers again.
        migrations.RunPython(migrations.RunPython.noop, _sqlite_triggers, elidable=False),
        migrations.RemoveConstraint(
            model_name='sample',
            name='labtests_sample_lab_id_uniq',
        ),
        migrations.AlterField(
            model_name='resampleorder',
            name='new_sample',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ordered_by', to='labtests.sample'),
        ),
        migrations.AlterField(
            model_name='resampleorder',
            name='pooled_sample',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='order', to='labtests.sample'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='barcode',
            field=models.CharField(max_length=40, verbose_name='mã mẫu'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='legacy_result_id',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='testorder',
            name='new_sample',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='test_order', to='labtests.sample'),
        ),
        migrations.AddConstraint(
            model_name='sample',
            constraint=models.UniqueConstraint(fields=('barcode', 'province'), name='labtests_sample_barcode_uniq'),
        ),
        migrations.AddConstraint(
            model_name='sample',
            constraint=models.UniqueConstraint(condition=models.Q(('lab_sample_id', ''), _negated=True), fields=('lab_sample_id', 'lab_key', 'province'), name='labtests_sample_lab_id_uniq'),
        ),
        migrations.AddConstraint(
            model_name='sample',
            constraint=models.UniqueConstraint(fields=('legacy_result_id', 'province'), name='labtests_sample_legacy_uniq'),
        ),
        migrations.RunPython(_sqlite_triggers, migrations.RunPython.noop, elidable=False),
        province.rebuild_operation('labtests_sample'),
        migrations.RunPython(_keys, _keys_back, elidable=False),
    ]
