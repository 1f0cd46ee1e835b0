"""Query helpers that must behave the same, and use indexes, on SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import Q


def prefix_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written so that a B-tree index serves it.

    SQLite's LIKE is case-insensitive and so never uses an ordinary index; a half-open range
    does. On PostgreSQL the search-key columns use the "C" collation (people migration 0002),
    so LIKE 'prefix%' uses the same plain B-tree index that serves ORDER BY. The keys
    searched are already folded to lower-case ASCII, so both forms are exact.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
