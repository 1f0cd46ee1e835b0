"""Signals of the people registry.

`people_created_in_bulk` is sent by a path that inserts people without `save()` (a
`bulk_create`, a COPY), where the post_save receivers other apps keep their per-person rows
with never run. It is sent inside the inserting transaction, once per statement's worth of
people, with either `ids` (the new people's pks) or `where` and `params` (SQL selecting
their ids, e.g. the rows stamped by one load); a receiver must be set-based (one statement
for all of them, never a loop over the people)."""

from django.dispatch import Signal

people_created_in_bulk = Signal()
