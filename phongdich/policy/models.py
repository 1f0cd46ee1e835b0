"""The policy pages own no policy data (each app registers its tables); they keep only the
receipts of "add a row" submissions, so one generic create form is guarded once for every
registered table instead of a key column on each policy model."""

from django.db import models
from django.utils import timezone

from phongdich.lib.idempotency import SubmittedOnce


class RowSubmission(SubmittedOnce):
    """The row a create form's submission added. Inserted before the row itself, so two
    racing copies of one double click meet on the key's unique index and the loser's row is
    rolled back with it."""

    table = models.CharField(max_length=80)  # the registry slug
    row_pk = models.PositiveBigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.table} #{self.row_pk}"
