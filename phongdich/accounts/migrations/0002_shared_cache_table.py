"""The cache table that holds rate-limit counters for every worker process (settings.CACHES).

With REDIS_URL set, createcachetable has nothing to do; `make migrate` runs it again, so a
deployment that moves from Redis to the database later still gets the table.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
