"""The bulk path of the dose import (province files, millions of rows, never one save()
per row). `driver` runs it and says how, step by step; `stage`, `match` and `decide` are
PostgreSQL's set-based steps, `rows` SQLite's decisions in Python, `tables` the staging
tables and round sizes."""

from .driver import Progress, file_digest, import_doses_bulk

# The round sizes live in .tables (tables.BATCH, tables.SET_BATCH), read when a round
# starts: set them there, a copy here would change nothing.
__all__ = ["Progress", "file_digest", "import_doses_bulk"]
