"""An index in the care queue's own order (cases.selectors.QUEUE_KEYS), on PostgreSQL.

The queue sorts active F0 by open danger alerts, open alerts, the longest silence (never
checked first), risk and id. Without an index in that order every view of a province's
queue sorted all its active F0 (40,000 at scale 1); with it the planner walks the index
from the keyset cursor, checks each row's commune against the jurisdiction's hashed set,
and stops after a page. Partial: only the rows the queue lists. SQLite does not accept
NULLS FIRST in an index, and its queues are small: nothing is created there.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS case_queue_order_idx ON cases_case
    (open_danger_alerts DESC, open_alerts DESC, last_check_at ASC NULLS FIRST,
     risk_score DESC, id ASC)
    WHERE status = 'active' AND treatment_place IN ('home', 'isolation')
"""
DROP = "DROP INDEX IF EXISTS case_queue_order_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_merge_link_send_and_transfer_need")]

    operations = [migrations.RunPython(create, drop)]
